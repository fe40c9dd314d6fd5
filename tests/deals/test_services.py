"""Deal services: every guard with a failing and a passing case (parties, listing, open
offers, the pledgee's consent, exclusive licences, licence dates, the balance and the
recordal evidence before completion), the recordal evidence's upload and the staff's check,
what completion and cancellation do with the assets and the money, the audit trail and the
notices."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django_fsm_log.models import StateLog

from listings.models import ListingState
from listings.services import assets_change_holder
from marketplace.deals import services
from marketplace.deals.models import (
    OPEN_DEAL_STATES,
    Deal,
    DealState,
    EvidenceState,
    Licence,
    RecordalEvidence,
)
from marketplace.documents.models import Document, DocumentKind
from marketplace.documents.services import document_delete
from marketplace.notifications.models import Notice, Notification
from marketplace.payments.models import Payment, PaymentPurpose, PaymentState
from marketplace.payments.services import payment_confirm_offline
from marketplace.pledges.services import pledge_consent_give
from tests.factories import (
    BankFactory,
    DealFactory,
    IPAssetFactory,
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    PaymentFactory,
    PledgeApplicationFactory,
    RecordalEvidenceFactory,
    UserFactory,
    pdf_upload,
    ready_to_complete,
)

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def today() -> datetime.date:
    """Read at each use, not once at import: a run that goes on past midnight in
    Zhengzhou is on the next day."""
    return timezone.localdate()


def next_year() -> datetime.date:
    return today() + datetime.timedelta(days=365)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def listing():
    return ListingFactory(state="published", title="锂电池隔膜专利转让")


@pytest.fixture
def asset(listing):
    return listing.assets.get()


@pytest.fixture
def seller(listing):
    return MembershipFactory(organization=listing.holder, role="member").user


@pytest.fixture
def buyer_org():
    return OrganizationFactory(verification_state="verified", name="郑州新能源有限公司")


@pytest.fixture
def buyer(buyer_org):
    return MembershipFactory(organization=buyer_org, role="member").user


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def propose(by, buyer_org, listing, **overrides):
    data = {"by": by, "buyer": buyer_org, "listing": listing, "price": Decimal("480000.00")}
    data.update(overrides)
    return services.deal_propose(**data)


def licence_listing(licence_type="non_exclusive", **kwargs):
    return ListingFactory(state="published", intent="licence", licence_type=licence_type, **kwargs)


def propose_licence(listing, **overrides):
    buyer_org = overrides.pop("buyer", None) or OrganizationFactory(verification_state="verified")
    by = MembershipFactory(organization=buyer_org).user
    data = {
        "territory": "中国大陆",
        "licence_start": today(),
        "licence_end": next_year(),
        "royalty": "销售额的3%",
    }
    data.update(overrides)
    return propose(by, buyer_org, listing, **data)


def licence_on(asset, licence_type, *, start=None, end="a year from today"):
    """A licence of `asset` from `start` (by default 30 days ago) to `end` (by default a year
    from today; None: open-ended)."""
    deal = DealFactory(state="completed")
    return Licence.objects.create(
        asset=asset,
        deal=deal,
        licensor=asset.holder,
        licensee=deal.buyer,
        licence_type=licence_type,
        territory="河南省",
        start=start or today() - datetime.timedelta(days=30),
        end=next_year() if end == "a year from today" else end,
    )


def codes(error: ValidationError) -> set[str | None]:
    return {e.code for e in error.error_list}


def accepted_deal(listing, **kwargs):
    return DealFactory(listing=listing, state="accepted", **kwargs)


# --- the offer -----------------------------------------------------------------------------


def test_a_verified_buyer_makes_an_offer(listing, seller, buyer_org, buyer):
    deal = propose(buyer, buyer_org, listing, message="  希望尽快签约  ")

    assert deal.state == DealState.PROPOSED
    assert (deal.kind, deal.seller, deal.buyer, deal.created_by) == (
        "transfer",
        listing.holder,
        buyer_org,
        buyer,
    )
    assert deal.message == "希望尽快签约"
    log = StateLog.objects.for_(deal).get()
    assert (log.source_state, log.state, log.by) == ("new", "proposed", buyer)
    notice = Notice.objects.get()
    assert (notice.event, list(notice.organizations.all())) == ("deals.propose", [listing.holder])
    assert notice.text["en"] == (
        "郑州新能源有限公司 made an offer of ¥480,000.00 on “锂电池隔膜专利转让”."
    )


def test_the_buyer_cannot_be_the_seller(listing, seller):
    with pytest.raises(ValidationError) as caught:
        propose(seller, listing.holder, listing)
    assert caught.value.message_dict == {"buyer": ["An organisation cannot buy its own listing."]}
    assert not Deal.objects.exists()


def test_a_member_of_both_sides_cannot_make_an_offer(listing, seller):
    # given a member of the seller who is also a member of a verified buyer
    buyer_org = OrganizationFactory(verification_state="verified")
    MembershipFactory(user=seller, organization=buyer_org)

    # when they offer for the buyer, then the service refuses and writes nothing
    with translation.override("en"), pytest.raises(PermissionDenied) as caught:
        propose(seller, buyer_org, listing)
    assert str(caught.value) == "A member of the seller cannot make an offer on its listing."
    assert not Deal.objects.exists()


def test_the_database_refuses_a_deal_with_oneself(listing):
    with pytest.raises(IntegrityError), transaction.atomic():
        DealFactory(listing=listing, buyer=listing.holder)


@pytest.mark.parametrize("verification", ["pending", "rejected"])
def test_the_buyer_must_be_verified(listing, verification):
    buyer_org = OrganizationFactory(verification_state=verification)
    buyer = MembershipFactory(organization=buyer_org).user

    with pytest.raises(ValidationError) as caught:
        propose(buyer, buyer_org, listing)

    assert caught.value.message_dict == {
        "buyer": ["Your organisation must be verified by platform staff first."]
    }
    assert not Deal.objects.exists()


@pytest.mark.parametrize("role", ["reviewer", None])
def test_only_members_of_the_buyer_make_offers(listing, buyer_org, role):
    user = MembershipFactory(organization=buyer_org, role=role).user if role else UserFactory()
    with pytest.raises(PermissionDenied) as denied:
        propose(user, buyer_org, listing)
    assert str(denied.value) == "Only members of the buying organisation can make an offer."


@pytest.mark.parametrize(
    ("price", "message"),
    [
        (Decimal("0"), "Enter your offer, above zero."),
        (None, "Enter your offer, above zero."),
        (Decimal("10000000000000000.00"), "This amount is too large."),
    ],
)
def test_the_price(listing, buyer_org, buyer, price, message):
    with pytest.raises(ValidationError) as caught:
        propose(buyer, buyer_org, listing, price=price)
    assert caught.value.message_dict == {"price": [message]}


@pytest.mark.parametrize(
    ("state", "intent"),
    [
        *[(s.value, "transfer") for s in ListingState if s != ListingState.PUBLISHED],
        ("published", "pledge"),
    ],
)
def test_offers_only_on_published_transfer_or_licence_listings(buyer_org, buyer, state, intent):
    listing = ListingFactory(state=state, intent=intent)

    with pytest.raises(ValidationError) as caught:
        propose(buyer, buyer_org, listing)

    assert caught.value.code == "listing_not_open"
    assert caught.value.messages == [
        "Offers are made on published transfer or licence listings only."
    ]
    assert not Deal.objects.exists()


def test_offers_on_a_published_licence_listing(buyer_org):
    deal = propose_licence(licence_listing(), buyer=buyer_org)
    assert (deal.state, deal.kind, deal.licence_type) == ("proposed", "licence", "non_exclusive")
    assert (deal.territory, deal.licence_start, deal.licence_end) == (
        "中国大陆",
        today(),
        next_year(),
    )


@pytest.mark.parametrize("state", [s.value for s in DealState if s != DealState.NEW])
def test_one_open_offer_per_buyer_and_listing(listing, buyer_org, buyer, state):
    DealFactory(listing=listing, buyer=buyer_org, state=state)

    if state in OPEN_DEAL_STATES:
        with pytest.raises(ValidationError) as caught:
            propose(buyer, buyer_org, listing)
        assert caught.value.code == "duplicate_offer"
        assert caught.value.messages == [
            "Your organisation already has an open offer on this listing."
        ]
        assert Deal.objects.count() == 1
    else:
        assert propose(buyer, buyer_org, listing).state == DealState.PROPOSED


def test_another_buyers_offer_does_not_block(listing, buyer_org, buyer):
    DealFactory(listing=listing, state="proposed")
    assert propose(buyer, buyer_org, listing).state == DealState.PROPOSED


# --- licence terms -------------------------------------------------------------------------


def days_from_today(overrides: dict) -> dict:
    """The parameters' dates as days from today (a whole number), read when the test runs."""
    return {
        key: today() + datetime.timedelta(days=value) if isinstance(value, int) else value
        for key, value in overrides.items()
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"territory": " "}, "territory", "Say where the licence applies (e.g. mainland China)."),
        ({"licence_start": -1}, "licence_start", "The licence starts today or later."),
        ({"licence_start": None}, "licence_start", "The licence starts today or later."),
        ({"licence_end": 0}, "licence_end", "The licence ends after it starts."),
        ({"licence_end": None}, "licence_end", "The licence ends after it starts."),
    ],
)
def test_licence_dates_and_territory(overrides, field, message):
    with pytest.raises(ValidationError) as caught:
        propose_licence(licence_listing(), **days_from_today(overrides))
    assert caught.value.message_dict[field] == [message]
    assert not Deal.objects.filter(kind="licence").exists()


def test_a_licence_cannot_outlive_the_asset():
    listing = licence_listing()
    asset = listing.assets.get()
    expiry = asset.expiry_date

    with pytest.raises(ValidationError) as caught:
        propose_licence(listing, licence_end=expiry + datetime.timedelta(days=1))
    assert caught.value.message_dict == {
        "licence_end": [f"{asset} expires on {expiry.isoformat()}, before the licence would end."]
    }

    assert propose_licence(listing, licence_end=expiry).state == DealState.PROPOSED


@pytest.mark.parametrize("existing", ["exclusive", "sole"])
@pytest.mark.parametrize("offered", ["exclusive", "sole", "non_exclusive", "open"])
def test_an_exclusive_or_sole_licence_in_force_excludes_any_other(existing, offered):
    listing = licence_listing(offered)
    asset = listing.assets.get()
    licence_on(asset, existing, end=None)  # open-ended

    with pytest.raises(ValidationError) as caught:
        propose_licence(listing)

    assert codes(caught.value) == {"exclusive_licence"}
    label = {"exclusive": "Exclusive licence", "sole": "Sole licence"}[existing]
    assert caught.value.messages == [
        f"{asset} is under an {label} until —; no further licence is possible."
    ]


@pytest.mark.parametrize("offered", ["exclusive", "sole"])
def test_a_new_exclusive_licence_needs_no_licence_in_force(offered):
    listing = licence_listing(offered)
    asset = listing.assets.get()
    licence_on(asset, "non_exclusive")

    with pytest.raises(ValidationError) as caught:
        propose_licence(listing)

    assert codes(caught.value) == {"already_licensed"}
    assert caught.value.messages == [
        f"{asset} is already licensed; an exclusive or sole licence is not possible."
    ]


def test_non_exclusive_licences_live_side_by_side():
    listing = licence_listing("non_exclusive")
    licence_on(listing.assets.get(), "non_exclusive")
    assert propose_licence(listing).state == DealState.PROPOSED


@pytest.mark.parametrize("existing", ["exclusive", "sole", "non_exclusive"])
def test_a_licence_that_ended_does_not_block(existing):
    listing = licence_listing("exclusive")
    licence_on(
        listing.assets.get(),
        existing,
        start=today() - datetime.timedelta(days=400),
        end=today() - datetime.timedelta(days=1),
    )
    assert propose_licence(listing).state == DealState.PROPOSED


def test_a_licence_ending_before_the_new_one_starts_does_not_block():
    listing = licence_listing("exclusive")
    licence_on(listing.assets.get(), "exclusive", end=today() + datetime.timedelta(days=10))
    deal = propose_licence(listing, licence_start=today() + datetime.timedelta(days=11))
    assert deal.state == DealState.PROPOSED


def test_acceptance_checks_the_licences_again(seller):
    listing = licence_listing("exclusive", holder=seller.memberships.get().organization)
    deal = propose_licence(listing)
    licence_on(listing.assets.get(), "sole")  # granted meanwhile by another deal

    with pytest.raises(ValidationError) as caught:
        services.deal_accept(deal=deal, by=seller)

    assert codes(caught.value) == {"exclusive_licence"}
    deal.refresh_from_db()
    assert deal.state == DealState.PROPOSED
    assert not Payment.objects.exists()


# --- acceptance ----------------------------------------------------------------------------


def test_the_seller_accepts_and_the_deposit_is_requested(listing, seller):
    deal = DealFactory(listing=listing, price=Decimal("123456.78"))

    deal = services.deal_accept(deal=deal, by=seller, note="同意")

    assert deal.state == DealState.ACCEPTED
    assert deal.deposit_amount == Decimal("12345.68")  # 10 %, rounded half up
    payment = Payment.objects.get()
    assert (payment.purpose, payment.provider, payment.state, payment.amount) == (
        "deposit",
        "offline",
        "pending",
        Decimal("12345.68"),
    )
    assert payment.reference.startswith("ZZIPX-")


def test_the_seller_may_set_the_deposit_up_to_the_price(listing, seller):
    deal = DealFactory(listing=listing, price=Decimal("1000.00"))

    with pytest.raises(ValidationError) as caught:
        services.deal_accept(deal=deal, by=seller, deposit_amount=Decimal("1000.01"))
    assert caught.value.message_dict == {"deposit_amount": ["The deposit cannot exceed the price."]}
    with pytest.raises(ValidationError) as caught:
        services.deal_accept(deal=deal, by=seller, deposit_amount=Decimal("0"))
    assert caught.value.message_dict == {"deposit_amount": ["The deposit is above zero."]}
    assert not Payment.objects.exists()

    deal = services.deal_accept(deal=deal, by=seller, deposit_amount=Decimal("1000.00"))
    assert Payment.objects.get().amount == Decimal("1000.00")


def test_offers_on_a_withdrawn_listing_can_no_longer_be_accepted(listing, seller):
    deal = DealFactory(listing=listing)
    type(listing).objects.filter(pk=listing.pk).update(state="withdrawn")

    with pytest.raises(ValidationError) as caught:
        services.deal_accept(deal=deal, by=seller)

    assert caught.value.code == "listing_not_open"
    assert caught.value.messages == [
        "The listing is “Withdrawn”; offers on it can no longer be accepted."
    ]


def test_a_transfer_listing_takes_one_accepted_offer_at_a_time(listing, seller):
    first, second = DealFactory(listing=listing), DealFactory(listing=listing)
    services.deal_accept(deal=first, by=seller)

    with pytest.raises(ValidationError) as caught:
        services.deal_accept(deal=second, by=seller)
    assert caught.value.code == "already_committed"
    assert caught.value.messages == ["Another offer on this listing is already accepted."]

    # once the first falls through, the second can be accepted
    services.deal_cancel(deal=first, by=seller, reason="买方未付定金")
    assert services.deal_accept(deal=second, by=seller).state == DealState.ACCEPTED


@pytest.mark.parametrize(
    ("licence_type", "one_at_a_time"),
    [("exclusive", True), ("sole", True), ("non_exclusive", False), ("open", False)],
)
def test_licence_listings_take_several_offers_unless_exclusive(licence_type, one_at_a_time):
    listing = licence_listing(licence_type)
    seller = MembershipFactory(organization=listing.holder).user
    first, second = propose_licence(listing), propose_licence(listing)
    services.deal_accept(deal=first, by=seller)

    if one_at_a_time:
        with pytest.raises(ValidationError) as caught:
            services.deal_accept(deal=second, by=seller)
        assert caught.value.code == "already_committed"
    else:
        assert services.deal_accept(deal=second, by=seller).state == DealState.ACCEPTED


def test_a_pledged_asset_needs_the_pledgees_consent(listing, seller, asset):
    # given the asset under a registered pledge with a bank
    bank = BankFactory(name="郑州银行")
    pledge = PledgeApplicationFactory(
        state="registered", applicant=listing.holder, bank=bank, assets=[asset]
    )
    deal = DealFactory(listing=listing)

    # then without the bank's consent the seller cannot accept
    with pytest.raises(ValidationError) as caught:
        services.deal_accept(deal=deal, by=seller)
    assert codes(caught.value) == {"pledged_without_consent"}
    assert caught.value.messages == [
        f"{asset} is pledged to 郑州银行: it can be transferred or licensed only with the bank's "
        "consent (Civil Code art. 444). Ask the bank to record its consent."
    ]
    deal.refresh_from_db()
    assert deal.state == DealState.PROPOSED

    # and with it, they can
    reviewer = MembershipFactory(organization=bank, role="reviewer").user
    pledge_consent_give(application=pledge, deal=deal, by=reviewer)
    assert services.deal_accept(deal=deal, by=seller).state == DealState.ACCEPTED


def test_consent_to_another_deal_does_not_count(listing, seller, asset):
    bank = BankFactory()
    pledge = PledgeApplicationFactory(
        state="disbursed", applicant=listing.holder, bank=bank, assets=[asset]
    )
    reviewer = MembershipFactory(organization=bank, role="reviewer").user
    other, deal = DealFactory(listing=listing), DealFactory(listing=listing)
    pledge_consent_give(application=pledge, deal=other, by=reviewer)

    with pytest.raises(ValidationError) as caught:
        services.deal_accept(deal=deal, by=seller)
    assert codes(caught.value) == {"pledged_without_consent"}


@pytest.mark.parametrize("pledge_state", ["contract_signed", "repaid", "released", "cancelled"])
def test_an_asset_no_longer_or_not_yet_pledged_needs_no_consent(
    listing, seller, asset, pledge_state
):
    PledgeApplicationFactory(state=pledge_state, applicant=listing.holder, assets=[asset])
    deal = DealFactory(listing=listing)
    assert services.deal_accept(deal=deal, by=seller).state == DealState.ACCEPTED


# --- signing, recordal ---------------------------------------------------------------------


def test_each_party_signs_and_the_second_signature_makes_the_contract(
    listing, seller, buyer_org, buyer
):
    deal = DealFactory(listing=listing, buyer=buyer_org, state="deposit_paid")

    deal = services.deal_sign(deal=deal, by=seller)
    assert deal.state == DealState.DEPOSIT_PAID
    assert deal.seller_signed_at is not None
    assert deal.buyer_signed_at is None
    assert not StateLog.objects.for_(deal).exists()
    notice = Notice.objects.get()
    assert (notice.event, list(notice.organizations.all())) == ("deals.signed_by_one", [buyer_org])

    # signing twice changes nothing
    signed_at = deal.seller_signed_at
    deal = services.deal_sign(deal=deal, by=seller)
    assert deal.seller_signed_at == signed_at
    assert Notice.objects.count() == 1

    deal = services.deal_sign(deal=deal, by=buyer)
    assert deal.state == DealState.CONTRACT_SIGNED
    log = StateLog.objects.for_(deal).get()
    assert (log.transition, log.by) == ("sign_contract", buyer)
    notice = Notice.objects.get(event="deals.sign_contract")
    assert set(notice.organizations.all()) == {listing.holder, buyer_org}
    assert notice.text["en"] == (
        "The contract for “锂电池隔膜专利转让” is signed by both parties; the buyer now pays "
        "the balance into the platform's escrow account."
    )
    # the buyer owes the rest of the price
    balance = Payment.objects.get(deal=deal, purpose=PaymentPurpose.BALANCE)
    assert (balance.amount, balance.state) == (Decimal("405000.00"), PaymentState.PENDING)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"recordal_number": " "}, "recordal_number", "Enter the recordal number."),
        ({"recordal_date": None}, "recordal_date", "Enter the filing date."),
        ({"recordal_date": 1}, "recordal_date", "This date cannot be in the future."),
    ],
)
def test_the_recordal_needs_a_number_and_a_date_not_in_the_future(
    listing, seller, overrides, field, message
):
    deal = DealFactory(listing=listing, state="balance_paid")
    data = {"recordal_number": "ZR2026-1", "recordal_date": today(), **days_from_today(overrides)}

    with pytest.raises(ValidationError) as caught:
        services.deal_file_recordal(deal=deal, by=seller, **data)
    assert caught.value.message_dict == {field: [message]}

    deal = services.deal_file_recordal(
        deal=deal, by=seller, recordal_number=" ZR2026-1 ", recordal_date=today()
    )
    assert (deal.state, deal.recordal_number) == (DealState.RECORDAL_FILED, "ZR2026-1")


def test_filing_the_recordal_tells_the_other_party(listing, buyer_org, buyer):
    deal = DealFactory(listing=listing, buyer=buyer_org, state="balance_paid")
    services.deal_file_recordal(deal=deal, by=buyer, recordal_number="Z1", recordal_date=today())
    assert list(Notice.objects.get().organizations.all()) == [listing.holder]


def test_the_recordal_is_filed_only_once_the_balance_is_in_escrow(listing, seller):
    deal = DealFactory(listing=listing, state="contract_signed")
    with pytest.raises(ValidationError) as caught:
        services.deal_file_recordal(
            deal=deal, by=seller, recordal_number="Z1", recordal_date=today()
        )
    assert caught.value.messages == [
        "This deal is “Contract signed”, so that step is not possible now."
    ]


def test_a_decline_needs_a_reason(listing, seller):
    deal = DealFactory(listing=listing)
    with pytest.raises(ValidationError) as caught:
        services.deal_decline(deal=deal, by=seller, reason=" ")
    assert caught.value.message_dict == {"reason": ["Give the buyer a reason."]}
    deal = services.deal_decline(deal=deal, by=seller, reason="价格过低")
    assert (deal.state, deal.last_note) == (DealState.DECLINED, "价格过低")


# --- completion ----------------------------------------------------------------------------


def test_completing_a_transfer_moves_the_assets_and_closes_the_listing(
    listing, staff, buyer_org, asset
):
    # given the deal at its recordal with the balance in escrow and the evidence uploaded,
    # another offer waiting and one withdrawn
    deal = DealFactory(listing=listing, buyer=buyer_org, state="recordal_filed")
    evidence = ready_to_complete(deal)
    waiting = DealFactory(listing=listing, state="proposed")
    withdrawn = DealFactory(listing=listing, state="withdrawn")
    buyer_org.district = "jinshui"
    buyer_org.save()

    # when staff accept the evidence
    services.recordal_evidence_accept(evidence=evidence, by=staff, note="与国家知识产权局公告一致")

    # then the deal is completed by them
    deal.refresh_from_db()
    assert deal.state == DealState.COMPLETED
    assert deal.completed_at is not None
    log = StateLog.objects.for_(deal).get()
    assert (log.transition, log.by, log.description) == (
        "complete",
        staff,
        "与国家知识产权局公告一致",
    )
    evidence.refresh_from_db()
    assert (evidence.state, evidence.reviewed_by) == (EvidenceState.ACCEPTED, staff)
    # the price is owed to the seller, out of escrow
    payout = Payment.objects.get(deal=deal, purpose=PaymentPurpose.PAYOUT)
    assert (payout.amount, payout.state) == (Decimal("450000.00"), PaymentState.PENDING)
    asset.refresh_from_db()
    assert (asset.holder, asset.district) == (buyer_org, "jinshui")
    listing.refresh_from_db()
    assert listing.state == ListingState.CLOSED
    waiting.refresh_from_db()
    withdrawn.refresh_from_db()
    assert (waiting.state, withdrawn.state) == (DealState.DECLINED, DealState.WITHDRAWN)
    log = StateLog.objects.for_(waiting).get()
    assert (log.transition, log.by, log.description) == (
        "decline",
        None,
        "The listing closed: another deal on it completed.",
    )
    assert list(Notice.objects.get(event="deals.decline").organizations.all()) == [waiting.buyer]
    assert not Licence.objects.exists()


def test_completing_a_licence_creates_one_licence_per_asset(buyer_org):
    holder = OrganizationFactory(verification_state="verified")
    assets = [IPAssetFactory(holder=holder), IPAssetFactory(holder=holder)]
    listing = licence_listing("sole", holder=holder, assets=assets)
    deal = DealFactory(
        listing=listing,
        buyer=buyer_org,
        state="recordal_filed",
        licence_type="sole",
        territory="河南省",
        licence_start=today(),
        licence_end=next_year(),
        royalty="入门费10万元",
        recordal_number="BA2026-7",
    )
    evidence = ready_to_complete(deal)

    services.recordal_evidence_accept(evidence=evidence, by=UserFactory(is_staff=True))

    licences = Licence.objects.order_by("asset_id")
    assert [licence.asset for licence in licences] == sorted(assets, key=lambda a: a.pk)
    terms = {
        (lic.licensor, lic.licensee, lic.licence_type, lic.territory, lic.start, lic.end)
        for lic in licences
    }
    assert terms == {(holder, buyer_org, "sole", "河南省", today(), next_year())}
    assert {(lic.royalty, lic.recordal_number) for lic in licences} == {
        ("入门费10万元", "BA2026-7")
    }
    for asset in assets:
        asset.refresh_from_db()
        assert asset.holder == holder  # a licence does not move the right
    listing.refresh_from_db()
    assert listing.state == ListingState.CLOSED


def test_completion_checks_the_seller_still_holds_the_assets(listing, staff, asset):
    deal = DealFactory(listing=listing, state="recordal_filed")
    evidence = ready_to_complete(deal)
    assets_change_holder(assets=[asset], new_holder=OrganizationFactory())

    with pytest.raises(ValidationError) as caught:
        services.recordal_evidence_accept(evidence=evidence, by=staff)

    assert codes(caught.value) == {"not_holder"}
    deal.refresh_from_db()
    listing.refresh_from_db()
    evidence.refresh_from_db()
    assert (deal.state, listing.state) == (DealState.RECORDAL_FILED, ListingState.PUBLISHED)
    assert evidence.state == EvidenceState.SUBMITTED  # the acceptance rolled back with it
    assert not Payment.objects.filter(purpose=PaymentPurpose.PAYOUT).exists()


def test_completion_checks_for_a_pledge_registered_meanwhile(listing, staff, asset):
    deal = DealFactory(listing=listing, state="recordal_filed")
    evidence = ready_to_complete(deal)
    PledgeApplicationFactory(state="registered", applicant=listing.holder, assets=[asset])

    with pytest.raises(ValidationError) as caught:
        services.recordal_evidence_accept(evidence=evidence, by=staff)

    assert codes(caught.value) == {"pledged_without_consent"}
    asset.refresh_from_db()
    assert asset.holder == listing.holder
    assert not StateLog.objects.for_(deal).exists()
    assert not StateLog.objects.for_(evidence).exists()


def test_completion_needs_the_balance_in_escrow(listing, staff):
    # given the evidence waiting, but only the deposit received
    deal = DealFactory(listing=listing, state="recordal_filed")
    PaymentFactory(deal=deal, purpose="deposit", state="succeeded")
    PaymentFactory(deal=deal, purpose="balance", state="pending")
    evidence = RecordalEvidenceFactory(deal=deal)

    with pytest.raises(ValidationError) as caught:
        services.recordal_evidence_accept(evidence=evidence, by=staff)

    assert codes(caught.value) == {"balance_not_settled"}
    assert caught.value.messages == [
        "The balance of ¥405,000.00 has not arrived in the platform's escrow account yet; "
        "the deal completes only once it has."
    ]
    deal.refresh_from_db()
    evidence.refresh_from_db()
    assert (deal.state, evidence.state) == (DealState.RECORDAL_FILED, EvidenceState.SUBMITTED)


@pytest.mark.parametrize("evidence_state", [None, "submitted", "rejected"])
def test_completion_needs_the_recordal_evidence_accepted(listing, staff, evidence_state):
    deal = DealFactory(listing=listing, state="recordal_filed")
    PaymentFactory(deal=deal, purpose="balance", state="succeeded")
    if evidence_state:
        RecordalEvidenceFactory(deal=deal, state=evidence_state)

    with pytest.raises(ValidationError) as caught:
        services.deal_complete(deal=deal, by=staff)

    assert codes(caught.value) == {"evidence_not_accepted"}
    assert caught.value.messages == [
        "The recordal evidence is not accepted yet: a party uploads the authority's "
        "document and platform staff check it before the deal completes."
    ]
    deal.refresh_from_db()
    assert deal.state == DealState.RECORDAL_FILED


def test_completion_with_neither_gives_both_reasons(listing, staff):
    deal = DealFactory(listing=listing, state="recordal_filed")
    with pytest.raises(ValidationError) as caught:
        services.deal_complete(deal=deal, by=staff)
    assert codes(caught.value) == {"balance_not_settled", "evidence_not_accepted"}


def test_with_the_whole_price_as_deposit_no_balance_is_waited_for(listing, staff):
    deal = DealFactory(listing=listing, state="recordal_filed", deposit_amount=Decimal("450000.00"))
    PaymentFactory(deal=deal, purpose="deposit", state="succeeded")
    evidence = RecordalEvidenceFactory(deal=deal)

    services.recordal_evidence_accept(evidence=evidence, by=staff)

    deal.refresh_from_db()
    assert deal.state == DealState.COMPLETED
    assert Payment.objects.get(purpose="payout").amount == Decimal("450000.00")


@pytest.mark.parametrize("party", ["seller", "buyer"])
def test_a_party_cannot_complete_on_its_own_word(listing, buyer_org, party):
    deal = DealFactory(listing=listing, buyer=buyer_org, state="recordal_filed")
    evidence = ready_to_complete(deal)
    organization = deal.seller if party == "seller" else buyer_org
    by = MembershipFactory(organization=organization).user

    with pytest.raises(PermissionDenied) as denied:
        services.deal_complete(deal=deal, by=by)
    assert str(denied.value) == "Only platform staff can do this."
    with pytest.raises(PermissionDenied) as denied:
        services.recordal_evidence_accept(evidence=evidence, by=by)
    assert str(denied.value) == "Only platform staff check recordal evidence."
    deal.refresh_from_db()
    evidence.refresh_from_db()
    assert (deal.state, evidence.state) == (DealState.RECORDAL_FILED, EvidenceState.SUBMITTED)


# --- the recordal evidence -------------------------------------------------------------------


def test_a_party_uploads_the_recordal_evidence_for_the_staffs_check(
    listing, seller, buyer_org, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    deal = DealFactory(listing=listing, buyer=buyer_org, state="recordal_filed")

    evidence = services.recordal_evidence_submit(
        deal=deal, by=seller, uploaded_file=pdf_upload("手续合格通知书 2026.pdf")
    )

    assert (evidence.deal, evidence.state, evidence.submitted_by) == (
        deal,
        EvidenceState.SUBMITTED,
        seller,
    )
    document = evidence.document
    assert (document.kind, document.organization, document.deal, document.original_name) == (
        DocumentKind.RECORDAL_EVIDENCE,
        listing.holder,
        deal,
        "手续合格通知书 2026.pdf",
    )
    notice = Notice.objects.get()
    assert (notice.event, list(notice.organizations.all())) == (
        "deals.evidence_submitted",
        [buyer_org],
    )
    # the upload is not a transition of the deal, nor a check
    deal.refresh_from_db()
    assert deal.state == DealState.RECORDAL_FILED
    assert not StateLog.objects.exists()


def test_the_buyer_may_upload_the_evidence_as_its_own_document(
    listing, buyer_org, buyer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    deal = DealFactory(listing=listing, buyer=buyer_org, state="recordal_filed")
    evidence = services.recordal_evidence_submit(deal=deal, by=buyer, uploaded_file=pdf_upload())
    assert evidence.document.organization == buyer_org


@pytest.mark.parametrize("state", ["contract_signed", "balance_paid", "completed", "cancelled"])
def test_the_evidence_is_uploaded_once_the_recordal_is_filed(
    listing, seller, state, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    deal = DealFactory(listing=listing, state=state)

    with pytest.raises(ValidationError) as caught:
        services.recordal_evidence_submit(deal=deal, by=seller, uploaded_file=pdf_upload())

    assert caught.value.code == "invalid_transition"
    assert not Document.objects.exists()
    assert list(tmp_path.rglob("*.pdf")) == []


def test_one_upload_waits_for_the_check_at_a_time(listing, seller, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    deal = DealFactory(listing=listing, state="recordal_filed")
    first = services.recordal_evidence_submit(deal=deal, by=seller, uploaded_file=pdf_upload())

    with pytest.raises(ValidationError) as caught:
        services.recordal_evidence_submit(deal=deal, by=seller, uploaded_file=pdf_upload())

    assert caught.value.code == "evidence_awaiting_check"
    assert "is waiting for platform staff's check" in caught.value.messages[0]
    assert list(Document.objects.all()) == [first.document]
    assert len(list(tmp_path.rglob("*.pdf"))) == 1  # the second file was not kept


def test_only_the_parties_upload_the_evidence(listing, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    deal = DealFactory(listing=listing, state="recordal_filed")
    outsider = MembershipFactory().user
    for by in (outsider, staff):
        with pytest.raises(PermissionDenied):
            services.recordal_evidence_submit(deal=deal, by=by, uploaded_file=pdf_upload())
    assert not Document.objects.exists()


def test_a_bad_file_is_refused_with_the_documents_rules(listing, seller, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    deal = DealFactory(listing=listing, state="recordal_filed")
    with pytest.raises(ValidationError) as caught:
        services.recordal_evidence_submit(
            deal=deal, by=seller, uploaded_file=pdf_upload("通知书.pdf", b"not a pdf at all")
        )
    assert "file" in caught.value.message_dict
    assert not RecordalEvidence.objects.exists()


def test_staff_reject_the_evidence_with_a_reason_the_parties_read(listing, staff, buyer_org):
    deal = DealFactory(listing=listing, buyer=buyer_org, state="recordal_filed")
    evidence = RecordalEvidenceFactory(deal=deal)

    with pytest.raises(ValidationError) as caught:
        services.recordal_evidence_reject(evidence=evidence, by=staff, reason="  ")
    assert caught.value.message_dict == {"reason": ["Give the parties a reason."]}

    services.recordal_evidence_reject(
        evidence=evidence, by=staff, reason="上传的是受理通知书，不是手续合格通知书"
    )

    evidence.refresh_from_db()
    assert (evidence.state, evidence.reviewed_by, evidence.review_note) == (
        EvidenceState.REJECTED,
        staff,
        "上传的是受理通知书，不是手续合格通知书",
    )
    log = StateLog.objects.for_(evidence).get()
    assert (log.transition, log.by) == ("reject", staff)
    deal.refresh_from_db()
    assert deal.state == DealState.RECORDAL_FILED
    notice = Notice.objects.get()
    assert set(notice.organizations.all()) == {listing.holder, buyer_org}
    assert notice.text["en"] == (
        "Platform staff did not accept the recordal evidence for “锂电池隔膜专利转让” "
        "(上传的是受理通知书，不是手续合格通知书); upload the authority's document again."
    )


def test_after_a_rejection_a_party_uploads_again(listing, seller, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    deal = DealFactory(listing=listing, state="recordal_filed")
    RecordalEvidenceFactory(deal=deal, state="rejected")
    again = services.recordal_evidence_submit(deal=deal, by=seller, uploaded_file=pdf_upload())
    assert again.state == EvidenceState.SUBMITTED


@pytest.mark.parametrize("state", ["accepted", "rejected"])
def test_evidence_is_checked_once(listing, staff, state):
    evidence = RecordalEvidenceFactory(
        deal=DealFactory(listing=listing, state="recordal_filed"), state=state
    )
    for check in (
        lambda: services.recordal_evidence_accept(evidence=evidence, by=staff),
        lambda: services.recordal_evidence_reject(evidence=evidence, by=staff, reason="再看"),
    ):
        with pytest.raises(ValidationError) as caught:
            check()
        assert caught.value.code == "invalid_transition"
    evidence.refresh_from_db()
    assert evidence.state == state


def test_the_evidence_document_cannot_be_deleted(listing, seller):
    evidence = RecordalEvidenceFactory(deal=DealFactory(listing=listing, state="recordal_filed"))
    with pytest.raises(ValidationError) as caught:
        document_delete(by=seller, document=evidence.document)
    assert caught.value.code == "protected"
    assert Document.objects.filter(pk=evidence.document_id).exists()


# --- cancellation and the deposit ----------------------------------------------------------


def test_cancelling_before_payment_cancels_the_deposit_request(listing, seller, buyer_org, buyer):
    deal = services.deal_accept(deal=DealFactory(listing=listing, buyer=buyer_org), by=seller)

    deal = services.deal_cancel(deal=deal, by=buyer, reason="  资金未到位 ")

    assert (deal.state, deal.last_note) == (DealState.CANCELLED, "资金未到位")
    assert list(Payment.objects.values_list("purpose", "state")) == [("deposit", "cancelled")]


def test_cancelling_after_the_deposit_owes_a_refund(listing, seller, staff):
    deal = services.deal_accept(deal=DealFactory(listing=listing), by=seller)
    payment_confirm_offline(payment=Payment.objects.get(), by=staff)

    deal = services.deal_cancel(deal=deal, by=staff, reason="平台核查发现权属争议")

    assert deal.state == DealState.CANCELLED
    deposit = Payment.objects.get(purpose=PaymentPurpose.DEPOSIT)
    refund = Payment.objects.get(purpose=PaymentPurpose.REFUND)
    assert deposit.state == PaymentState.SUCCEEDED
    assert (refund.state, refund.amount, refund.provider, refund.refund_of) == (
        PaymentState.PENDING,
        deposit.amount,
        deposit.provider,
        deposit,
    )
    assert set(Notice.objects.get(event="deals.cancel").organizations.all()) == {
        deal.seller,
        deal.buyer,
    }


def test_cancelling_after_the_balance_refunds_deposit_and_balance(
    listing, seller, buyer_org, buyer, staff
):
    # given a deal whose deposit and balance both arrived in escrow, through the services
    deal = services.deal_accept(deal=DealFactory(listing=listing, buyer=buyer_org), by=seller)
    payment_confirm_offline(payment=Payment.objects.get(purpose="deposit"), by=staff)
    services.deal_sign(deal=deal, by=seller)
    services.deal_sign(deal=deal, by=buyer)
    payment_confirm_offline(payment=Payment.objects.get(purpose="balance"), by=staff)
    deal.refresh_from_db()
    assert deal.state == DealState.BALANCE_PAID

    # when the buyer calls it off
    deal = services.deal_cancel(deal=deal, by=buyer, reason="董事会未批准本次受让")

    # then both payments are owed back, each as its own refund
    assert deal.state == DealState.CANCELLED
    refunds = Payment.objects.filter(purpose=PaymentPurpose.REFUND).order_by("pk")
    assert [(r.refund_of.purpose, r.amount, r.state) for r in refunds] == [
        ("deposit", Decimal("45000.00"), PaymentState.PENDING),
        ("balance", Decimal("405000.00"), PaymentState.PENDING),
    ]
    assert not Payment.objects.filter(purpose=PaymentPurpose.PAYOUT).exists()


@pytest.mark.parametrize("party", ["seller", "buyer"])
def test_once_the_recordal_is_filed_only_staff_cancel(listing, buyer_org, staff, party):
    deal = DealFactory(listing=listing, buyer=buyer_org, state="recordal_filed")
    deposit = PaymentFactory(deal=deal, purpose="deposit", state="succeeded")
    balance = PaymentFactory(deal=deal, purpose="balance", state="succeeded")
    by = MembershipFactory(organization=deal.seller if party == "seller" else buyer_org).user

    with pytest.raises(PermissionDenied) as denied:
        services.deal_cancel(deal=deal, by=by, reason="不想继续了")
    assert "only platform staff can cancel the deal" in str(denied.value)

    # staff can, when the authority refused the recordal
    deal = services.deal_cancel(deal=deal, by=staff, reason="国家知识产权局不予登记")
    assert deal.state == DealState.CANCELLED
    assert set(Payment.objects.filter(purpose="refund").values_list("refund_of", flat=True)) == {
        deposit.pk,
        balance.pk,
    }


def test_a_cancellation_needs_a_reason(listing, seller):
    deal = DealFactory(listing=listing, state="accepted")
    with pytest.raises(ValidationError) as caught:
        services.deal_cancel(deal=deal, by=seller, reason="")
    assert caught.value.message_dict == {"reason": ["Give a reason for the cancellation."]}


# --- audit and notices ---------------------------------------------------------------------


def test_an_acceptance_rolled_back_leaves_nothing(
    listing, seller, django_capture_on_commit_callbacks
):
    deal = DealFactory(listing=listing)

    def accept_then_fail() -> None:
        with transaction.atomic():
            services.deal_accept(deal=deal, by=seller)
            raise RuntimeError("the surrounding work failed")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        accept_then_fail()

    deal.refresh_from_db()
    assert (deal.state, deal.deposit_amount) == (DealState.PROPOSED, None)
    assert not StateLog.objects.for_(deal).exists()
    assert not Payment.objects.exists()
    assert not Notice.objects.exists()
    assert callbacks == []


def test_a_refused_completion_leaves_nothing(listing, staff, asset):
    deal = DealFactory(listing=listing, state="recordal_filed")
    evidence = ready_to_complete(deal)
    waiting = DealFactory(listing=listing, state="proposed")
    assets_change_holder(assets=[asset], new_holder=OrganizationFactory())

    with pytest.raises(ValidationError):
        services.recordal_evidence_accept(evidence=evidence, by=staff)

    waiting.refresh_from_db()
    assert waiting.state == DealState.PROPOSED
    assert not StateLog.objects.for_(deal).exists()
    assert not StateLog.objects.for_(waiting).exists()
    assert not Notice.objects.exists()


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    """`with delivered():` delivers the block's notices as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_accepting_tells_the_buyer_after_commit(listing, seller, buyer_org, buyer, delivered):
    deal = DealFactory(listing=listing, buyer=buyer_org)

    with delivered():
        services.deal_accept(deal=deal, by=seller)

    notice = Notice.objects.get()
    assert notice.event == "deals.accept"
    assert notice.url == f"/workspace/deals/{deal.pk}/"
    assert list(Notification.objects.values_list("recipient", flat=True)) == [buyer.pk]
    assert [m.to for m in mail.outbox] == [[buyer.email]]
    assert "accepted your offer on “锂电池隔膜专利转让”" in mail.outbox[0].body


def test_a_rolled_back_acceptance_sends_nothing(listing, seller, buyer, delivered):
    deal = DealFactory(listing=listing, buyer=buyer.memberships.get().organization)

    def accept_then_fail() -> None:
        with transaction.atomic():
            services.deal_accept(deal=deal, by=seller)
            raise RuntimeError("failed after the transition")

    with delivered(), pytest.raises(RuntimeError):
        accept_then_fail()

    assert not Notice.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []
