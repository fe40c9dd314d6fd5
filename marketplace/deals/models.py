"""Transfer and licence deals on published listings, and the licences they create.

A buyer organisation offers on a listing; the seller accepts or declines; the deposit is
paid (Stripe webhook, or platform staff confirming an offline transfer); both parties sign;
the buyer pays the balance (price − deposit) into the platform's escrow; the recordal with
the authority is filed; a party uploads the authority's evidence of it and platform staff
check it; accepting the evidence completes the deal: a transfer moves the assets to the
buyer, a licence creates `Licence` rows, the listing closes and the price is paid out to
the seller (escrow: the seller is paid only on completion).

Who completes: platform staff, by accepting the recordal evidence — never a party on its
own word. The balance is in escrow before the recordal can be filed (the seller does not
let the right go before the money is secured), so the evidence is the last thing missing.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from listings.models import IPAsset, LicenceType, Listing, ListingIntent
from marketplace.parties.models import Organization

MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}


class DealKind(models.TextChoices):
    TRANSFER = ListingIntent.TRANSFER.value, _("Transfer")
    LICENCE = ListingIntent.LICENCE.value, _("Licence")


class DealState(models.TextChoices):
    NEW = "new", _("New")  # only inside deal_propose, before the offer is logged
    PROPOSED = "proposed", _("Offer made")  # waiting for the seller
    ACCEPTED = "accepted", _("Accepted")  # waiting for the buyer's deposit
    DECLINED = "declined", _("Declined")  # the seller said no
    WITHDRAWN = (
        "withdrawn",
        pgettext_lazy("deal state", "Withdrawn"),
    )  # the buyer took the offer back
    DEPOSIT_PAID = "deposit_paid", _("Deposit paid")  # waiting for both signatures
    CONTRACT_SIGNED = "contract_signed", _("Contract signed")  # waiting for the balance
    BALANCE_PAID = "balance_paid", _("Balance paid")  # price in escrow; waiting for the recordal
    # filed with CNIPA / the authority; waiting for its evidence and the staff's check
    RECORDAL_FILED = "recordal_filed", _("Recordal filed")
    COMPLETED = "completed", _("Completed")  # the right moved or the licence took effect
    CANCELLED = (
        "cancelled",
        pgettext_lazy("deal state", "Cancelled"),
    )  # fell through; what the buyer paid is refunded


# Offers still in play: a buyer has at most one of these per listing.
OPEN_DEAL_STATES = (
    DealState.PROPOSED,
    DealState.ACCEPTED,
    DealState.DEPOSIT_PAID,
    DealState.CONTRACT_SIGNED,
    DealState.BALANCE_PAID,
    DealState.RECORDAL_FILED,
)
# The seller is committed: a transfer listing has at most one deal in these.
COMMITTED_DEAL_STATES = (
    DealState.ACCEPTED,
    DealState.DEPOSIT_PAID,
    DealState.CONTRACT_SIGNED,
    DealState.BALANCE_PAID,
    DealState.RECORDAL_FILED,
)
# Either party (or staff) may call the deal off in these ...
CANCELLABLE_DEAL_STATES = (
    DealState.ACCEPTED,
    DealState.DEPOSIT_PAID,
    DealState.CONTRACT_SIGNED,
    DealState.BALANCE_PAID,
)
# ... and platform staff alone once the recordal is filed (the authority refused it, say):
# the money in escrow must not stay there for ever.
STAFF_CANCELLABLE_DEAL_STATES = (*CANCELLABLE_DEAL_STATES, DealState.RECORDAL_FILED)


class Deal(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    listing = models.ForeignKey(
        Listing, on_delete=models.PROTECT, related_name="deals", verbose_name=_("listing")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DealKind.choices)
    seller = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="deals_as_seller",
        verbose_name=_("seller"),
    )
    buyer = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="deals_as_buyer",
        verbose_name=_("buyer"),
    )
    price = models.DecimalField(_("offered price (yuan)"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    message = models.TextField(_("message to the seller"), blank=True)
    # Licence terms (licence deals only): the type comes from the listing.
    licence_type = models.CharField(
        _("licence type"), max_length=15, choices=LicenceType.choices, blank=True
    )
    territory = models.CharField(_("territory"), max_length=200, blank=True)
    licence_start = models.DateField(_("licence starts"), null=True, blank=True)
    licence_end = models.DateField(_("licence ends"), null=True, blank=True)
    royalty = models.CharField(_("royalty"), max_length=200, blank=True)
    state = FSMField(_("state"), default=DealState.NEW, choices=DealState.choices, protected=True)
    deposit_amount = models.DecimalField(_("deposit (yuan)"), null=True, blank=True, **MONEY)
    seller_signed_at = models.DateTimeField(_("signed by the seller"), null=True, blank=True)
    buyer_signed_at = models.DateTimeField(_("signed by the buyer"), null=True, blank=True)
    recordal_number = models.CharField(_("recordal number"), max_length=60, blank=True)
    recordal_date = models.DateField(_("recordal filed on"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    last_note = models.CharField(_("note"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    state_changed_at = models.DateTimeField(_("in this state since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["listing", "state"]),
            models.Index(fields=["buyer", "-created_at"]),
            models.Index(fields=["seller", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="deal_price_positive"),
            models.CheckConstraint(
                condition=~Q(buyer=models.F("seller")), name="deal_buyer_is_not_seller"
            ),
            models.CheckConstraint(
                condition=Q(deposit_amount__isnull=True)
                | (Q(deposit_amount__gt=0) & Q(deposit_amount__lte=models.F("price"))),
                name="deal_deposit_within_price",
            ),
        ]

    def __str__(self) -> str:
        return _("Deal #%(pk)s") % {"pk": self.pk}

    @property
    def is_licence(self) -> bool:
        return self.kind == DealKind.LICENCE

    @property
    def balance_amount(self) -> Decimal | None:
        """What the buyer pays after signing: the price less the deposit (None before the
        deposit is set; zero when the deposit was the whole price)."""
        if self.deposit_amount is None:
            return None
        return self.price - self.deposit_amount

    def signed_by_both(self) -> bool:
        return self.seller_signed_at is not None and self.buyer_signed_at is not None

    def _both_signed(instance: models.Model) -> bool:
        """The transition condition (django-fsm calls it with the instance)."""
        return isinstance(instance, Deal) and instance.signed_by_both()

    # --- transitions: fields only; the services lock, guard, save and audit ------------
    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=DealState.NEW, target=DealState.PROPOSED)
    def propose(self, *, by: Any = None, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=DealState.PROPOSED, target=DealState.ACCEPTED)
    def accept(self, *, by: Any = None, description: str = "") -> None:
        self.last_note = description

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=DealState.PROPOSED, target=DealState.DECLINED)
    def decline(self, *, by: Any = None, description: str = "") -> None:
        self.last_note = description

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=DealState.PROPOSED, target=DealState.WITHDRAWN)
    def withdraw(self, *, by: Any = None, description: str = "") -> None:
        self.last_note = description

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=DealState.ACCEPTED, target=DealState.DEPOSIT_PAID)
    def pay_deposit(self, *, by: Any = None, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=DealState.DEPOSIT_PAID,
        target=DealState.CONTRACT_SIGNED,
        conditions=[_both_signed],
    )
    def sign_contract(self, *, by: Any = None, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=DealState.CONTRACT_SIGNED, target=DealState.BALANCE_PAID)
    def pay_balance(self, *, by: Any = None, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=DealState.BALANCE_PAID, target=DealState.RECORDAL_FILED)
    def file_recordal(self, *, by: Any = None, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=DealState.RECORDAL_FILED, target=DealState.COMPLETED)
    def complete(self, *, by: Any = None, description: str = "") -> None:
        self.completed_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=list(STAFF_CANCELLABLE_DEAL_STATES), target=DealState.CANCELLED)
    def cancel(self, *, by: Any = None, description: str = "") -> None:
        self.last_note = description


class EvidenceState(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting the staff's check")  # uploaded by a party
    ACCEPTED = "accepted", _("Accepted")  # checked by staff: the deal completed with it
    REJECTED = "rejected", pgettext_lazy("recordal evidence", "Rejected")  # reason given


class RecordalEvidence(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """The authority's document showing that the transfer or licence of a deal was recorded
    (CNIPA's notification for a patent's change in bibliographic data, the Trademark
    Office's certificate of approved assignment, a licence's recordal certificate …; see
    `deals.recordal`), uploaded by a party and checked by platform staff.

    One submission waits for the check at a time; a rejected one stays, with the reason the
    parties read, and the parties upload another. Accepting one completes the deal (in the
    same transaction, `services.recordal_evidence_accept`)."""

    deal = models.ForeignKey(
        Deal, on_delete=models.PROTECT, related_name="recordal_evidence", verbose_name=_("deal")
    )
    # The file is kept as the record of the check: documents.services refuses to delete it.
    document = models.OneToOneField(
        "documents.Document",
        on_delete=models.PROTECT,
        related_name="recordal_evidence",
        verbose_name=_("document"),
    )
    state = FSMField(
        _("state"), default=EvidenceState.SUBMITTED, choices=EvidenceState.choices, protected=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    submitted_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    reviewed_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    # The reason for a rejection (both parties read it), or the staff's note on acceptance.
    review_note = models.CharField(_("note of the check"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("recordal evidence")
        verbose_name_plural = _("recordal evidence")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deal"],
                condition=Q(state="submitted"),
                name="one_recordal_evidence_awaiting_check",
            ),
            models.UniqueConstraint(
                fields=["deal"],
                condition=Q(state="accepted"),
                name="one_recordal_evidence_accepted",
            ),
        ]
        indexes = [models.Index(fields=["state", "submitted_at"])]

    def __str__(self) -> str:
        return _("Recordal evidence of deal #%(pk)s") % {"pk": self.deal_id}

    # --- transitions: fields only; the services lock, guard, save and audit ------------
    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=EvidenceState.SUBMITTED, target=EvidenceState.ACCEPTED)
    def accept(self, *, by: Any = None, description: str = "") -> None:
        self.reviewed_by = by
        self.reviewed_at = timezone.now()
        self.review_note = description

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=EvidenceState.SUBMITTED, target=EvidenceState.REJECTED)
    def reject(self, *, by: Any = None, description: str = "") -> None:
        self.reviewed_by = by
        self.reviewed_at = timezone.now()
        self.review_note = description


class LicenceQuerySet(models.QuerySet["Licence"]):
    def in_force(self, *, on: datetime.date | None = None) -> "LicenceQuerySet":
        on = on or timezone.localdate()
        return self.filter(Q(end__isnull=True) | Q(end__gte=on))


class Licence(models.Model):
    """A licence of one asset granted by a completed licence deal (one row per asset)."""

    asset = models.ForeignKey(IPAsset, on_delete=models.PROTECT, related_name="licences")
    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="licences")
    licensor = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="licences_granted"
    )
    licensee = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="licences_held"
    )
    licence_type = models.CharField(_("licence type"), max_length=15, choices=LicenceType.choices)
    territory = models.CharField(_("territory"), max_length=200)
    start = models.DateField(_("starts"))
    end = models.DateField(_("ends"), null=True, blank=True)
    royalty = models.CharField(_("royalty"), max_length=200, blank=True)
    recordal_number = models.CharField(_("recordal number"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = LicenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["-start", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "asset"], name="one_licence_per_deal_asset"),
        ]
        indexes = [models.Index(fields=["asset", "end"])]

    def __str__(self) -> str:
        return f"{self.get_licence_type_display()} · {self.asset}"
