"""Listings: a holder offers one or more of its assets for transfer, licence or pledge.

Every transition locks the listing, checks the move is allowed now, runs it and saves;
django-fsm-log writes the audit row in the same transaction.
"""

import copy
import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_fsm import can_proceed
from wagtail.search.backends import get_search_backends

from marketplace.parties.districts import in_l_belt
from marketplace.parties.models import Membership, Organization, User, VerificationState

from .. import pledges
from ..models import (
    DEFAULT_VALIDITY_DAYS,
    EDITABLE_LISTING_STATES,
    OPEN_LISTING_STATES,
    AssetStatus,
    IPAsset,
    Listing,
    ListingIntent,
    ListingState,
    default_valid_until,
)
from ..sanitize import html_to_text, sanitize_html
from ..search import segment_for_index

MAX_ASSETS_PER_LISTING = 50
TITLE_MAX_LENGTH = 200  # Listing.title and Listing.title_en
# Fields a holder may change while the listing is a draft or was rejected.
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "title_en",
        "intent",
        "licence_type",
        "asking_price",
        "description",
        "valid_until",
        "assets",
    }
)


# --- rules -------------------------------------------------------------------------------


def _require_member(*, by: User | None, holder: Organization) -> None:
    if by is None or not Membership.objects.filter(user=by, organization=holder).exists():
        raise PermissionDenied(_("Only members of the holding organisation can do this."))


def _require_staff(by: User | None) -> None:
    if by is None or not by.is_staff:
        raise PermissionDenied(_("Only platform staff can review listings."))


def valid_until_missing_message() -> str:
    """What to say for an empty validity date (the form says it too)."""
    return _(
        "Enter the last day the listing stays on the portal, e.g. %(date)s "
        "(%(days)d days from today)."
    ) % {"date": default_valid_until().isoformat(), "days": DEFAULT_VALIDITY_DAYS}


def _content_errors(
    *,
    holder: Organization,
    assets: Sequence[IPAsset],
    title: str,
    intent: str,
    licence_type: str,
    asking_price: Decimal | None,
    valid_until: datetime.date | None,
    title_en: str = "",
) -> dict[str, list[str]]:
    """What a listing must satisfy to be saved at all (drafts included)."""
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the listing a title.")]
    if len(title_en.strip()) > TITLE_MAX_LENGTH:
        errors["title_en"] = [
            _("Keep the English title under %(max)d characters.") % {"max": TITLE_MAX_LENGTH}
        ]
    if intent not in ListingIntent.values:
        errors["intent"] = [_("Choose transfer, licence or pledge financing.")]
    if intent == ListingIntent.LICENCE and not licence_type:
        errors["licence_type"] = [_("Choose the kind of licence offered.")]
    if intent != ListingIntent.LICENCE and licence_type:
        errors["licence_type"] = [_("A licence type applies to licence listings only.")]
    if asking_price is not None and asking_price <= 0:
        errors["asking_price"] = [
            _("Enter a price above zero, or leave it empty for “negotiable”.")
        ]
    today = timezone.localdate()
    if valid_until is None:
        errors["valid_until"] = [valid_until_missing_message()]
    elif valid_until <= today:
        errors["valid_until"] = [
            _(
                "The listing must stay valid until a future date: choose a day after "
                "today (%(today)s)."
            )
            % {"today": today.isoformat()}
        ]
    if not assets:
        errors["assets"] = [_("Choose at least one IP asset.")]
    elif len(assets) > MAX_ASSETS_PER_LISTING:
        errors["assets"] = [
            _("A package holds at most %(max)d assets.") % {"max": MAX_ASSETS_PER_LISTING}
        ]
    elif any(asset.holder_id != holder.pk for asset in assets):
        errors["assets"] = [_("Every asset of a listing must be held by its holder.")]
    elif intent == ListingIntent.PLEDGE:
        pledged = pledges.active_pledges(assets=assets)
        if pledged:
            errors["assets"] = [
                _already_pledged(asset, pledged[asset.pk])
                for asset in assets
                if asset.pk in pledged
            ]
    return errors


def _already_pledged(asset: IPAsset, pledge: pledges.AssetPledge) -> str:
    return _(
        "%(asset)s is already pledged to %(bank)s; it cannot be listed for pledge financing "
        "again until that pledge is released."
    ) % {"asset": asset, "bank": pledge.pledgee}


def _consent_missing(asset: IPAsset, pledge: pledges.AssetPledge) -> str:
    return _(
        "%(asset)s is pledged to %(bank)s: a listing for transfer or licence is published "
        "only with the consent of %(bank)s (Civil Code art. 444), which the bank records on "
        "its page of the pledge."
    ) % {"asset": asset, "bank": pledge.pledgee}


def _readiness_errors(
    *,
    listing: Listing,
    assets: Sequence[IPAsset],
    pledged: dict[int, pledges.AssetPledge],
    publishing: bool,
) -> list[str]:
    """What must hold when the listing goes to review and again when it is published:
    a verified holder, a future validity date, usable assets of the holder in no other
    open listing; no asset already pledged in a pledge listing; and, to be published, the
    consent of the pledgee to a transfer or licence listing of a pledged asset."""
    errors: list[str] = []
    if listing.holder.verification_state != VerificationState.VERIFIED:
        errors.append(_("The holder must be verified by platform staff before listing."))
    if listing.valid_until <= timezone.localdate():
        errors.append(_("The validity date has passed; set a future date first."))
    usable = (
        {AssetStatus.VALID}
        if listing.intent == ListingIntent.PLEDGE
        else {AssetStatus.VALID, AssetStatus.PENDING}
    )
    for asset in assets:
        if asset.holder_id != listing.holder_id:
            errors.append(_("%(asset)s is no longer held by this organisation.") % {"asset": asset})
        elif asset.status not in usable:
            errors.append(
                _("%(asset)s is “%(status)s” and cannot be listed for %(intent)s.")
                % {
                    "asset": asset,
                    "status": asset.get_status_display(),
                    "intent": listing.get_intent_display(),
                }
            )
    clashes = (
        Listing.objects.filter(assets__in=[a.pk for a in assets], state__in=OPEN_LISTING_STATES)
        .exclude(pk=listing.pk)
        .distinct()
    )
    for other in clashes:
        errors.append(
            _("An asset of this listing is already in “%(title)s”, which is %(state)s.")
            % {"title": other.title, "state": other.get_state_display()}
        )
    for asset in assets:
        pledge = pledged.get(asset.pk)
        if pledge is None:
            continue
        if listing.intent == ListingIntent.PLEDGE:
            errors.append(_already_pledged(asset, pledge))
        elif publishing and pledge.consent is None:
            errors.append(_consent_missing(asset, pledge))
    if not assets:
        errors.append(_("Choose at least one IP asset."))
    return errors


def _label_words(listing: Listing, assets: Sequence[IPAsset]) -> list[str]:
    """The names of the listing's kinds, intent, licence type, industry and district in
    every language of the site: a visitor who types 商标, 发明专利, 许可, 新能源汽车 or
    "trademark" finds what the listing is, whatever its title says."""
    labels: list[str] = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            labels.extend(str(asset.get_kind_display()) for asset in assets)
            labels.append(str(listing.get_intent_display()))
            if listing.licence_type:
                labels.append(str(listing.get_licence_type_display()))
            labels.append(str(listing.get_industry_display()))
            if listing.district:
                labels.append(str(listing.get_district_display()))
    return labels


def listing_derive_fields(listing: Listing, assets: Sequence[IPAsset]) -> None:
    """Copy the facets from the assets and build the segmented search text (no write).
    The services call it on every write; bulk loaders (seed_demo --scale) call it too."""
    first = assets[0]
    listing.kind = first.kind
    listing.industry = first.industry
    listing.district = first.district or listing.holder.district
    listing.in_l_belt = in_l_belt(listing.district)
    codes: list[str] = []
    for asset in assets:
        codes.extend(asset.ipc_codes or [])
        codes.extend(f"第{n}类" for n in asset.nice_classes or [])
    listing.search_text = segment_for_index(
        [
            listing.title,
            listing.title_en,
            html_to_text(listing.description),
            listing.holder.name,
            listing.holder.name_en,
            *(asset.title for asset in assets),
            *(asset.number for asset in assets),
            *codes,
            *_label_words(listing, assets),
        ]
    )


def listings_rebuild_search_text(*, batch_size: int = 500) -> int:
    """Derive every listing's search text again and refresh the search index, in batches;
    returns how many listings were rebuilt. For when the indexing rules change (new domain
    words, labels): the services keep the text current on every write, but rows written
    before a change keep the old text until they are rebuilt. Nothing else changes."""
    rebuilt = 0
    last_pk = 0
    while True:
        batch = list(
            Listing.objects.filter(pk__gt=last_pk)
            .select_related("holder")
            .prefetch_related(Prefetch("assets", queryset=IPAsset.objects.order_by("pk")))
            .order_by("pk")[:batch_size]
        )
        if not batch:
            return rebuilt
        for listing in batch:
            assets = list(listing.assets.all())
            if assets:
                derived = copy.copy(listing)  # the stored facets stay as they are
                listing_derive_fields(derived, assets)
                listing.search_text = derived.search_text
        with transaction.atomic():
            Listing.objects.bulk_update(batch, ["search_text"])
        for backend in get_search_backends(with_auto_update=True):
            backend.add_bulk(Listing, batch)
        rebuilt += len(batch)
        last_pk = batch[-1].pk


# --- writes ------------------------------------------------------------------------------


def listing_create(
    *,
    by: User,
    holder: Organization,
    assets: Sequence[IPAsset],
    title: str,
    intent: str,
    valid_until: datetime.date | None,
    licence_type: str = "",
    asking_price: Decimal | None = None,
    description: str = "",
    title_en: str = "",
) -> Listing:
    """A member of the holder drafts a listing of the holder's own assets. The English
    title is optional: English readers see it in place of the title when there is one."""
    _require_member(by=by, holder=holder)
    assets = list(assets)
    title_en = (title_en or "").strip()
    errors = _content_errors(
        holder=holder,
        assets=assets,
        title=title,
        title_en=title_en,
        intent=intent,
        licence_type=licence_type,
        asking_price=asking_price,
        valid_until=valid_until,
    )
    if errors:
        raise ValidationError(errors)
    listing = Listing(
        holder=holder,
        title=title.strip(),
        title_en=title_en,
        intent=intent,
        licence_type=licence_type,
        asking_price=asking_price,
        description=sanitize_html(description),
        valid_until=valid_until,
        created_by=by,
    )
    listing_derive_fields(listing, assets)
    with transaction.atomic():
        listing.save()
        listing.assets.set(assets)
    return listing


def listing_update(*, listing: Listing, by: User, **fields: Any) -> Listing:
    """Edit a draft or rejected listing; published listings are withdrawn, not edited."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("These fields cannot be edited: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    _require_member(by=by, holder=listing.holder)
    with transaction.atomic():
        locked = Listing.objects.select_for_update().select_related("holder").get(pk=listing.pk)
        if locked.state not in EDITABLE_LISTING_STATES:
            raise ValidationError(
                _("A listing that is “%(state)s” cannot be edited.")
                % {"state": locked.get_state_display()},
                code="not_editable",
            )
        assets = list(fields.pop("assets", None) or locked.assets.all())
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.description = sanitize_html(locked.description)
        locked.title = locked.title.strip()
        locked.title_en = (locked.title_en or "").strip()
        errors = _content_errors(
            holder=locked.holder,
            assets=assets,
            title=locked.title,
            title_en=locked.title_en,
            intent=locked.intent,
            licence_type=locked.licence_type,
            asking_price=locked.asking_price,
            valid_until=locked.valid_until,
        )
        if errors:
            raise ValidationError(errors)
        listing_derive_fields(locked, assets)
        locked.save()
        locked.assets.set(assets)
    return locked


def _transition(
    *, listing: Listing, by: User | None, name: str, note: str = "", ready: bool = False
) -> Listing:
    """Lock, check the move, run it, save. `ready`: the readiness rules are checked first
    (on locked assets); a listing sent for review with pledged assets tells each pledgee
    that it waits for its consent."""
    with transaction.atomic():
        locked = Listing.objects.select_for_update().select_related("holder").get(pk=listing.pk)
        method = getattr(locked, name)
        pledged: dict[int, pledges.AssetPledge] = {}
        if not can_proceed(method):
            raise ValidationError(
                _("This listing is “%(state)s”, so that step is not possible now.")
                % {"state": locked.get_state_display()},
                code="invalid_transition",
            )
        if ready:
            # Lock the assets too: two listings of one asset cannot both go live.
            assets = list(
                IPAsset.objects.select_for_update().filter(listings=locked).order_by("pk")
            )
            pledged = pledges.active_pledges(assets=assets, listing=locked)
            problems = _readiness_errors(
                listing=locked, assets=assets, pledged=pledged, publishing=name == "publish"
            )
            if problems:
                raise ValidationError([ValidationError(p, code="not_ready") for p in problems])
        method(by=by, description=note)
        locked.save()
        if ready and name != "publish":
            waiting = pledges.awaiting_consent(pledged.values())
            pledges.consent_requested(listing=locked, pledges=waiting, by=by)
    return locked


def listing_submit(*, listing: Listing, by: User) -> Listing:
    """The holder sends a draft for review: verified holder, usable assets, none listed
    elsewhere, a future validity date, none already pledged in a pledge listing. A
    transfer or licence of a pledged asset may go to review without the pledgee's consent
    (the pledgee is told); it is published only with it."""
    _require_member(by=by, holder=listing.holder)
    return _transition(listing=listing, by=by, name="submit", ready=True)


def listing_resubmit(*, listing: Listing, by: User) -> Listing:
    """The holder sends a rejected listing, corrected, back for review."""
    _require_member(by=by, holder=listing.holder)
    return _transition(listing=listing, by=by, name="resubmit", ready=True)


def listing_publish(*, listing: Listing, by: User, note: str = "") -> Listing:
    """Staff approve the listing; the same readiness rules are checked again, and a
    transfer or licence of a pledged asset needs the pledgee's recorded consent to this
    listing (Civil Code art. 444)."""
    _require_staff(by)
    return _transition(listing=listing, by=by, name="publish", note=note.strip(), ready=True)


def listing_reject(*, listing: Listing, by: User, reason: str) -> Listing:
    """Staff send the listing back with a reason the holder can act on."""
    _require_staff(by)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the rejection.")})
    return _transition(listing=listing, by=by, name="reject", note=reason.strip())


def listing_withdraw(*, listing: Listing, by: User, note: str = "") -> Listing:
    """The holder takes a published listing down."""
    _require_member(by=by, holder=listing.holder)
    return _transition(listing=listing, by=by, name="withdraw", note=note.strip())


def listing_close(*, listing: Listing, by: User | None = None, note: str = "") -> Listing:
    """A completed deal closes the listing (called by the deals services)."""
    return _transition(listing=listing, by=by, name="close", note=note)


def listing_expire(*, listing: Listing) -> Listing:
    """The validity date passed (the daily job)."""
    return _transition(listing=listing, by=None, name="expire")


def listings_due_for_expiry(*, today: datetime.date | None = None) -> QuerySet[Listing]:
    today = today or timezone.localdate()
    return Listing.objects.filter(state=ListingState.PUBLISHED, valid_until__lt=today)


def listings_expire_due(*, today: datetime.date | None = None) -> int:
    """Expire every published listing whose validity date has passed; safe to run twice."""
    expired = 0
    for pk in listings_due_for_expiry(today=today).values_list("pk", flat=True):
        try:
            listing_expire(listing=Listing(pk=pk))
        except ValidationError:
            continue  # changed state meanwhile (withdrawn, closed): nothing to do
        expired += 1
    return expired
