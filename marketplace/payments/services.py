"""Deposits, balances, payouts and refunds of deals.

Until the Stripe provider lands (the payments issue), every payment is *offline*: the buyer
transfers the deposit, and later the balance, to the platform's escrow account quoting the
payment's reference, and platform staff confirm receipt in the admin; the payout to the
seller and any refund to the buyer are sent the same way and confirmed by staff.
`provider_for_new_payments` is where Stripe will plug in.

The deal's services ask for money (`payment_deposit_request`, `payment_balance_request`,
`payment_payout_request`) and unwind it (`payment_unwind`) inside their own transactions;
money arriving moves the deal on (`deal_pay_deposit`, `deal_pay_balance`), whoever reports
it — staff here, a webhook later.
"""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.money import format_yuan_exact
from marketplace.notifications.services import notify_organizations
from marketplace.parties.models import User

from .models import INCOMING_PURPOSES, Payment, PaymentProvider, PaymentPurpose, PaymentState

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


def payment_balance_request(*, deal: "Deal") -> Payment | None:
    """Ask the buyer for the balance, the price less the deposit, once both parties have
    signed (called by deal_sign, in its transaction). None when nothing is owed: the
    deposit was the whole price."""
    balance = deal.balance_amount
    if balance is None:
        raise ValueError("The deal has no deposit, so no balance either.")
    if balance <= 0:
        return None
    return Payment.objects.create(
        deal=deal,
        purpose=PaymentPurpose.BALANCE,
        provider=provider_for_new_payments(),
        amount=balance,
    )


def paid_into_escrow(*, deal: "Deal") -> Decimal:
    """What the buyer paid into escrow for the deal and has not been refunded."""
    total = Payment.objects.filter(
        deal=deal, purpose__in=INCOMING_PURPOSES, state=PaymentState.SUCCEEDED, refund__isnull=True
    ).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0")


def balance_settled(*, deal: "Deal") -> bool:
    """The balance is in escrow (or none was owed: the deposit was the whole price)."""
    if deal.balance_amount is not None and deal.balance_amount <= 0:
        return True
    return Payment.objects.filter(
        deal=deal, purpose=PaymentPurpose.BALANCE, state=PaymentState.SUCCEEDED
    ).exists()


def payment_payout_request(*, deal: "Deal") -> Payment | None:
    """The deal completed: what the buyer paid into escrow (deposit and balance) is owed to
    the seller, as a pending payout staff send and confirm (called by deal_complete, in its
    transaction). None if nothing was paid in."""
    amount = paid_into_escrow(deal=deal)
    if amount <= 0:
        return None
    return Payment.objects.create(
        deal=deal,
        purpose=PaymentPurpose.PAYOUT,
        provider=provider_for_new_payments(),
        amount=amount,
    )


def payment_unwind(*, deal: "Deal") -> list[Payment]:
    """The deal was cancelled: requests not paid yet (deposit, balance) are cancelled; each
    payment received is owed back to the buyer, as a pending refund staff send and confirm
    (one per payment, as a card provider refunds each charge). Returns the refunds."""
    incoming = (
        Payment.objects.select_for_update()
        .filter(deal=deal, purpose__in=INCOMING_PURPOSES)
        .order_by("created_at", "pk")
    )
    refunds = []
    for payment in incoming:
        if payment.state == PaymentState.PENDING:
            payment.state = PaymentState.CANCELLED
            payment.save(update_fields=["state", "updated_at"])
        elif payment.state == PaymentState.SUCCEEDED:
            refund, _created = Payment.objects.get_or_create(
                refund_of=payment,
                defaults={
                    "deal": deal,
                    "purpose": PaymentPurpose.REFUND,
                    "provider": payment.provider,
                    "amount": payment.amount,
                },
            )
            refunds.append(refund)
    return refunds


# What the parties hear when staff confirm money that left escrow.
REFUNDED: dict[str, Any] = {
    PaymentPurpose.DEPOSIT: gettext_lazy("The deposit of %(amount)s for %(deal)s was refunded."),
    PaymentPurpose.BALANCE: gettext_lazy("The balance of %(amount)s for %(deal)s was refunded."),
}
PAID_OUT = gettext_lazy("The price of %(amount)s for %(deal)s was paid out to you.")


def payment_confirm_offline(*, payment: Payment, by: User, note: str = "") -> Payment:
    """Platform staff confirm that an offline payment arrived in the escrow account (a
    deposit: the deal moves to deposit_paid; a balance: to balance_paid) or that a payout
    to the seller or a refund to the buyer was sent."""
    from marketplace.deals.services import deal_pay_balance, deal_pay_deposit

    if not (by.is_active and by.is_staff):
        raise PermissionDenied(_("Only platform staff confirm offline payments."))
    with transaction.atomic():
        locked = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("deal", "refund_of")
            .get(pk=payment.pk)
        )
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
        deal = locked.deal
        params = {"amount": format_yuan_exact(locked.amount, always_fen=True), "deal": deal}
        url = reverse("deals:detail", args=[locked.deal_id])
        if locked.purpose == PaymentPurpose.DEPOSIT:
            deal_pay_deposit(deal=deal, by=by)
        elif locked.purpose == PaymentPurpose.BALANCE:
            deal_pay_balance(deal=deal, by=by)
        elif locked.purpose == PaymentPurpose.PAYOUT:
            notify_organizations(
                organizations=[deal.seller_id],
                event="payments.paid_out",
                message=PAID_OUT,
                params=params,
                url=url,
                actor=by,
                target=deal,
            )
        else:
            refunded = locked.refund_of.purpose if locked.refund_of else PaymentPurpose.DEPOSIT
            notify_organizations(
                organizations=[deal.buyer_id],
                event="payments.refunded",
                message=REFUNDED.get(refunded, REFUNDED[PaymentPurpose.DEPOSIT]),
                params=params,
                url=url,
                actor=by,
                target=deal,
            )
    return locked
