"""Search synonyms: staff keep groups of terms that find each other (listings.search).

A term belongs to one group only (as its term or one of its synonyms), so what a query
is widened with never depends on which group was read first; it may be a one-way term
of any number of groups. Every write is logged in the Wagtail history of the group and,
once committed, drops the cached synonym map so the next search reads the new one.
"""

import re
import unicodedata
from collections.abc import Sequence

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from marketplace.parties.models import User

from ..models import SEARCH_TERM_MAX_LENGTH, SearchSynonym
from ..search import normalise
from ..selectors import SYNONYMS_CACHE_KEY

MIN_TERM_LENGTH = 2
MAX_TERM_LENGTH = SEARCH_TERM_MAX_LENGTH
MAX_SYNONYMS = 20
MAX_ONE_WAY = 40
# Staff may separate terms by lines, commas or the enumeration comma (锂电、锂电池).
_SEPARATORS = re.compile(r"[\n\r,，、;；]+")
_MEANINGFUL = re.compile(r"\w", re.UNICODE)


def split_terms(text: str) -> list[str]:
    """The terms of a textarea, cleaned (full-width folded, white space collapsed), in
    order, empty ones dropped; case is kept for display."""
    terms = []
    for part in _SEPARATORS.split(text or ""):
        term = " ".join(unicodedata.normalize("NFKC", part).split())
        if term:
            terms.append(term)
    return terms


def _term_problem(term: str) -> str | None:
    if len(term) < MIN_TERM_LENGTH:
        return _("“%(term)s” is too short: a term has at least %(min)d characters.") % {
            "term": term,
            "min": MIN_TERM_LENGTH,
        }
    if len(term) > MAX_TERM_LENGTH:
        return _("“%(term)s” is too long: a term has at most %(max)d characters.") % {
            "term": term,
            "max": MAX_TERM_LENGTH,
        }
    if not _MEANINGFUL.search(term):
        return _("“%(term)s” has no letter, digit or Chinese character.") % {"term": term}
    return None


def search_synonym_validate(
    *,
    term: str,
    synonyms: Sequence[str],
    one_way: Sequence[str],
    synonym: SearchSynonym | None = None,
) -> None:
    """The rules of a group, all reported at once as a ValidationError by field: a term of
    2–40 characters with a letter, digit or Chinese character; at least one synonym or
    one-way term; no term twice (case and full-width forms do not count as different);
    at most 20 synonyms and 40 one-way terms; and neither the term nor a synonym already
    in another group (`synonym` is the group being edited, if any)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    term = " ".join((term or "").split())
    if not term:
        add("term", _("Enter the term."))
    elif problem := _term_problem(term):
        add("term", problem)
    if not synonyms and not one_way:
        add("synonyms", _("Give at least one synonym or one-way term."))
    if len(synonyms) > MAX_SYNONYMS:
        add("synonyms", _("At most %(max)d synonyms in one group.") % {"max": MAX_SYNONYMS})
    if len(one_way) > MAX_ONE_WAY:
        add("one_way", _("At most %(max)d one-way terms.") % {"max": MAX_ONE_WAY})

    seen: dict[str, str] = {normalise(term): "term"} if term else {}
    for field, values in (("synonyms", synonyms), ("one_way", one_way)):
        for value in values:
            if problem := _term_problem(value):
                add(field, problem)
                continue
            key = normalise(value)
            if key in seen:
                add(field, _("“%(term)s” is listed twice.") % {"term": value})
                continue
            seen[key] = field

    others = SearchSynonym.objects.all()
    if synonym is not None and synonym.pk is not None:
        others = others.exclude(pk=synonym.pk)
    owner: dict[str, str] = {}
    for other_term, other_synonyms in others.values_list("term", "synonyms"):
        for member in (other_term, *split_terms(other_synonyms)):
            owner.setdefault(normalise(member), other_term)
    for key, field in seen.items():
        if field == "one_way" or key not in owner:
            continue
        shown = term if field == "term" else next(v for v in synonyms if normalise(v) == key)
        add(
            field,
            _(
                "“%(term)s” is already in the group “%(group)s”: a term belongs to one "
                "group only, so add to that group instead."
            )
            % {"term": shown, "group": owner[key]},
        )
    if errors:
        raise ValidationError(errors)


def _require_staff(by: User | None) -> None:
    if by is None or not (by.is_active and by.is_staff):
        raise PermissionDenied(_("Only platform staff can edit search synonyms."))


def _forget_cached_synonyms() -> None:
    cache.delete(SYNONYMS_CACHE_KEY)


def _write(
    *,
    synonym: SearchSynonym,
    by: User,
    term: str,
    synonyms: Sequence[str],
    one_way: Sequence[str],
    action: str,
) -> SearchSynonym:
    _require_staff(by)
    synonyms = [" ".join(s.split()) for s in synonyms]
    one_way = [" ".join(t.split()) for t in one_way]
    with transaction.atomic():
        # Lock the groups, so two staff saving at once cannot both pass the check below
        # with the same term (a new group waits for the other save, then sees its rows).
        list(SearchSynonym.objects.select_for_update().order_by("pk").values_list("pk"))
        search_synonym_validate(term=term, synonyms=synonyms, one_way=one_way, synonym=synonym)
        synonym.term = " ".join(term.split())
        synonym.synonyms = "\n".join(synonyms)
        synonym.one_way = "\n".join(one_way)
        synonym.save()
        log(instance=synonym, action=action, user=by, content_changed=True)
        transaction.on_commit(_forget_cached_synonyms)
    return synonym


def search_synonym_create(
    *, by: User, term: str, synonyms: Sequence[str], one_way: Sequence[str] = ()
) -> SearchSynonym:
    """A new group (staff only; the rules of `search_synonym_validate`)."""
    return _write(
        synonym=SearchSynonym(),
        by=by,
        term=term,
        synonyms=synonyms,
        one_way=one_way,
        action="wagtail.create",
    )


def search_synonym_update(
    *,
    synonym: SearchSynonym,
    by: User,
    term: str,
    synonyms: Sequence[str],
    one_way: Sequence[str] = (),
) -> SearchSynonym:
    """Change a group (staff only; the rules of `search_synonym_validate`)."""
    return _write(
        synonym=synonym,
        by=by,
        term=term,
        synonyms=synonyms,
        one_way=one_way,
        action="wagtail.edit",
    )


def search_synonym_delete(*, synonym: SearchSynonym, by: User) -> None:
    """Remove a group (staff only): its terms find only themselves from the next search."""
    _require_staff(by)
    with transaction.atomic():
        log(instance=synonym, action="wagtail.delete", user=by)
        synonym.delete()
        transaction.on_commit(_forget_cached_synonyms)
