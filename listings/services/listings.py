"""Listings: a holder offers one or more of its assets for transfer, licence or pledge.

Every transition locks the listing, checks the move is allowed now, runs it and saves;
django-fsm-log writes the audit row in the same transaction.
"""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from marketplace.parties.districts import in_l_belt
from marketplace.parties.models import Membership, Organization, User, VerificationState

from ..models import (
    EDITABLE_LISTING_STATES,
    OPEN_LISTING_STATES,
    AssetStatus,
    IPAsset,
    Listing,
    ListingIntent,
    ListingState,
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
    if valid_until is None or valid_until <= timezone.localdate():
        errors["valid_until"] = [_("The listing must stay valid until a future date.")]
    if not assets:
        errors["assets"] = [_("Choose at least one IP asset.")]
    elif len(assets) > MAX_ASSETS_PER_LISTING:
        errors["assets"] = [
            _("A package holds at most %(max)d assets.") % {"max": MAX_ASSETS_PER_LISTING}
        ]
    elif any(asset.holder_id != holder.pk for asset in assets):
        errors["assets"] = [_("Every asset of a listing must be held by its holder.")]
    return errors


def _readiness_errors(*, listing: Listing, assets: Sequence[IPAsset]) -> list[str]:
    """What must hold when the listing goes to review and again when it is published."""
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
    if not assets:
        errors.append(_("Choose at least one IP asset."))
    return errors


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
        ]
    )


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
    with transaction.atomic():
        locked = Listing.objects.select_for_update().select_related("holder").get(pk=listing.pk)
        method = getattr(locked, name)
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
            problems = _readiness_errors(listing=locked, assets=assets)
            if problems:
                raise ValidationError([ValidationError(p, code="not_ready") for p in problems])
        method(by=by, description=note)
        locked.save()
    return locked


def listing_submit(*, listing: Listing, by: User) -> Listing:
    """The holder sends a draft for review: verified holder, usable assets, none listed
    elsewhere, a future validity date."""
    _require_member(by=by, holder=listing.holder)
    return _transition(listing=listing, by=by, name="submit", ready=True)


def listing_resubmit(*, listing: Listing, by: User) -> Listing:
    """The holder sends a rejected listing, corrected, back for review."""
    _require_member(by=by, holder=listing.holder)
    return _transition(listing=listing, by=by, name="resubmit", ready=True)


def listing_publish(*, listing: Listing, by: User, note: str = "") -> Listing:
    """Staff approve the listing; the same readiness rules are checked again."""
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
