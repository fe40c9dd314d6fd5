"""Money moving for a deal, through the platform's escrow account.

Into escrow: the buyer's deposit (once the seller accepts) and the balance, the price less
the deposit (once both have signed). Out of escrow: the payout of what was paid in to the
seller when the deal completes — the seller is paid only then — or, if the deal falls
through, a refund to the buyer of each payment received (one refund per payment, as a
card provider refunds a charge).

The provider is chosen by settings: without STRIPE_SECRET_KEY the *offline* provider is
used — the buyer transfers the money to the platform's escrow account quoting the
payment's reference, and platform staff confirm receipt (and later the payout or a refund)
by hand. The Stripe provider (PaymentIntents + webhooks) plugs into the same rows.
"""

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}


class PaymentPurpose(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit")  # the buyer pays it once the seller accepts
    BALANCE = "balance", _("Balance")  # the buyer pays the rest once both have signed
    PAYOUT = "payout", _("Payout to the seller")  # out of escrow when the deal completes
    REFUND = "refund", _("Refund")  # a received payment back to the buyer on cancellation


# Money the buyer pays into escrow, and money the platform pays out of it.
INCOMING_PURPOSES = (PaymentPurpose.DEPOSIT, PaymentPurpose.BALANCE)
OUTGOING_PURPOSES = (PaymentPurpose.PAYOUT, PaymentPurpose.REFUND)


class PaymentProvider(models.TextChoices):
    OFFLINE = "offline", _("Offline bank transfer (confirmed by platform staff)")
    STRIPE = "stripe", _("Stripe")


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")  # requested, no money seen yet
    SUCCEEDED = "succeeded", _("Received")  # the money arrived (or, for a refund, went out)
    CANCELLED = "cancelled", pgettext_lazy("payment state", "Cancelled")  # no longer needed


def new_reference() -> str:
    """What the payer quotes on an offline transfer: short, unambiguous, unguessable."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "ZZIPX-" + "".join(secrets.choice(alphabet) for _ in range(10))


class Payment(models.Model):
    deal = models.ForeignKey(
        "deals.Deal", on_delete=models.PROTECT, related_name="payments", verbose_name=_("deal")
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=PaymentPurpose.choices)
    provider = models.CharField(_("provider"), max_length=10, choices=PaymentProvider.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    state = models.CharField(
        _("state"), max_length=10, choices=PaymentState.choices, default=PaymentState.PENDING
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True, default=new_reference)
    # A refund names the payment it gives back (deposit or balance); nothing else does.
    refund_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refund",
        verbose_name=_("refund of"),
    )
    # The provider's id (a Stripe PaymentIntent or Refund id); empty for offline payments.
    external_id = models.CharField(_("provider reference"), max_length=100, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            # One live deposit, balance and payout per deal at most ...
            models.UniqueConstraint(
                fields=["deal", "purpose"],
                condition=~Q(state="cancelled") & ~Q(purpose="refund"),
                name="one_live_payment_per_purpose",
            ),
            # ... and a refund gives back one received payment (refund_of is one-to-one).
            models.CheckConstraint(
                condition=(Q(purpose="refund") & Q(refund_of__isnull=False))
                | (~Q(purpose="refund") & Q(refund_of__isnull=True)),
                name="payment_refund_names_its_payment",
            ),
        ]
        indexes = [models.Index(fields=["state", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.reference}"

    @property
    def is_incoming(self) -> bool:
        """Paid by the buyer into escrow (deposit, balance), not out of it."""
        return self.purpose in INCOMING_PURPOSES
