"""A transfer deal from the buyer's offer to the asset changing hands and the seller's payout
(offline deposit and balance, the recordal evidence checked by staff)."""

from decimal import Decimal

import pytest
from django.utils import timezone
from django_fsm_log.models import StateLog

from listings.models import ListingState
from marketplace.deals import services
from marketplace.deals.models import DealState
from marketplace.payments.models import Payment, PaymentPurpose, PaymentState
from marketplace.payments.services import payment_confirm_offline
from tests.factories import (
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    pdf_upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def test_a_transfer_from_offer_to_completion(
    django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    # given a published transfer listing and a verified buyer
    listing = ListingFactory(state="published")
    seller = MembershipFactory(organization=listing.holder).user
    buyer_org = OrganizationFactory(verification_state="verified")
    buyer = MembershipFactory(organization=buyer_org).user
    staff = UserFactory(is_staff=True)
    asset = listing.assets.get()

    # when the buyer offers, the seller accepts, staff confirm the deposit, both sign,
    # staff confirm the balance, the recordal is filed, the seller uploads CNIPA's notice
    # and staff accept it
    with django_capture_on_commit_callbacks(execute=True):
        deal = services.deal_propose(
            by=buyer, buyer=buyer_org, listing=listing, price=Decimal("480000.00")
        )
    deal = services.deal_accept(deal=deal, by=seller)
    assert deal.deposit_amount == Decimal("48000.00")
    payment = Payment.objects.get(deal=deal)
    payment_confirm_offline(payment=payment, by=staff)
    deal.refresh_from_db()
    assert deal.state == DealState.DEPOSIT_PAID
    deal = services.deal_sign(deal=deal, by=seller)
    assert deal.state == DealState.DEPOSIT_PAID
    deal = services.deal_sign(deal=deal, by=buyer)
    assert deal.state == DealState.CONTRACT_SIGNED
    balance = Payment.objects.get(deal=deal, purpose=PaymentPurpose.BALANCE)
    assert balance.amount == Decimal("432000.00")
    payment_confirm_offline(payment=balance, by=staff)
    deal.refresh_from_db()
    assert deal.state == DealState.BALANCE_PAID
    deal = services.deal_file_recordal(
        deal=deal, by=seller, recordal_number="ZR2026-0001", recordal_date=timezone.localdate()
    )
    evidence = services.recordal_evidence_submit(deal=deal, by=seller, uploaded_file=pdf_upload())
    services.recordal_evidence_accept(evidence=evidence, by=staff)

    # then the asset belongs to the buyer, the listing is closed and the price is owed to
    # the seller out of escrow; staff pay it out
    asset.refresh_from_db()
    listing.refresh_from_db()
    deal.refresh_from_db()
    assert deal.state == DealState.COMPLETED
    assert asset.holder == buyer_org
    assert listing.state == ListingState.CLOSED
    payout = Payment.objects.get(deal=deal, purpose=PaymentPurpose.PAYOUT)
    assert (payout.amount, payout.state) == (Decimal("480000.00"), PaymentState.PENDING)
    payment_confirm_offline(payment=payout, by=staff)
    assert set(Payment.objects.filter(deal=deal).values_list("purpose", "state")) == {
        ("deposit", "succeeded"),
        ("balance", "succeeded"),
        ("payout", "succeeded"),
    }
    assert list(StateLog.objects.for_(deal).order_by("pk").values_list("transition", "by")) == [
        ("propose", buyer.pk),
        ("accept", seller.pk),
        ("pay_deposit", staff.pk),
        ("sign_contract", buyer.pk),
        ("pay_balance", staff.pk),
        ("file_recordal", seller.pk),
        ("complete", staff.pk),
    ]
