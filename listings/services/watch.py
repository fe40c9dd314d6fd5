"""The daily asset expiry watch: remind holders before a right ends, expire it when it has.

- Reminders: when a valid asset's last day of protection (`expiry_date`) is 90 days away,
  and again at 30 days, its holder is notified once for each. A missed day is caught up
  the next day: an asset is due a reminder whenever it is within the threshold and not
  yet expired and has not had that reminder — or a nearer one — for its current term. So
  an asset first seen 20 days before its end gets only the 30-day reminder, and a renewed
  trademark (a new expiry date) gets its reminders again at the end of the new term.
- Expiry: the day after `expiry_date` a valid asset becomes expired, its published
  listings are withdrawn by the platform (the audit row has no user) and its holder is
  notified. Listings of it still pending review are left alone: publishing re-checks that
  every asset is usable and refuses an expired one.

Each asset is handled in its own transaction with its row locked, so two runs at once,
or a second run the same day, do nothing twice.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.notifications.models import AssetExpiryNotice
from marketplace.notifications.services import notify_organizations

from ..models import AssetStatus, IPAsset, Listing, ListingState
from .listings import _transition

logger = logging.getLogger(__name__)

# Days before the last day of protection on which the holder is reminded, nearest last.
REMINDER_DAYS = (90, 30)

EXPIRING_MESSAGE = _(
    "%(asset)s reaches the end of its protection on %(date)s (days left: %(days)s). "
    "Check whether it can be renewed, and plan any transfer, licence or pledge before then."
)
EXPIRED_MESSAGE = _(
    "%(asset)s reached the end of its protection on %(date)s; its status is now “%(status)s”."
)
EXPIRED_WITHDRAWN_MESSAGE = _(
    "%(asset)s reached the end of its protection on %(date)s; its status is now "
    "“%(status)s”. Its published listings were withdrawn: %(count)s."
)


def _asset_url(asset: IPAsset) -> str:
    return reverse("listings:asset_detail", args=[asset.pk])


def _reminded(*, days_before: int) -> Exists:
    """The asset had this reminder, or a nearer one, for its current expiry date."""
    return Exists(
        AssetExpiryNotice.objects.filter(
            asset=OuterRef("pk"),
            expiry_date=OuterRef("expiry_date"),
            days_before__lte=days_before,
        )
    )


def assets_due_reminder(*, days_before: int, today: datetime.date) -> QuerySet[IPAsset]:
    """Valid assets whose last day is within `days_before` days, not past, and which
    have had neither this reminder nor a nearer one for their current term."""
    return IPAsset.objects.filter(
        status=AssetStatus.VALID,
        expiry_date__gte=today,
        expiry_date__lte=today + datetime.timedelta(days=days_before),
    ).exclude(_reminded(days_before=days_before))


def assets_due_expiry(*, today: datetime.date) -> QuerySet[IPAsset]:
    """Valid assets whose last day of protection has passed."""
    return IPAsset.objects.filter(status=AssetStatus.VALID, expiry_date__lt=today)


def asset_remind_expiry(*, asset: IPAsset, days_before: int, today: datetime.date) -> bool:
    """Send the holder the `days_before` reminder for the asset's current term, unless
    the asset is no longer due it (checked again once its row is locked, so two runs at
    once send it once). True if it was sent."""
    with transaction.atomic():
        locked = (
            IPAsset.objects.select_for_update(of=("self",))
            .select_related("holder")
            .get(pk=asset.pk)
        )
        due = assets_due_reminder(days_before=days_before, today=today)
        if not due.filter(pk=locked.pk).exists():
            return False
        expiry_date = locked.expiry_date
        assert expiry_date is not None  # a due asset has one
        notice = notify_organizations(
            organizations=[locked.holder_id],
            event="listings.asset_expiring",
            message=EXPIRING_MESSAGE,
            params={
                "asset": locked,
                "date": expiry_date.isoformat(),
                "days": (expiry_date - today).days,
            },
            url=_asset_url(locked),
            target=locked,
        )
        AssetExpiryNotice.objects.create(
            asset=locked, expiry_date=expiry_date, days_before=days_before, notice=notice
        )
    return True


def asset_expire(*, asset: IPAsset, today: datetime.date | None = None) -> list[Listing]:
    """A valid asset whose last day of protection has passed becomes expired; its
    published listings are withdrawn by the platform and its holder is notified, all in
    one transaction. Listings pending review stay: publishing refuses an expired asset.
    Raises ValidationError if the asset is not (any more) a valid asset past its end.
    Returns the listings withdrawn."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # The listings first, then the asset: the order the listing services lock them in
        # (publishing locks the listing, then its assets), so the two cannot deadlock.
        published = list(
            Listing.objects.select_for_update(of=("self",))
            .filter(assets=asset.pk, state=ListingState.PUBLISHED)
            .order_by("pk")
        )
        locked = IPAsset.objects.select_for_update(of=("self",)).get(pk=asset.pk)
        if locked.status != AssetStatus.VALID or not locked.expires_before(today):
            raise ValidationError(
                gettext("Only a valid asset whose term has ended can be marked expired."),
                code="not_expired",
            )
        assert locked.expiry_date is not None  # expires_before() requires one
        locked.status = AssetStatus.EXPIRED
        locked.save(update_fields=["status", "updated_at"])

        # The audit note is the platform's, written in the site's default language.
        with translation.override(settings.LANGUAGE_CODE):
            note = gettext(
                "Withdrawn automatically: the IP asset %(asset)s reached the end of its "
                "protection on %(date)s."
            ) % {"asset": locked, "date": locked.expiry_date.isoformat()}
        withdrawn: list[Listing] = []
        for listing in published:
            try:
                withdrawn.append(_transition(listing=listing, by=None, name="withdraw", note=note))
            except ValidationError:
                continue  # closed or withdrawn meanwhile: nothing to take down

        notify_organizations(
            organizations=[locked.holder_id],
            event="listings.asset_expired",
            message=EXPIRED_WITHDRAWN_MESSAGE if withdrawn else EXPIRED_MESSAGE,
            params={
                "asset": locked,
                "date": locked.expiry_date.isoformat(),
                "status": AssetStatus.EXPIRED.label,
                "count": len(withdrawn),
            },
            url=_asset_url(locked),
            target=locked,
        )
    return withdrawn


def assets_expiry_watch(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily job: expire the assets whose term ended (withdrawing their published
    listings), then send the due 30- and 90-day reminders. Safe to run twice a day or
    after missed days. Returns what it did, for the log."""
    today = today or timezone.localdate()
    counts = {"expired": 0, "listings_withdrawn": 0}
    for pk in assets_due_expiry(today=today).order_by("pk").values_list("pk", flat=True):
        try:
            withdrawn = asset_expire(asset=IPAsset(pk=pk), today=today)
        except ValidationError:
            continue  # changed meanwhile (renewed, invalidated): nothing to do
        counts["expired"] += 1
        counts["listings_withdrawn"] += len(withdrawn)
    # Nearest first: an asset within both thresholds gets the nearer reminder only, and
    # that reminder then covers the farther one.
    for days_before in sorted(REMINDER_DAYS):
        key = f"reminded_{days_before}_days"
        counts[key] = 0
        due = assets_due_reminder(days_before=days_before, today=today)
        for pk in due.order_by("pk").values_list("pk", flat=True):
            if asset_remind_expiry(asset=IPAsset(pk=pk), days_before=days_before, today=today):
                counts[key] += 1
    logger.info("Asset expiry watch for %s: %s", today, counts)
    return counts
