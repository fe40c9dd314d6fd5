"""A transfer deal from the buyer's offer to the asset changing hands (offline deposit)."""

from decimal import Decimal

import pytest
from django.utils import timezone
from django_fsm_log.models import StateLog

from listings.models import ListingState
from marketplace.deals import services
from marketplace.deals.models import DealState
from marketplace.payments.models import Payment, PaymentState
from marketplace.payments.services import payment_confirm_offline
from tests.factories import (
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_transfer_from_offer_to_completion(django_capture_on_commit_callbacks):
    # given a published transfer listing and a verified buyer
    listing = ListingFactory(state="published")
    seller = MembershipFactory(organization=listing.holder).user
    buyer_org = OrganizationFactory(verification_state="verified")
    buyer = MembershipFactory(organization=buyer_org).user
    staff = UserFactory(is_staff=True)
    asset = listing.assets.get()

    # when the buyer offers, the seller accepts, staff confirm the deposit, both sign,
    # the recordal is filed and the deal completes
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
    deal = services.deal_file_recordal(
        deal=deal, by=seller, recordal_number="ZR2026-0001", recordal_date=timezone.localdate()
    )
    deal = services.deal_complete(deal=deal, by=buyer)

    # then the asset belongs to the buyer and the listing is closed
    asset.refresh_from_db()
    listing.refresh_from_db()
    assert deal.state == DealState.COMPLETED
    assert asset.holder == buyer_org
    assert listing.state == ListingState.CLOSED
    assert Payment.objects.get(deal=deal).state == PaymentState.SUCCEEDED
    assert list(
        StateLog.objects.for_(deal).order_by("pk").values_list("transition", flat=True)
    ) == ["propose", "accept", "pay_deposit", "sign_contract", "file_recordal", "complete"]
