"""Reads for IP assets and listings."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    F,
    Model,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat
from django.db.models.lookups import Contains
from django.utils.translation import gettext as _
from django_fsm import FSMFieldMixin
from django_fsm_log.models import StateLog

from marketplace.parties.models import Organization, User, VerificationState

from . import pledges
from .models import (
    OPEN_LISTING_STATES,
    AssetKind,
    AssetStatus,
    IPAsset,
    Listing,
    ListingQuerySet,
    SearchSynonym,
)
from .search import ParsedQuery, Synonyms, parse_query
from .validators import validate_ip_number


def assets_for_organizations(*, organizations: Iterable[Organization]) -> QuerySet[IPAsset]:
    return (
        IPAsset.objects.filter(holder__in=list(organizations))
        .select_related("holder")
        .order_by("-created_at")
    )


def asset_for_member(*, user: User, pk: int) -> IPAsset:
    """The asset if `user` belongs to its holder; otherwise DoesNotExist (→ 404)."""
    return IPAsset.objects.select_related("holder").get(pk=pk, holder__memberships__user=user)


@dataclass(frozen=True)
class AssetNote:
    """What an asset picker says under one asset. `blocks`: it cannot be chosen (its
    checkbox is disabled and the note says why); otherwise a caveat. `data`: attributes
    for the checkbox (the listing form's script reads them)."""

    text: str
    blocks: bool = False
    data: tuple[tuple[str, str], ...] = ()


# An asset in one of these is of no use to anybody: it cannot be listed at all.
UNLISTABLE_STATUSES = (AssetStatus.LAPSED, AssetStatus.EXPIRED, AssetStatus.INVALIDATED)
# Set on an asset a pledge listing cannot take (pending, or pledged already).
NOT_FOR_PLEDGE = (("data-not-for-pledge", "1"),)


def asset_notes_for_listing(
    *, assets: QuerySet[IPAsset], listing: Listing | None = None
) -> dict[int, list[AssetNote]]:
    """Why each of these assets cannot go into a listing (lapsed, expired, invalidated, in
    another open listing), or what to know before listing it (pledged: published for
    transfer or licence only with the pledgee's consent, never for a second pledge; not
    granted yet: not for pledge financing). Four queries, whatever the number of assets;
    `listing` is the one being edited (its own assets are not “elsewhere”)."""
    rows = list(assets.values_list("pk", "status"))
    ids = [pk for pk, _status in rows]
    notes: dict[int, list[AssetNote]] = {}
    for pk, status in rows:
        if status in UNLISTABLE_STATUSES:
            notes.setdefault(pk, []).append(
                AssetNote(
                    _("Cannot be listed: it is “%(status)s”.")
                    % {"status": AssetStatus(status).label},
                    blocks=True,
                )
            )
        elif status == AssetStatus.PENDING:
            notes.setdefault(pk, []).append(
                AssetNote(
                    _("Not granted yet: it can be listed for transfer or licence, not for pledge."),
                    data=NOT_FOR_PLEDGE,
                )
            )
    others = (
        Listing.assets.through.objects.filter(
            ipasset_id__in=ids, listing__state__in=OPEN_LISTING_STATES
        )
        .select_related("listing")
        .order_by("listing_id")
    )
    if listing is not None:
        others = others.exclude(listing_id=listing.pk)
    for row in others:
        notes.setdefault(row.ipasset_id, []).append(
            AssetNote(
                _("Cannot be listed: it is already in “%(title)s” (%(state)s).")
                % {"title": row.listing.title, "state": row.listing.get_state_display()},
                blocks=True,
            )
        )
    for pk, pledge in pledges.active_pledges(assets=[IPAsset(pk=pk) for pk in ids]).items():
        notes.setdefault(pk, []).append(
            AssetNote(
                _(
                    "Pledged to %(bank)s: a transfer or licence listing is published only "
                    "with the bank's consent; it cannot be pledged again."
                )
                % {"bank": pledge.pledgee},
                data=NOT_FOR_PLEDGE,
            )
        )
    return notes


# --- the public portal --------------------------------------------------------------------

FACET_FIELDS = ("kind", "intent", "industry", "district")


@dataclass
class ListingSearch:
    """What the portal shows for one query string."""

    results: Any  # a QuerySet or Wagtail search results, in display order
    facets: dict[str, dict[str, int]]
    exact_asset: IPAsset | None = None
    query_words: str = ""
    synonyms: tuple[str, ...] = ()  # what the query was widened with, for the page to say


def _filtered(base: ListingQuerySet, filters: dict[str, Any], *, skip: str = "") -> Any:
    qs = base
    for name in FACET_FIELDS:
        if name in filters and name != skip:
            qs = qs.filter(**{name: filters[name]})
    if filters.get("l_belt"):
        qs = qs.filter(in_l_belt=True)
    if "price_min" in filters:
        qs = qs.filter(asking_price__gte=filters["price_min"])
    if "price_max" in filters:
        qs = qs.filter(asking_price__lte=filters["price_max"])
    if filters.get("verified"):
        # holder_id is a search filter field; the holder's state is not.
        verified = Organization.objects.filter(verification_state=VerificationState.VERIFIED)
        qs = qs.filter(holder_id__in=verified.values("pk"))  # one subquery, not a list
    return qs


def _exact_asset(query: str) -> IPAsset | None:
    """A query that is an asset's number (in any accepted spelling) names that asset."""
    for kind in AssetKind.values:
        try:
            number = validate_ip_number(kind, query)
        except ValidationError:
            continue
        asset = IPAsset.objects.filter(kind=kind, number=number).first()
        if asset is not None:
            return asset
    return None


def _ordered(qs: Any, sort: str) -> Any:
    if sort == "price_asc":
        return qs.order_by(F("asking_price").asc(nulls_last=True), "-published_at")
    if sort == "price_desc":
        return qs.order_by(F("asking_price").desc(nulls_last=True), "-published_at")
    # The tie-breaker is an expression: Wagtail's search refuses a plain "pk" (not a
    # FilterField) in order_by, and "?q=…&sort=newest" would fail with a 500.
    return qs.order_by("-published_at", F("pk").desc())


# The synonym map, read once and kept until staff change a group (the services drop it on
# commit); the expiry bounds how long a process could keep a map read just before a change.
SYNONYMS_CACHE_KEY = "listings:search-synonyms:v1"
SYNONYMS_CACHE_SECONDS = 600


def search_synonyms() -> Synonyms:
    """Every group of `SearchSynonym`, as the map the query parser uses: one query when the
    cache holds none, none otherwise."""
    cached = cache.get(SYNONYMS_CACHE_KEY)
    if isinstance(cached, Synonyms):
        return cached
    synonyms = Synonyms.from_groups(
        (group.term, group.synonym_list, group.one_way_list)
        for group in SearchSynonym.objects.order_by("pk")
    )
    cache.set(SYNONYMS_CACHE_KEY, synonyms, SYNONYMS_CACHE_SECONDS)
    return synonyms


def _relevance(parsed: ParsedQuery) -> Case:
    """Best first: 0 the title holds every term as typed, 1 the listing holds every word
    the visitor typed, 2 it matched through a synonym. The same order on every backend,
    computed on the matching rows only."""
    in_title = Q()
    for term in parsed.terms:
        in_title &= Q(title__icontains=term.text)
    # search_text is its words separated by single spaces: " word " is a whole word.
    padded = Concat(Value(" "), F("search_text"), Value(" "), output_field=TextField())
    exact = Q(*(Contains(padded, f" {word} ") for word in parsed.words.split()))
    return Case(When(in_title, then=Value(0)), When(exact, then=Value(1)), default=Value(2))


def listing_search(*, filters: dict[str, Any]) -> ListingSearch:
    """Published listings (closed ones with `closed`) matching the portal's validated
    filters.

    Without words the ORM answers; with words Wagtail's search backend does, on the
    jieba-segmented text: every term required, each term satisfied by itself or one of its
    synonyms (`SearchSynonym`), all in one backend query. By relevance, listings that
    carry the visitor's own words come before those found through a synonym, then the
    newest. Facet counts leave out their own filter, so a visitor sees what else they
    could pick. The number of queries depends neither on the number of listings nor on
    the synonyms (the synonym map comes from the cache).
    """
    # Closed listings (their results) only when asked for; the default is what is on offer.
    base = Listing.objects.closed() if filters.get("closed") else Listing.objects.published()
    query = filters.get("q", "")
    sort = filters.get("sort") or ("relevance" if query else "newest")
    if query:
        exact = _exact_asset(query)
        if exact is not None:
            results = _ordered(_filtered(base, filters).filter(assets=exact), "newest")
            facets: dict[str, dict[str, int]] = {name: {} for name in FACET_FIELDS}
            return ListingSearch(results=results, facets=facets, exact_asset=exact)
        parsed = parse_query(query, search_synonyms())
        if not parsed.terms:
            return ListingSearch(results=base.none(), facets={n: {} for n in FACET_FIELDS})
        asked = parsed.backend_query()
        searched = _filtered(base, filters)
        if sort == "relevance":
            searched = searched.order_by(_relevance(parsed).asc(), "-published_at", F("pk").desc())
        else:
            searched = _ordered(searched, sort)
        results = searched.search(asked, order_by_relevance=False)
        facets = {
            name: dict(
                _filtered(base, filters, skip=name)
                .search(asked, order_by_relevance=False)
                .facet(name)
            )
            for name in FACET_FIELDS
        }
        return ListingSearch(
            results=results,
            facets=facets,
            query_words=parsed.words,
            synonyms=parsed.synonyms,
        )
    results = _ordered(_filtered(base, filters), sort)
    facets = {
        name: dict(
            _filtered(base, filters, skip=name)
            .order_by()
            .values_list(name)
            .annotate(n=Count("pk"))
            .values_list(name, "n")
        )
        for name in FACET_FIELDS
    }
    return ListingSearch(results=results, facets=facets)


def listings_for_cards(listings: Iterable[Listing]) -> list[Listing]:
    """Reload one page of listings with what a card shows, keeping their order."""
    ids = [listing.pk for listing in listings]
    loaded = (
        Listing.objects.filter(pk__in=ids)
        .select_related("holder")
        .prefetch_related(Prefetch("assets", queryset=IPAsset.objects.order_by("pk")))
    )
    by_id = {listing.pk: listing for listing in loaded}
    return [by_id[pk] for pk in ids if pk in by_id]


def listing_for_public(*, pk: int) -> Listing:
    """A published listing with its holder and assets; DoesNotExist otherwise (→ 404).
    What a visitor can make an offer on."""
    return (
        Listing.objects.published()
        .select_related("holder")
        .prefetch_related(Prefetch("assets", queryset=IPAsset.objects.order_by("pk")))
        .get(pk=pk)
    )


def listing_for_public_page(*, pk: int) -> Listing:
    """A listing with a public page (published, or closed with its result: see
    PUBLIC_LISTING_STATES) with its holder and assets; DoesNotExist otherwise (→ 404)."""
    return (
        Listing.objects.public()
        .select_related("holder")
        .prefetch_related(Prefetch("assets", queryset=IPAsset.objects.order_by("pk")))
        .get(pk=pk)
    )


# --- the holder's workspace ---------------------------------------------------------------


def listings_for_organizations(
    *, organizations: Iterable[Organization] | QuerySet[Organization]
) -> QuerySet[Listing]:
    """Listings of these organisations, newest first, with their holder and assets (one
    query each, whatever the number of rows). A queryset of organisations is used as a
    subquery, so it costs no query of its own."""
    holders = (
        organizations
        if isinstance(organizations, QuerySet)
        else [organization.pk for organization in organizations]
    )
    return (
        Listing.objects.filter(holder__in=holders)
        .select_related("holder")
        .prefetch_related(Prefetch("assets", queryset=IPAsset.objects.order_by("pk")))
        .order_by("-created_at", "-pk")
    )


def listing_for_member(*, user: User, pk: int) -> Listing:
    """The listing if `user` belongs to its holder; otherwise DoesNotExist (→ 404)."""
    return (
        Listing.objects.select_related("holder", "created_by")
        .prefetch_related(Prefetch("assets", queryset=IPAsset.objects.order_by("pk")))
        .get(pk=pk, holder__memberships__user=user)
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One audited transition, ready to show: who, when, from → to, the note."""

    timestamp: datetime.datetime
    by: User | None
    transition: str
    source_state: str
    source_label: str
    state: str
    state_label: str
    note: str


def _state_labels(model: type[Model]) -> dict[str, str]:
    for field in model._meta.fields:
        if isinstance(field, FSMFieldMixin):
            return {str(value): str(label) for value, label in field.flatchoices}
    return {}


# A state an object only passes through inside the service that creates it (a deal is
# created "new" and proposed at once): its entry reads as the first state, not "New → …".
CREATION_STATES = frozenset({"new"})


def _shown_source(state: str | None) -> str:
    return "" if not state or state in CREATION_STATES else state


def timeline_for(*, obj: Model) -> list[TimelineEntry]:
    """The audit rows (django-fsm-log) of `obj`, oldest first, in one query (plus the
    content type, which Django caches)."""
    labels = _state_labels(type(obj))
    rows = StateLog.objects.for_(obj).select_related("by").order_by("timestamp", "pk")
    return [
        TimelineEntry(
            timestamp=row.timestamp,
            by=row.by,
            transition=row.transition,
            source_state=_shown_source(row.source_state),
            source_label=labels.get(_shown_source(row.source_state), row.source_state or ""),
            state=row.state,
            state_label=labels.get(row.state, row.state),
            note=row.description or "",
        )
        for row in rows
    ]
