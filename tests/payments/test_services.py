"""Payments: the deposit requested on acceptance, staff confirming offline payments (staff
only, pending only), and the unwinding of a cancelled deal (cancel or refund)."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django_fsm_log.models import StateLog

from marketplace.deals.models import DealState
from marketplace.deals.services import deal_accept
from marketplace.notifications.models import Notice
from marketplace.payments.models import (
    Payment,
    PaymentProvider,
    PaymentPurpose,
    PaymentState,
    new_reference,
)
from marketplace.payments.services import (
    payment_confirm_offline,
    payment_deposit_request,
    payment_deposit_unwind,
    provider_for_new_payments,
)
from tests.factories import DealFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def payment(deal, purpose="deposit", state="pending", provider="offline", amount="45000.00"):
    return Payment.objects.create(
        deal=deal, purpose=purpose, state=state, provider=provider, amount=Decimal(amount)
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


def test_confirming_a_refund_tells_the_buyer(staff):
    deal = DealFactory(state="cancelled")
    payment(deal, state="succeeded")
    refund = payment(deal, purpose="refund")

    confirmed = payment_confirm_offline(payment=refund, by=staff)

    assert confirmed.state == PaymentState.SUCCEEDED
    deal.refresh_from_db()
    assert deal.state == DealState.CANCELLED
    notice = Notice.objects.get()
    assert (notice.event, list(notice.organizations.all())) == ("payments.refunded", [deal.buyer])
    assert notice.text["en"] == f"The deposit of ¥45,000.00 for Deal #{deal.pk} was refunded."
    assert notice.url == f"/workspace/deals/{deal.pk}/"


def test_unwinding_cancels_an_unpaid_deposit():
    deal = DealFactory(state="cancelled")
    deposit = payment(deal)

    assert payment_deposit_unwind(deal=deal) is None

    deposit.refresh_from_db()
    assert deposit.state == PaymentState.CANCELLED
    assert not Payment.objects.filter(purpose="refund").exists()


def test_unwinding_a_paid_deposit_owes_one_refund_however_often_it_runs():
    deal = DealFactory(state="cancelled")
    payment(deal, state="succeeded", amount="12345.67")

    refund = payment_deposit_unwind(deal=deal)
    again = payment_deposit_unwind(deal=deal)

    assert refund == again
    assert (refund.purpose, refund.state, refund.amount) == (
        PaymentPurpose.REFUND,
        PaymentState.PENDING,
        Decimal("12345.67"),
    )
    assert Payment.objects.filter(purpose="refund").count() == 1


def test_unwinding_without_a_deposit_does_nothing():
    deal = DealFactory(state="cancelled")
    assert payment_deposit_unwind(deal=deal) is None
    assert not Payment.objects.exists()


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
