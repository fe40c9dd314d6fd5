"""Transfer and licence deals on published listings, and the licences they create.

A buyer organisation offers on a listing; the seller accepts or declines; the deposit is
paid (Stripe webhook, or platform staff confirming an offline transfer); both parties sign;
the recordal with the authority is filed; the deal completes: a transfer moves the assets
to the buyer, a licence creates `Licence` rows, and the listing closes.
"""

import datetime
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
    CONTRACT_SIGNED = "contract_signed", _("Contract signed")  # waiting for the recordal
    RECORDAL_FILED = "recordal_filed", _("Recordal filed")  # filed with CNIPA / the authority
    COMPLETED = "completed", _("Completed")  # the right moved or the licence took effect
    CANCELLED = (
        "cancelled",
        pgettext_lazy("deal state", "Cancelled"),
    )  # fell through; deposit refunded


# Offers still in play: a buyer has at most one of these per listing.
OPEN_DEAL_STATES = (
    DealState.PROPOSED,
    DealState.ACCEPTED,
    DealState.DEPOSIT_PAID,
    DealState.CONTRACT_SIGNED,
    DealState.RECORDAL_FILED,
)
# The seller is committed: a transfer listing has at most one deal in these.
COMMITTED_DEAL_STATES = (
    DealState.ACCEPTED,
    DealState.DEPOSIT_PAID,
    DealState.CONTRACT_SIGNED,
    DealState.RECORDAL_FILED,
)
CANCELLABLE_DEAL_STATES = (DealState.ACCEPTED, DealState.DEPOSIT_PAID, DealState.CONTRACT_SIGNED)


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
    @transition(field=state, source=DealState.CONTRACT_SIGNED, target=DealState.RECORDAL_FILED)
    def file_recordal(self, *, by: Any = None, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=DealState.RECORDAL_FILED, target=DealState.COMPLETED)
    def complete(self, *, by: Any = None, description: str = "") -> None:
        self.completed_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=list(CANCELLABLE_DEAL_STATES), target=DealState.CANCELLED)
    def cancel(self, *, by: Any = None, description: str = "") -> None:
        self.last_note = description


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
