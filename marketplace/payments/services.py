"""Deposits and refunds of deals.

Until the Stripe provider lands (the payments issue), every payment is *offline*: the buyer
transfers the deposit to the platform's escrow account quoting the payment's reference, and
platform staff confirm receipt in the admin; a refund is sent back the same way and
confirmed by staff. `provider_for_new_payments` is where Stripe will plug in.
"""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.money import format_yuan_exact
from marketplace.notifications.services import notify_organizations
from marketplace.parties.models import User

from .models import Payment, PaymentProvider, PaymentPurpose, PaymentState

if TYPE_CHECKING:  # the deals app imports this module's services
    from marketplace.deals.models import Deal


def provider_for_new_payments() -> str:
    """The offline provider until Stripe is wired in (STRIPE_SECRET_KEY set)."""
    return PaymentProvider.OFFLINE


def payment_deposit_request(*, deal: "Deal") -> Payment:
    """Ask the buyer for the deal's deposit (called by deal_accept, in its transaction)."""
    if deal.deposit_amount is None:  # deal_accept sets it before asking
        raise ValueError("The deal has no deposit amount to request.")
    return Payment.objects.create(
        deal=deal,
        purpose=PaymentPurpose.DEPOSIT,
        provider=provider_for_new_payments(),
        amount=deal.deposit_amount,
    )


def payment_deposit_unwind(*, deal: "Deal") -> Payment | None:
    """The deal was cancelled: an unpaid deposit request is cancelled; a received deposit
    is owed back, as a pending refund staff send and confirm. Returns the refund, if any."""
    deposits = Payment.objects.select_for_update().filter(deal=deal, purpose=PaymentPurpose.DEPOSIT)
    refund = None
    for deposit in deposits:
        if deposit.state == PaymentState.PENDING:
            deposit.state = PaymentState.CANCELLED
            deposit.save(update_fields=["state", "updated_at"])
        elif deposit.state == PaymentState.SUCCEEDED:
            refund, _created = Payment.objects.get_or_create(
                deal=deal,
                purpose=PaymentPurpose.REFUND,
                state=PaymentState.PENDING,
                defaults={"provider": deposit.provider, "amount": deposit.amount},
            )
    return refund


def payment_confirm_offline(*, payment: Payment, by: User, note: str = "") -> Payment:
    """Platform staff confirm that an offline deposit arrived in the escrow account (the
    deal moves to deposit_paid) or that a refund was sent back to the buyer."""
    from marketplace.deals.services import deal_pay_deposit

    if not (by.is_active and by.is_staff):
        raise PermissionDenied(_("Only platform staff confirm offline payments."))
    with transaction.atomic():
        locked = Payment.objects.select_for_update().select_related("deal").get(pk=payment.pk)
        if locked.provider != PaymentProvider.OFFLINE:
            raise ValidationError(
                _("Only offline payments are confirmed by hand."), code="not_offline"
            )
        if locked.state != PaymentState.PENDING:
            raise ValidationError(
                _("This payment is “%(state)s”; only a pending payment can be confirmed.")
                % {"state": locked.get_state_display()},
                code="not_pending",
            )
        locked.state = PaymentState.SUCCEEDED
        locked.confirmed_by = by
        locked.confirmed_at = timezone.now()
        locked.note = note.strip()[:500]
        locked.save()
        if locked.purpose == PaymentPurpose.DEPOSIT:
            deal_pay_deposit(deal=locked.deal, by=by)
        else:
            notify_organizations(
                organizations=[locked.deal.buyer_id],
                event="payments.refunded",
                message=gettext_lazy("The deposit of %(amount)s for %(deal)s was refunded."),
                params={
                    "amount": format_yuan_exact(locked.amount, always_fen=True),
                    "deal": locked.deal,
                },
                url=reverse("deals:detail", args=[locked.deal_id]),
                actor=by,
                target=locked.deal,
            )
    return locked
