"""Payments: the deposit requested on acceptance and the balance once both have signed,
staff confirming offline payments (staff only, pending only) — money in moves the deal on,
money out (payout, refund) is told to its recipient —, the payout owed to the seller on
completion, and the unwinding of a cancelled deal (cancel or refund each payment)."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django_fsm_log.models import StateLog

from marketplace.deals.models import DealState
from marketplace.deals.services import deal_accept, deal_sign
from marketplace.notifications.models import Notice
from marketplace.payments.models import (
    Payment,
    PaymentProvider,
    PaymentPurpose,
    PaymentState,
    new_reference,
)
from marketplace.payments.services import (
    balance_settled,
    paid_into_escrow,
    payment_balance_request,
    payment_confirm_offline,
    payment_deposit_request,
    payment_payout_request,
    payment_unwind,
    provider_for_new_payments,
)
from tests.factories import DealFactory, MembershipFactory, PaymentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def payment(
    deal,
    purpose="deposit",
    state="pending",
    provider="offline",
    amount="45000.00",
    refund_of=None,
):
    return Payment.objects.create(
        deal=deal,
        purpose=purpose,
        state=state,
        provider=provider,
        amount=Decimal(amount),
        refund_of=refund_of,
    )


def test_the_offline_provider_is_used_without_stripe(settings):
    settings.STRIPE_SECRET_KEY = ""
    assert provider_for_new_payments() == PaymentProvider.OFFLINE


def test_references_are_short_and_unambiguous():
    references = {new_reference() for _ in range(200)}
    assert len(references) == 200
    for reference in references:
        assert re.fullmatch(r"ZZIPX-[A-HJ-NP-Z2-9]{10}", reference), reference


def test_acceptance_requests_the_deposit():
    deal = DealFactory()
    seller = MembershipFactory(organization=deal.seller).user

    deal = deal_accept(deal=deal, by=seller, deposit_amount=Decimal("50000.00"))

    deposit = Payment.objects.get(deal=deal)
    assert (deposit.purpose, deposit.provider, deposit.state, deposit.amount, deposit.currency) == (
        PaymentPurpose.DEPOSIT,
        PaymentProvider.OFFLINE,
        PaymentState.PENDING,
        Decimal("50000.00"),
        "CNY",
    )


def test_staff_confirm_a_deposit_and_the_deal_moves_on(staff):
    deal = DealFactory(state="accepted")
    deposit = payment(deal)

    confirmed = payment_confirm_offline(payment=deposit, by=staff, note="  到账  ")

    assert (confirmed.state, confirmed.confirmed_by, confirmed.note) == (
        PaymentState.SUCCEEDED,
        staff,
        "到账",
    )
    assert confirmed.confirmed_at is not None
    deal.refresh_from_db()
    assert deal.state == DealState.DEPOSIT_PAID
    log = StateLog.objects.for_(deal).get()
    assert (log.transition, log.by) == ("pay_deposit", staff)


@pytest.mark.parametrize(
    "make_user",
    [
        lambda deal: MembershipFactory(organization=deal.buyer).user,
        lambda deal: MembershipFactory(organization=deal.seller).user,
        lambda deal: UserFactory(),
        lambda deal: UserFactory(is_staff=True, is_active=False),
    ],
    ids=["buyer", "seller", "outsider", "inactive-staff"],
)
def test_only_active_staff_confirm(make_user):
    deal = DealFactory(state="accepted")
    deposit = payment(deal)

    with pytest.raises(PermissionDenied) as denied:
        payment_confirm_offline(payment=deposit, by=make_user(deal))

    assert str(denied.value) == "Only platform staff confirm offline payments."
    deposit.refresh_from_db()
    deal.refresh_from_db()
    assert (deposit.state, deal.state) == (PaymentState.PENDING, DealState.ACCEPTED)


@pytest.mark.parametrize(
    ("state", "label"), [("succeeded", "Received"), ("cancelled", "Cancelled")]
)
def test_only_pending_payments_are_confirmed(staff, state, label):
    deal = DealFactory(state="deposit_paid")
    settled = payment(deal, state=state)

    with pytest.raises(ValidationError) as caught:
        payment_confirm_offline(payment=settled, by=staff)

    assert caught.value.code == "not_pending"
    assert caught.value.messages == [
        f"This payment is “{label}”; only a pending payment can be confirmed."
    ]
    settled.refresh_from_db()
    assert (settled.state, settled.confirmed_by) == (state, None)


def test_stripe_payments_are_not_confirmed_by_hand(staff):
    deal = DealFactory(state="accepted")
    by_card = payment(deal, provider="stripe")

    with pytest.raises(ValidationError) as caught:
        payment_confirm_offline(payment=by_card, by=staff)

    assert caught.value.code == "not_offline"
    by_card.refresh_from_db()
    assert by_card.state == PaymentState.PENDING


def test_a_deposit_for_a_deal_no_longer_accepted_is_not_confirmed(staff):
    # the deal moved on without this deposit (say, it was already marked paid)
    deal = DealFactory(state="deposit_paid")
    deposit = payment(deal)

    with pytest.raises(ValidationError) as caught:
        payment_confirm_offline(payment=deposit, by=staff)

    assert caught.value.code == "invalid_transition"
    deposit.refresh_from_db()
    assert (deposit.state, deposit.confirmed_at) == (PaymentState.PENDING, None)  # rolled back


# --- the balance -----------------------------------------------------------------------------


def test_the_second_signature_requests_the_balance():
    # given a deal of ¥450,000 with a deposit of ¥45,000 received, signed by the seller
    deal = DealFactory(state="deposit_paid", seller_signed_at=None)
    seller = MembershipFactory(organization=deal.seller).user
    buyer = MembershipFactory(organization=deal.buyer).user
    deal_sign(deal=deal, by=seller)
    assert not Payment.objects.filter(purpose=PaymentPurpose.BALANCE).exists()

    # when the buyer signs
    deal = deal_sign(deal=deal, by=buyer)

    # then the buyer owes the rest of the price, offline
    assert deal.state == DealState.CONTRACT_SIGNED
    balance = Payment.objects.get(deal=deal, purpose=PaymentPurpose.BALANCE)
    assert (balance.amount, balance.state, balance.provider) == (
        Decimal("405000.00"),
        PaymentState.PENDING,
        PaymentProvider.OFFLINE,
    )
    assert not balance_settled(deal=deal)


def test_a_deposit_of_the_whole_price_leaves_no_balance_to_pay():
    deal = DealFactory(state="deposit_paid", deposit_amount=Decimal("450000.00"))
    for organization in (deal.seller, deal.buyer):
        deal = deal_sign(deal=deal, by=MembershipFactory(organization=organization).user)

    assert deal.state == DealState.BALANCE_PAID
    assert not Payment.objects.filter(purpose=PaymentPurpose.BALANCE).exists()
    assert balance_settled(deal=deal)
    log = StateLog.objects.for_(deal).latest("pk")
    assert (log.transition, log.by, log.description) == (
        "pay_balance",
        None,
        "No balance is owed: the deposit was the whole price.",
    )


def test_the_balance_request_is_the_price_less_the_deposit():
    deal = DealFactory(state="contract_signed", deposit_amount=Decimal("0.01"))
    assert payment_balance_request(deal=deal).amount == Decimal("449999.99")


def test_staff_confirm_the_balance_and_the_deal_moves_on(staff):
    deal = DealFactory(state="contract_signed")
    balance = PaymentFactory(deal=deal, purpose=PaymentPurpose.BALANCE)

    payment_confirm_offline(payment=balance, by=staff, note="托管账户到账")

    balance.refresh_from_db()
    assert (balance.state, balance.confirmed_by) == (PaymentState.SUCCEEDED, staff)
    deal.refresh_from_db()
    assert deal.state == DealState.BALANCE_PAID
    assert balance_settled(deal=deal)
    log = StateLog.objects.for_(deal).get()
    assert (log.transition, log.by) == ("pay_balance", staff)
    notice = Notice.objects.get()
    assert notice.event == "deals.pay_balance"
    assert set(notice.organizations.all()) == {deal.seller, deal.buyer}


def test_a_balance_for_a_deal_not_waiting_for_it_is_not_confirmed(staff):
    deal = DealFactory(state="deposit_paid")
    balance = PaymentFactory(deal=deal, purpose=PaymentPurpose.BALANCE)

    with pytest.raises(ValidationError) as caught:
        payment_confirm_offline(payment=balance, by=staff)

    assert caught.value.code == "invalid_transition"
    balance.refresh_from_db()
    assert (balance.state, balance.confirmed_at) == (PaymentState.PENDING, None)


# --- the payout ------------------------------------------------------------------------------


def test_the_payout_is_what_the_buyer_paid_into_escrow():
    deal = DealFactory(state="completed")
    PaymentFactory(deal=deal, purpose="deposit", state="succeeded")
    PaymentFactory(deal=deal, purpose="balance", state="succeeded")
    PaymentFactory(deal=deal, purpose="deposit", state="cancelled", amount=Decimal("1.00"))

    payout = payment_payout_request(deal=deal)

    assert paid_into_escrow(deal=deal) == Decimal("450000.00")
    assert (payout.purpose, payout.state, payout.amount, payout.provider) == (
        PaymentPurpose.PAYOUT,
        PaymentState.PENDING,
        Decimal("450000.00"),
        PaymentProvider.OFFLINE,
    )


def test_nothing_paid_in_means_no_payout():
    deal = DealFactory(state="completed")
    assert payment_payout_request(deal=deal) is None
    assert not Payment.objects.exists()


def test_confirming_the_payout_tells_the_seller(staff):
    deal = DealFactory(state="completed")
    payout = payment(deal, purpose="payout", amount="450000.00")

    payment_confirm_offline(payment=payout, by=staff)

    payout.refresh_from_db()
    assert payout.state == PaymentState.SUCCEEDED
    deal.refresh_from_db()
    assert deal.state == DealState.COMPLETED
    notice = Notice.objects.get()
    assert (notice.event, list(notice.organizations.all())) == ("payments.paid_out", [deal.seller])
    assert notice.text["en"] == f"The price of ¥450,000.00 for Deal #{deal.pk} was paid out to you."


def test_one_live_payout_per_deal():
    deal = DealFactory(state="completed")
    payment(deal, purpose="payout")
    with pytest.raises(IntegrityError), transaction.atomic():
        payment(deal, purpose="payout")


# --- refunds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("refunded", "text"),
    [
        ("deposit", "The deposit of ¥45,000.00 for Deal #{pk} was refunded."),
        ("balance", "The balance of ¥45,000.00 for Deal #{pk} was refunded."),
    ],
)
def test_confirming_a_refund_tells_the_buyer(staff, refunded, text):
    deal = DealFactory(state="cancelled")
    paid = payment(deal, purpose=refunded, state="succeeded")
    refund = payment(deal, purpose="refund", refund_of=paid)

    confirmed = payment_confirm_offline(payment=refund, by=staff)

    assert confirmed.state == PaymentState.SUCCEEDED
    deal.refresh_from_db()
    assert deal.state == DealState.CANCELLED
    notice = Notice.objects.get()
    assert (notice.event, list(notice.organizations.all())) == ("payments.refunded", [deal.buyer])
    assert notice.text["en"] == text.format(pk=deal.pk)
    assert notice.url == f"/workspace/deals/{deal.pk}/"


def test_unwinding_cancels_unpaid_requests():
    deal = DealFactory(state="cancelled")
    deposit = payment(deal)

    assert payment_unwind(deal=deal) == []

    deposit.refresh_from_db()
    assert deposit.state == PaymentState.CANCELLED
    assert not Payment.objects.filter(purpose="refund").exists()


def test_unwinding_refunds_the_deposit_and_cancels_an_unpaid_balance():
    deal = DealFactory(state="cancelled")
    deposit = payment(deal, state="succeeded", amount="45000.00")
    balance = payment(deal, purpose="balance", amount="405000.00")

    (refund,) = payment_unwind(deal=deal)

    assert (refund.refund_of, refund.amount) == (deposit, Decimal("45000.00"))
    balance.refresh_from_db()
    assert balance.state == PaymentState.CANCELLED


def test_unwinding_after_the_balance_refunds_each_payment_once_however_often_it_runs():
    deal = DealFactory(state="cancelled")
    deposit = payment(deal, state="succeeded", amount="12345.67")
    balance = payment(deal, purpose="balance", state="succeeded", amount="111111.11")

    refunds = payment_unwind(deal=deal)
    again = payment_unwind(deal=deal)

    assert refunds == again
    assert [(r.refund_of, r.purpose, r.state, r.amount, r.provider) for r in refunds] == [
        (deposit, PaymentPurpose.REFUND, PaymentState.PENDING, Decimal("12345.67"), "offline"),
        (balance, PaymentPurpose.REFUND, PaymentState.PENDING, Decimal("111111.11"), "offline"),
    ]
    assert Payment.objects.filter(purpose="refund").count() == 2
    assert paid_into_escrow(deal=deal) == Decimal("0")  # all of it is owed back


def test_unwinding_without_payments_does_nothing():
    deal = DealFactory(state="cancelled")
    assert payment_unwind(deal=deal) == []
    assert not Payment.objects.exists()


def test_a_refund_names_the_payment_it_gives_back():
    deal = DealFactory(state="cancelled")
    paid = payment(deal, state="succeeded")
    with pytest.raises(IntegrityError), transaction.atomic():
        payment(deal, purpose="refund")  # of nothing
    with pytest.raises(IntegrityError), transaction.atomic():
        payment(deal, purpose="deposit", state="cancelled", refund_of=paid)  # not a refund
    payment(deal, purpose="refund", refund_of=paid)
    with pytest.raises(IntegrityError), transaction.atomic():
        payment(deal, purpose="refund", refund_of=paid)  # twice


def test_one_live_deposit_per_deal():
    deal = DealFactory(state="accepted")
    payment(deal)
    with pytest.raises(IntegrityError), transaction.atomic():
        payment(deal)
    # a cancelled one does not count
    Payment.objects.update(state="cancelled")
    payment(deal)
    assert Payment.objects.count() == 2


def test_amounts_are_positive():
    deal = DealFactory(state="accepted")
    with pytest.raises(IntegrityError), transaction.atomic():
        payment(deal, amount="0")


def test_the_deposit_request_copies_the_deals_deposit():
    deal = DealFactory(state="accepted", deposit_amount=Decimal("8888.88"))
    assert payment_deposit_request(deal=deal).amount == Decimal("8888.88")
