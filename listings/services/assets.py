"""IP assets: recording and correcting the facts of a right."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.parties.models import Membership, Organization, OrganizationKind, User

from ..expiry import derive_expiry
from ..models import PATENT_KINDS, AssetKind, AssetStatus, IPAsset
from ..validators import validate_ip_number, validate_ipc_codes, validate_nice_classes

NICE_KINDS = frozenset({AssetKind.TRADEMARK, AssetKind.GEOGRAPHICAL_INDICATION})


def _require_member(*, by: User, holder: Organization) -> None:
    if by.is_staff:
        return
    if not Membership.objects.filter(user=by, organization=holder).exists():
        raise PermissionDenied(_("You can only record assets of your own organisation."))


def asset_validate(*, asset: IPAsset) -> None:
    """The rules an asset must keep whatever the route that wrote it; normalises the number,
    codes and classes and derives the expiry on `asset` (no write). Forms that edit an asset
    call it to show errors by field; asset_create and asset_update call it before saving."""
    errors: dict[str, list[str]] = {}
    asset.title = (asset.title or "").strip()
    try:
        asset.number = validate_ip_number(asset.kind, asset.number)
    except ValidationError as error:
        errors["number"] = error.messages
    if asset.kind == AssetKind.GEOGRAPHICAL_INDICATION and (
        asset.holder.kind != OrganizationKind.ASSOCIATION
    ):
        errors["holder"] = [
            _("A geographical indication is held by the association that owns the mark.")
        ]
    if asset.kind in PATENT_KINDS:
        try:
            asset.ipc_codes = validate_ipc_codes(asset.ipc_codes or [])
        except ValidationError as error:
            errors["ipc_codes"] = error.messages
    elif asset.ipc_codes:
        errors["ipc_codes"] = [_("IPC codes apply to patents only.")]
    if asset.kind in NICE_KINDS:
        try:
            asset.nice_classes = validate_nice_classes(asset.nice_classes or [])
        except ValidationError as error:
            errors["nice_classes"] = error.messages
    elif asset.nice_classes:
        errors["nice_classes"] = [_("Nice classes apply to trademarks only.")]
    today = timezone.localdate()
    if asset.filing_date and asset.filing_date > today:
        errors["filing_date"] = [_("The filing date cannot be in the future.")]
    if asset.grant_date and asset.grant_date > today:
        errors["grant_date"] = [_("The grant or registration date cannot be in the future.")]
    if asset.filing_date and asset.grant_date and asset.grant_date < asset.filing_date:
        errors["grant_date"] = [
            _("The grant or registration date cannot be before the filing date.")
        ]
    if asset.kind in PATENT_KINDS and not asset.filing_date:
        errors["filing_date"] = [_("A patent's term counts from its filing date: enter it.")]
    granted_kinds = PATENT_KINDS | {AssetKind.TRADEMARK}
    if asset.status == AssetStatus.VALID and asset.kind in granted_kinds and not asset.grant_date:
        errors["grant_date"] = [_("A valid right needs its grant or registration date: enter it.")]
    duplicate = IPAsset.objects.filter(kind=asset.kind, number=asset.number)
    if asset.pk:
        duplicate = duplicate.exclude(pk=asset.pk)
    if "number" not in errors and duplicate.exists():
        errors["number"] = [_("This number is already recorded on the platform.")]
    if errors:
        raise ValidationError(errors)
    asset.expiry_date = derive_expiry(
        kind=asset.kind,
        filing_date=asset.filing_date,
        grant_date=asset.grant_date,
        renewals=asset.renewals,
    )
    if asset.expiry_date and asset.expiry_date < today and asset.status == AssetStatus.VALID:
        asset.status = AssetStatus.EXPIRED


def asset_create(
    *,
    by: User,
    holder: Organization,
    kind: str,
    number: str,
    title: str,
    filing_date: datetime.date | None = None,
    grant_date: datetime.date | None = None,
    status: str = AssetStatus.PENDING,
    ipc_codes: list[str] | str | None = None,
    nice_classes: list[int] | str | None = None,
    industry: str = "other",
    district: str | None = None,
    abstract: str = "",
    renewals: int = 0,
) -> IPAsset:
    """Record an IP right held by `holder`: the number must be valid for its kind and new
    to the platform, and its expiry is derived from the law, never typed in."""
    _require_member(by=by, holder=holder)
    asset = IPAsset(
        kind=kind,
        number=number,
        title=title.strip(),
        holder=holder,
        filing_date=filing_date,
        grant_date=grant_date,
        status=status,
        ipc_codes=ipc_codes or [],
        nice_classes=nice_classes or [],
        industry=industry,
        district=district or holder.district,
        abstract=abstract,
        renewals=renewals,
    )
    asset_validate(asset=asset)
    asset.full_clean()
    with transaction.atomic():
        asset.save()
    return asset


def asset_update(*, asset: IPAsset, by: User, **fields: Any) -> IPAsset:
    """Change an asset's recorded facts; the holder does not change here (transfers do)."""
    _require_member(by=by, holder=asset.holder)
    if "holder" in fields:
        raise ValidationError({"holder": _("The holder changes only through a transfer.")})
    with transaction.atomic():
        locked = IPAsset.objects.select_for_update().select_related("holder").get(pk=asset.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        asset_validate(asset=locked)
        locked.full_clean()
        locked.save()
    return locked


def assets_change_holder(*, assets: "list[IPAsset]", new_holder: Organization) -> int:
    """Record that the rights passed to `new_holder` (a completed transfer deal: the deal
    services check the parties, the recordal and the pledgee's consent). The assets keep
    their facts; the district becomes the new holder's. Returns how many changed."""
    return (
        IPAsset.objects.filter(pk__in=[asset.pk for asset in assets])
        .exclude(holder=new_holder)
        .update(holder=new_holder, district=new_holder.district, updated_at=timezone.now())
    )
