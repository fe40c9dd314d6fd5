"""The parties' deal pages: the offer form, the list, the deal's page and every action on it,
end to end through the views and the real services — who may see a deal (its two parties;
everybody else a 404, for reading and for every action), service errors next to the fields
or as messages, the offline deposit's and balance's instructions, the recordal evidence
(the authority's document named per kind, its upload, the staff's verdict), the pledgee's
consent, and constant query counts."""

import datetime
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from listings.models import IPAsset, ListingState
from marketplace.deals import services
from marketplace.deals.models import Deal, DealState, EvidenceState, Licence, RecordalEvidence
from marketplace.documents.models import Document
from marketplace.parties.models import User
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
)

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LIST_URL = reverse("deals:list")
ACTIONS = ("accept", "decline", "withdraw", "sign", "file_recordal", "cancel")


def today() -> datetime.date:
    """Read at each use, not once at import: a run that goes on past midnight in
    Zhengzhou is on the next day."""
    return timezone.localdate()


def _propose_url(listing_pk: object) -> str:
    return f"{reverse('deals:propose')}?listing={listing_pk}"


def _detail_url(deal: Deal) -> str:
    return reverse("deals:detail", args=[deal.pk])


def _action_url(deal: Deal, action: str) -> str:
    return reverse(f"deals:{action}", args=[deal.pk])


def _evidence_url(deal: Deal) -> str:
    return reverse("deals:recordal_evidence_upload", args=[deal.pk])


def _pdf(name: str = "手续合格通知书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def _messages(response) -> list[str]:
    return [li.get_text(" ", strip=True) for li in _soup(response).select(".messages li")]


def _field_errors(response, name: str) -> list[str]:
    block = _soup(response).find(attrs={"name": name}).find_parent("div", class_="field")
    return [p.get_text() for p in block.find_all("p", class_="error")]


def _form_errors(response) -> list[str]:
    return [p.get_text() for p in _soup(response).select(".form-errors p")]


def _text(response) -> str:
    return " ".join(_soup(response).get_text(" ", strip=True).split())


def browser(user: User | None, language: str = "en") -> Client:
    """A client of its own per person, reading in English unless told."""
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- the cast ------------------------------------------------------------------------------


@pytest.fixture
def seller_org():
    return OrganizationFactory(verification_state="verified", name="郑州锂能科技有限公司")


@pytest.fixture
def seller(seller_org):
    return MembershipFactory(organization=seller_org, user__name="王经理").user


@pytest.fixture
def buyer_org():
    return OrganizationFactory(verification_state="verified", name="河南新能源装备有限公司")


@pytest.fixture
def buyer(buyer_org):
    return MembershipFactory(organization=buyer_org, user__name="李总").user


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


@pytest.fixture
def listing(seller_org):
    return ListingFactory(
        state="published",
        holder=seller_org,
        title="锂电池隔膜专利转让",
        asking_price=Decimal("500000.00"),
    )


@pytest.fixture
def licence_listing(seller_org):
    return ListingFactory(
        state="published",
        holder=seller_org,
        title="锂电池隔膜专利普通许可",
        intent="licence",
        licence_type="non_exclusive",
        asking_price=Decimal("80000.00"),
    )


@pytest.fixture
def deal(buyer, buyer_org, listing):
    return services.deal_propose(
        by=buyer, buyer=buyer_org, listing=listing, price=Decimal("480000.00"), message="诚意购买"
    )


@pytest.fixture
def outsider():
    """A member of another verified organisation: no party to anything here."""
    return MembershipFactory(organization__verification_state="verified").user


def _offer(client: Client, listing, **data):
    form = client.get(_propose_url(listing.pk)).context["form"]
    payload = {name: form[name].value() or "" for name in form.fields}
    payload.update(data)
    return client.post(_propose_url(listing.pk), payload)


# --- the offer form ------------------------------------------------------------------------


def test_the_offer_form_prefills_the_asking_price_and_hides_a_single_buyer(
    buyer, buyer_org, listing
):
    response = browser(buyer).get(_propose_url(listing.pk))

    assert response.status_code == 200
    soup = _soup(response)
    assert soup.find("input", attrs={"name": "price"})["value"] == "500000.00"
    assert soup.find("input", attrs={"name": "buyer"})["type"] == "hidden"
    assert soup.find("input", attrs={"name": "buyer"})["value"] == str(buyer_org.pk)
    assert "Offer on behalf of 河南新能源装备有限公司" in _text(response)
    assert soup.find(attrs={"name": "territory"}) is None  # a transfer has no licence terms


def test_a_member_of_several_organisations_chooses_which_one_offers(listing, seller_org):
    # given a user in two verified organisations, one pending one, and the seller
    user = UserFactory()
    first = MembershipFactory(user=user, organization__verification_state="verified").organization
    second = MembershipFactory(user=user, organization__verification_state="verified").organization
    MembershipFactory(user=user, organization__verification_state="pending")
    MembershipFactory(user=user, organization=seller_org)

    response = browser(user).get(_propose_url(listing.pk))

    options = _soup(response).select("select[name=buyer] option")
    assert sorted(int(o["value"]) for o in options) == sorted([first.pk, second.pk])


def test_a_buyer_makes_an_offer_on_a_transfer_listing(buyer, buyer_org, listing):
    client = browser(buyer)

    response = _offer(client, listing, price="450000.50", message="请尽快回复")

    deal = Deal.objects.get()
    assert response.status_code == 302
    assert response.url == _detail_url(deal)
    assert (deal.state, deal.kind, deal.buyer, deal.seller) == (
        DealState.PROPOSED,
        "transfer",
        buyer_org,
        listing.holder,
    )
    assert deal.price == Decimal("450000.50")
    assert deal.message == "请尽快回复"
    page = client.get(response.url)
    assert _messages(page) == ["Your offer on “锂电池隔膜专利转让” is sent to the seller."]
    assert "Waiting for the seller's answer" in _text(page)


def test_a_buyer_offers_for_a_licence_with_its_terms(buyer, licence_listing):
    client = browser(buyer)
    form = client.get(_propose_url(licence_listing.pk)).context["form"]
    assert form["territory"].value() == "Mainland China"
    assert form["licence_start"].value() == today()
    end = today() + datetime.timedelta(days=3 * 365)

    response = _offer(
        client,
        licence_listing,
        territory="河南省",
        licence_start=today().isoformat(),
        licence_end=end.isoformat(),
        royalty="净销售额的3%，按年支付",
    )

    deal = Deal.objects.get()
    assert response.status_code == 302
    assert (deal.kind, deal.licence_type, deal.territory) == ("licence", "non_exclusive", "河南省")
    assert (deal.licence_start, deal.licence_end) == (today(), end)
    assert deal.royalty == "净销售额的3%，按年支付"
    page = _text(client.get(response.url))
    assert f"{today():%Y-%m-%d} – {end:%Y-%m-%d}" in page
    assert "Non-exclusive licence" in page


def test_a_member_of_the_seller_cannot_offer_on_its_own_listing(seller, listing, seller_org):
    client = browser(seller)

    get = client.get(_propose_url(listing.pk))
    post = client.post(_propose_url(listing.pk), {"buyer": seller_org.pk, "price": "1000"})

    for response in (get, post):
        assert response.status_code == 200
        assert "This is your listing" in _text(response)
        assert _soup(response).find("input", attrs={"name": "price"}) is None
    assert not Deal.objects.exists()


@pytest.mark.parametrize(
    ("membership", "expected"),
    [
        ("pending", "Your organisation is not verified yet"),
        (None, "A verified organisation is needed"),
    ],
)
def test_a_user_without_a_verified_organisation_is_told_why(listing, membership, expected):
    user = UserFactory()
    if membership:
        MembershipFactory(user=user, organization__verification_state=membership)
    response = browser(user).get(_propose_url(listing.pk))
    assert expected in _text(response)
    assert _soup(response).find("form", class_="offer-form") is None


def test_a_second_open_offer_of_the_same_buyer_is_refused(buyer, listing, deal):
    client = browser(buyer)
    page = client.get(_propose_url(listing.pk))
    assert "河南新能源装备有限公司 already has an open offer on this listing" in _text(page)
    assert _soup(page).find("a", string="See the offer")["href"] == _detail_url(deal)

    response = _offer(client, listing, price="490000")

    assert response.status_code == 200
    assert _form_errors(response) == [
        "Your organisation already has an open offer on this listing."
    ]
    assert Deal.objects.count() == 1


@pytest.mark.parametrize("price", ["0", "-5"])
def test_an_offer_must_be_above_zero(buyer, listing, price):
    response = _offer(browser(buyer), listing, price=price)
    assert response.status_code == 200
    assert _field_errors(response, "price") == ["Enter your offer, above zero."]
    assert not Deal.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (-1, 365, "licence_start", "The licence starts today or later."),
        (10, 5, "licence_end", "The licence ends after it starts."),
        (0, None, "licence_end", "The licence ends after it starts."),
    ],
)
def test_licence_dates_are_checked(buyer, licence_listing, start, end, field, message):
    def day(offset):
        return "" if offset is None else (today() + datetime.timedelta(days=offset)).isoformat()

    response = _offer(
        browser(buyer), licence_listing, licence_start=day(start), licence_end=day(end)
    )
    assert response.status_code == 200
    assert message in _field_errors(response, field)
    assert not Deal.objects.exists()


def test_no_licence_beside_an_exclusive_licence_in_force(buyer, seller_org):
    # given an asset under an exclusive licence until next year
    asset = IPAssetFactory(holder=seller_org)
    earlier = DealFactory(
        listing=ListingFactory(state="closed", holder=seller_org, intent="licence", assets=[asset]),
        state="completed",
    )
    Licence.objects.create(
        asset=asset,
        deal=earlier,
        licensor=seller_org,
        licensee=earlier.buyer,
        licence_type="exclusive",
        territory="中国大陆",
        start=today() - datetime.timedelta(days=30),
        end=today() + datetime.timedelta(days=365),
    )
    listing = ListingFactory(
        state="published",
        holder=seller_org,
        intent="licence",
        licence_type="non_exclusive",
        assets=[asset],
    )

    response = _offer(
        browser(buyer), listing, licence_end=(today() + datetime.timedelta(days=90)).isoformat()
    )

    assert response.status_code == 200
    [error] = _form_errors(response)
    assert "no further licence is possible" in error
    assert not Deal.objects.filter(listing=listing).exists()


@pytest.mark.parametrize("state", ["draft", "pending_review", "withdrawn", "closed", "expired"])
def test_a_listing_that_is_not_published_is_a_404(buyer, buyer_org, seller_org, state):
    listing = ListingFactory(state=state, holder=seller_org)
    client = browser(buyer)
    assert client.get(_propose_url(listing.pk)).status_code == 404
    post = client.post(_propose_url(listing.pk), {"buyer": buyer_org.pk, "price": "1000"})
    assert post.status_code == 404
    assert not Deal.objects.exists()


def test_a_pledge_listing_takes_no_offers(buyer, seller_org):
    listing = ListingFactory(state="published", holder=seller_org, intent="pledge")
    assert browser(buyer).get(_propose_url(listing.pk)).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?listing=",
        "?listing=abc",
        "?listing=-1",
        "?listing=0",
        "?listing=1.5",
        "?listing=99999999999999999999999",
        "?listing=%D9%A1",
        "?listing=1%00",
        "?listing=424242",
    ],
)
def test_a_garbage_listing_id_is_a_404_not_a_500(buyer, listing, query):
    response = browser(buyer).get(reverse("deals:propose") + query)
    assert response.status_code == 404


def test_an_anonymous_visitor_signs_in_first(listing):
    response = browser(None).get(_propose_url(listing.pk))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_the_deals_of_my_organisations_only(buyer, buyer_org, seller_org, deal):
    # given an offer my organisation made, an offer on a listing of ours, and a stranger's
    selling = DealFactory(listing=ListingFactory(state="published", holder=buyer_org))
    strangers = DealFactory()
    client = browser(buyer)

    rows = {
        row.select_one("a").get_text(): [td.get_text(" ", strip=True) for td in row.select("td")]
        for row in _soup(client.get(LIST_URL)).select("tr.deal-row")
    }

    assert set(rows) == {deal.listing.title, selling.listing.title}
    assert strangers.listing.title not in rows
    assert rows[deal.listing.title][1:] == [
        "Buying",
        "郑州锂能科技有限公司",
        "¥480,000.00",
        "Offer made",
        "Waiting for the seller's answer",
    ]
    assert rows[selling.listing.title][1] == "Selling"
    assert rows[selling.listing.title][5] == "Accept or decline the offer"

    buying_only = _soup(client.get(LIST_URL + "?role=buying")).select("tr.deal-row a")
    selling_only = _soup(client.get(LIST_URL + "?role=selling")).select("tr.deal-row a")
    assert [a.get_text() for a in buying_only] == [deal.listing.title]
    assert [a.get_text() for a in selling_only] == [selling.listing.title]


def test_the_list_filters_by_listing(seller, listing, seller_org):
    on_it = DealFactory(listing=listing)
    DealFactory(listing=ListingFactory(state="published", holder=seller_org))
    response = browser(seller).get(f"{LIST_URL}?role=selling&listing={listing.pk}")
    assert [a["href"] for a in _soup(response).select("tr.deal-row a")] == [_detail_url(on_it)]
    assert "Offers on “锂电池隔膜专利转让” only." in _text(response)


def test_the_list_ignores_a_garbage_filter(buyer, deal):
    response = browser(buyer).get(f"{LIST_URL}?role=nobody&listing=abc&page=zz")
    assert response.status_code == 200
    assert len(_soup(response).select("tr.deal-row")) == 1


def _deals_of(organization, n: int) -> None:
    """n deals in various states, half bought and half sold by `organization`."""
    states = ["proposed", "accepted", "deposit_paid", "contract_signed", "completed", "declined"]
    for i in range(n):
        state = states[i % len(states)]
        if i % 2:
            DealFactory(buyer=organization, state=state)
        else:
            DealFactory(listing=ListingFactory(state="published", holder=organization), state=state)


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_runs_a_fixed_number_of_queries(
    buyer, buyer_org, n, django_assert_max_num_queries
):
    _deals_of(buyer_org, n)
    client = browser(buyer)
    client.get(LIST_URL)  # warm the per-process caches (content types, site)
    # session, user, memberships, count, page; the rest is the site header's
    with django_assert_max_num_queries(9):
        response = client.get(LIST_URL)
    assert len(_soup(response).select("tr.deal-row")) == min(n, 25)


def test_the_list_costs_the_same_at_3_and_30_deals(buyer, buyer_org):
    client = browser(buyer)
    counts = []
    for n in (3, 30):
        _deals_of(buyer_org, n - Deal.objects.count())
        client.get(LIST_URL)
        with CaptureQueriesContext(connection) as queries:
            client.get(LIST_URL)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_list_is_paginated_by_25(buyer, buyer_org):
    _deals_of(buyer_org, 30)
    client = browser(buyer)
    first = client.get(LIST_URL + "?role=buying")
    assert len(_soup(first).select("tr.deal-row")) == 15
    everything = client.get(LIST_URL)
    assert len(_soup(everything).select("tr.deal-row")) == 25
    assert _soup(everything).select_one("a[rel=next]")["href"] == "?page=2"
    assert len(_soup(client.get(LIST_URL + "?page=2")).select("tr.deal-row")) == 5


# --- nobody else sees a deal ---------------------------------------------------------------


@pytest.fixture(params=["outsider", "staff", "reviewer_of_the_seller"])
def stranger(request, outsider, staff, seller_org):
    if request.param == "outsider":
        return outsider
    if request.param == "staff":
        return staff  # staff follow deals in the admin, not in a party's workspace
    # a bank reviewer membership does not make one a party of the organisation's deals
    return MembershipFactory(organization=seller_org, role="reviewer").user


def test_a_deal_is_a_404_for_anybody_but_its_parties(stranger, seller, deal):
    # given a deal accepted by the seller
    deal = services.deal_accept(deal=deal, by=seller)
    client = browser(stranger)
    before = Deal.objects.values().get(pk=deal.pk)

    assert client.get(_detail_url(deal)).status_code == 404
    for action in ACTIONS:
        response = client.post(
            _action_url(deal, action),
            {"reason": "x", "recordal_number": "N1", "recordal_date": today().isoformat()},
        )
        assert response.status_code == 404, action
    upload = client.post(
        reverse("deals:document_upload", args=[deal.pk]),
        {"kind": "contract", "file": SimpleUploadedFile("合同.pdf", PDF, "application/pdf")},
    )
    assert upload.status_code == 404
    assert client.post(_evidence_url(deal), {"file": _pdf()}).status_code == 404
    assert Deal.objects.values().get(pk=deal.pk) == before
    assert not Document.objects.exists()
    assert Payment.objects.get(deal=deal).state == PaymentState.PENDING


def test_an_anonymous_visitor_is_sent_to_sign_in(deal):
    client = browser(None)
    assert client.get(_detail_url(deal)).status_code == 302
    assert client.post(_action_url(deal, "withdraw")).status_code == 302
    assert Deal.objects.get(pk=deal.pk).state == DealState.PROPOSED


def test_an_unknown_deal_is_a_404(buyer):
    assert browser(buyer).get(reverse("deals:detail", args=[987654])).status_code == 404


def test_actions_take_post_only(buyer, deal):
    assert browser(buyer).get(_action_url(deal, "withdraw")).status_code == 405


# --- the deal's page and its actions, end to end -------------------------------------------


def test_a_transfer_from_offer_to_completion_through_the_pages(
    buyer, buyer_org, seller, listing, staff, django_capture_on_commit_callbacks
):
    as_buyer, as_seller = browser(buyer), browser(seller)
    asset = listing.assets.get()

    # the buyer offers
    with django_capture_on_commit_callbacks(execute=True):
        response = _offer(as_buyer, listing, price="480000")
    deal = Deal.objects.get()

    # the seller sees the offer and accepts it, asking a deposit of 50,000
    page = as_seller.get(_detail_url(deal))
    assert "Accept or decline the offer" in _text(page)
    assert _soup(page).select_one("form.action-accept") is not None
    response = as_seller.post(
        _action_url(deal, "accept"), {"deposit_amount": "50000", "note": "同意"}, follow=True
    )
    assert _messages(response) == [
        "You accepted the offer. The buyer now pays the deposit of ¥50,000.00; "
        "platform staff confirm its receipt."
    ]

    # the buyer reads the offline payment instructions with the payment's reference
    payment = Payment.objects.get(deal=deal, purpose=PaymentPurpose.DEPOSIT)
    page = as_buyer.get(_detail_url(deal))
    box = _soup(page).select_one(".offline-payment")
    text = " ".join(box.get_text(" ", strip=True).split())
    assert "Offline payment" in text
    assert "platform staff confirm receipt by hand" in text
    assert "Transfer ¥50,000.00 to the account below and quote the reference" in text
    for value in settings.OFFLINE_PAYMENT_ACCOUNT.values():
        assert value in text
    assert payment.reference in text
    assert "Pay the deposit" in _text(page)
    # the balance is announced, not asked for yet
    balance_row = " ".join(_soup(page).select_one(".payment-balance").get_text(" ").split())
    assert "¥430,000.00" in balance_row
    assert "requested once both parties have signed" in balance_row

    # platform staff confirm receipt (in the admin; here through the service)
    payment_confirm_offline(payment=payment, by=staff)
    page = as_buyer.get(_detail_url(deal))
    assert _soup(page).select_one(".offline-payment") is None
    assert "Received" in _soup(page).select_one(".payment-deposit").get_text()
    assert "Sign the contract" in _text(page)

    # the seller signs first and waits for the buyer
    response = as_seller.post(_action_url(deal, "sign"), follow=True)
    assert _messages(response) == [
        "Your signature is recorded; waiting for the other party to sign."
    ]
    assert "You signed the contract; waiting for the other party to sign." in _text(response)
    assert _soup(response).select_one("form.action-sign") is None
    page = as_buyer.get(_detail_url(deal))
    assert "The other party signed the contract; your signature is awaited." in _text(page)

    # the buyer signs, and now owes the balance
    response = as_buyer.post(_action_url(deal, "sign"), follow=True)
    assert _messages(response) == [
        "The contract is signed by both parties. The buyer now pays the balance of "
        "¥430,000.00 into the platform's escrow account."
    ]
    deal.refresh_from_db()
    assert deal.state == DealState.CONTRACT_SIGNED
    contract = " ".join(
        _soup(response).select_one(".deal-contract").get_text(" ", strip=True).split()
    )
    assert (
        f"Signed by the seller {timezone.localtime(deal.seller_signed_at):%Y-%m-%d %H:%M}"
        in contract
    )
    assert (
        f"Signed by the buyer {timezone.localtime(deal.buyer_signed_at):%Y-%m-%d %H:%M}" in contract
    )
    balance = Payment.objects.get(deal=deal, purpose=PaymentPurpose.BALANCE)
    box = " ".join(_soup(response).select_one(".offline-payment").get_text(" ").split())
    assert "Transfer the balance of ¥430,000.00 to the account below" in box
    assert balance.reference in box
    assert "Pay the balance" in _text(response)
    # the seller sees the same account and reference, and waits
    page = as_seller.get(_detail_url(deal))
    box = " ".join(_soup(page).select_one(".offline-payment").get_text(" ").split())
    assert "The buyer transfers the balance to the platform's escrow account below" in box
    assert balance.reference in box
    assert "Waiting for the buyer's balance" in _text(page)
    assert _soup(page).select_one("form.action-file_recordal") is None

    # staff confirm the balance: the recordal can be filed
    payment_confirm_offline(payment=balance, by=staff)
    page = as_seller.get(_detail_url(deal))
    assert _soup(page).select_one(".offline-payment") is None
    assert "Received" in _soup(page).select_one(".payment-balance").get_text()
    filing = " ".join(_soup(page).select_one("form.action-file_recordal").get_text(" ").split())
    assert (
        "China National Intellectual Property Administration (CNIPA): Change in bibliographic "
        "data (transfer of the patent right)"
    ) in filing

    # the seller records the recordal filing
    response = as_seller.post(
        _action_url(deal, "file_recordal"),
        {"recordal_number": "ZR2026-0001", "recordal_date": today().isoformat()},
        follow=True,
    )
    assert _messages(response) == [
        "The recordal filing is recorded. Upload the authority's document here once it is issued."
    ]
    assert "ZR2026-0001" in _text(response)
    assert "Upload the authority's evidence of the recordal" in _text(response)
    # nobody records completion on their own word: there is no such step any more
    assert _soup(response).find(string="Record completion") is None
    assert as_seller.post(f"{_detail_url(deal)}complete/").status_code == 404

    # the seller uploads CNIPA's notification
    evidence_name = (
        "CNIPA's Notification of Qualified Formalities (手续合格通知书) for the change in "
        "bibliographic data"
    )
    assert evidence_name in _text(response)
    response = as_seller.post(_evidence_url(deal), {"file": _pdf()}, follow=True)
    assert _messages(response) == ["Uploaded 手续合格通知书.pdf; platform staff check it next."]
    assert response.redirect_chain[-1][0] == _detail_url(deal) + "#recordal"
    [row] = _soup(response).select("tr.evidence")
    assert "Awaiting the staff's check" in row.get_text()
    assert _soup(response).select_one("form.evidence-upload") is None
    page = as_buyer.get(_detail_url(deal))
    assert "Waiting for platform staff to check the recordal evidence" in _text(page)

    # platform staff accept it (in the admin; here through the service): the deal completes
    evidence = RecordalEvidence.objects.get(deal=deal)
    services.recordal_evidence_accept(evidence=evidence, by=staff)
    response = as_buyer.get(_detail_url(deal))
    asset.refresh_from_db()
    listing.refresh_from_db()
    assert asset.holder == buyer_org
    assert listing.state == ListingState.CLOSED
    page = _text(response)
    assert "Nothing more to do: this deal is finished." in page
    payout = " ".join(_soup(response).select_one(".payment-payout").get_text(" ").split())
    assert "¥480,000.00" in payout
    assert "Being paid out" in payout
    history = [
        li.select(".state-badge")[-1].get_text(strip=True)
        for li in _soup(response).select(".timeline-entry")
    ]
    assert history == [
        "Offer made",
        "Accepted",
        "Deposit paid",
        "Contract signed",
        "Balance paid",
        "Recordal filed",
        "Completed",
    ]
    assert _soup(response).select_one(".deal-actions") is None
    assert "Accepted" in _soup(response).select_one("tr.evidence").get_text()
    # the evidence is kept: no delete button for it
    delete_url = reverse("documents:delete", args=[evidence.document_id])
    assert (
        _soup(as_seller.get(_detail_url(deal))).select_one(f'form[action="{delete_url}"]') is None
    )


def test_a_licence_completes_with_a_licence_per_asset(
    buyer, buyer_org, seller, licence_listing, staff
):
    end = today() + datetime.timedelta(days=730)
    deal = services.deal_propose(
        by=buyer,
        buyer=buyer_org,
        listing=licence_listing,
        price=Decimal("80000"),
        territory="中国大陆",
        licence_start=today(),
        licence_end=end,
    )
    deal = services.deal_accept(deal=deal, by=seller)
    payment_confirm_offline(payment=Payment.objects.get(deal=deal), by=staff)
    services.deal_sign(deal=deal, by=seller)
    services.deal_sign(deal=deal, by=buyer)
    payment_confirm_offline(payment=Payment.objects.get(deal=deal, purpose="balance"), by=staff)
    services.deal_file_recordal(deal=deal, by=buyer, recordal_number="X-1", recordal_date=today())
    page = browser(buyer).get(_detail_url(deal))
    assert (
        "CNIPA's Certificate of Recordal of the Patent Licence Contract (专利实施许可合同备案证明)"
        in _text(page)
    )
    browser(buyer).post(_evidence_url(deal), {"file": _pdf("专利实施许可合同备案证明.pdf")})
    services.recordal_evidence_accept(evidence=RecordalEvidence.objects.get(), by=staff)

    response = browser(seller).get(_detail_url(deal))

    licence = Licence.objects.get(deal=deal)
    assert licence.licensee == buyer_org
    rows = _soup(response).select(".deal-licences tbody tr")
    assert len(rows) == 1
    assert "Non-exclusive licence" in rows[0].get_text()
    assert f"{today():%Y-%m-%d} – {end:%Y-%m-%d}" in rows[0].get_text()


@pytest.mark.parametrize(
    ("kind", "intent", "procedure", "evidence"),
    [
        (
            "invention",
            "transfer",
            "著录项目变更（专利权转让）",
            "国家知识产权局就著录项目变更发出的《手续合格通知书》",
        ),
        (
            "design",
            "licence",
            "专利实施许可合同备案",
            "国家知识产权局出具的《专利实施许可合同备案证明》",
        ),
        ("trademark", "transfer", "注册商标转让", "商标局出具的《核准转让证明》"),
        ("trademark", "licence", "商标使用许可备案", "商标局出具的《商标使用许可备案通知书》"),
        (
            "geographical_indication",
            "transfer",
            "注册商标转让",
            "商标局出具的《核准转让证明》",
        ),
        (
            "copyright_work",
            "transfer",
            "著作权转让登记",
            "版权登记机构出具的著作权变更或转让登记证明",
        ),
        (
            "software_copyright",
            "licence",
            "计算机软件著作权许可合同登记",
            "中国版权保护中心出具的《计算机软件著作权转让或者专有许可合同登记证书》",
        ),
    ],
)
def test_the_page_names_the_authoritys_document_per_kind_in_chinese(
    seller, seller_org, buyer_org, kind, intent, procedure, evidence
):
    asset = IPAssetFactory(holder=seller_org, kind=kind)
    listing = ListingFactory(
        state="published",
        holder=seller_org,
        assets=[asset],
        intent=intent,
        licence_type="non_exclusive" if intent == "licence" else "",
    )
    deal = DealFactory(listing=listing, buyer=buyer_org, state="recordal_filed")

    page = _text(browser(seller, language="zh-hans").get(_detail_url(deal)))

    assert f"提交事项 {procedure}" in page
    assert f"需上传的证明 {evidence}" in page
    assert "上传主管机关出具的登记备案证明" in page


def test_a_package_of_a_patent_and_a_trademark_needs_both_documents(seller, seller_org, buyer_org):
    assets = [
        IPAssetFactory(holder=seller_org, kind="invention"),
        IPAssetFactory(holder=seller_org, kind="trademark"),
    ]
    listing = ListingFactory(state="published", holder=seller_org, assets=assets)
    deal = DealFactory(listing=listing, buyer=buyer_org, state="balance_paid")
    terms = _soup(browser(seller).get(_detail_url(deal))).select(".recordal-evidence-name")
    assert [t.get_text() for t in terms] == [
        "CNIPA's Notification of Qualified Formalities (手续合格通知书) for the change in "
        "bibliographic data",
        "The Trademark Office's Certificate of Approved Assignment (核准转让证明)",
    ]


def test_a_rejected_upload_shows_the_reason_and_asks_again(buyer, buyer_org, seller_org, staff):
    listing = ListingFactory(state="published", holder=seller_org)
    deal = DealFactory(listing=listing, buyer=buyer_org, state="recordal_filed")
    evidence = RecordalEvidenceFactory(deal=deal)
    services.recordal_evidence_reject(
        evidence=evidence, by=staff, reason="扫描件不清晰，请重新上传"
    )

    page = browser(buyer).get(_detail_url(deal))

    row = " ".join(_soup(page).select_one("tr.evidence").get_text(" ").split())
    assert "Rejected" in row
    assert "Reason: 扫描件不清晰，请重新上传" in row
    assert _soup(page).select_one("form.evidence-upload") is not None
    assert "Upload the authority's evidence of the recordal" in _text(page)
    response = browser(buyer).post(_evidence_url(deal), {"file": _pdf()}, follow=True)
    assert RecordalEvidence.objects.filter(deal=deal, state=EvidenceState.SUBMITTED).exists()
    assert len(_soup(response).select("tr.evidence")) == 2


def test_the_evidence_form_is_offered_only_once_the_recordal_is_filed(seller, deal):
    assert _soup(browser(seller).get(_detail_url(deal))).select_one("form.evidence-upload") is None
    response = browser(seller).post(_evidence_url(deal), {"file": _pdf()}, follow=True)
    assert _messages(response) == ["This deal is “Offer made”, so that step is not possible now."]
    assert not Document.objects.exists()


def test_an_upload_without_a_file_is_reported(seller, seller_org):
    deal = DealFactory(
        listing=ListingFactory(state="published", holder=seller_org), state="recordal_filed"
    )
    response = browser(seller).post(_evidence_url(deal), {}, follow=True)
    assert _messages(response) == ["The authority's document: Choose the file to upload."]
    assert not RecordalEvidence.objects.exists()


def test_the_buyer_cannot_accept_its_own_offer(buyer, deal):
    response = browser(buyer).post(_action_url(deal, "accept"), follow=True)
    assert response.status_code == 200
    assert _messages(response) == ["Only the seller can do this."]
    assert Deal.objects.get(pk=deal.pk).state == DealState.PROPOSED
    # and the page offers the buyer no such button
    assert _soup(response).select_one("form.action-accept") is None
    assert _soup(response).select_one("form.action-withdraw") is not None


def test_the_seller_cannot_withdraw_the_buyers_offer(seller, deal):
    response = browser(seller).post(_action_url(deal, "withdraw"), follow=True)
    assert _messages(response) == ["Only the buyer can do this."]
    assert Deal.objects.get(pk=deal.pk).state == DealState.PROPOSED


def test_a_step_the_state_does_not_allow_is_reported(seller, deal):
    response = browser(seller).post(_action_url(deal, "sign"), follow=True)
    assert _messages(response) == ["This deal is “Offer made”, so that step is not possible now."]
    assert Deal.objects.get(pk=deal.pk).state == DealState.PROPOSED


def test_the_seller_declines_with_a_reason_the_buyer_reads(seller, buyer, deal):
    client = browser(seller)
    response = client.post(_action_url(deal, "decline"), {"reason": ""})
    assert response.status_code == 200
    assert _field_errors(response, "reason") == ["Give the buyer a reason."]
    assert Deal.objects.get(pk=deal.pk).state == DealState.PROPOSED

    response = client.post(_action_url(deal, "decline"), {"reason": "价格过低"}, follow=True)

    assert _messages(response) == ["You declined the offer."]
    assert Deal.objects.get(pk=deal.pk).state == DealState.DECLINED
    page = browser(buyer).get(_detail_url(deal))
    assert "Reason given 价格过低" in _text(page)
    assert "Declined" in _soup(page).select_one(".section-head .state-badge").get_text()


def test_the_buyer_withdraws_the_offer(buyer, deal):
    response = browser(buyer).post(_action_url(deal, "withdraw"), {"note": "另有安排"}, follow=True)
    assert _messages(response) == ["You withdrew your offer."]
    assert Deal.objects.get(pk=deal.pk).state == DealState.WITHDRAWN


def test_a_deposit_above_the_price_is_refused_beside_the_field(seller, deal):
    response = browser(seller).post(_action_url(deal, "accept"), {"deposit_amount": "480000.01"})
    assert response.status_code == 200
    assert _field_errors(response, "deposit_amount") == ["The deposit cannot exceed the price."]
    # what was typed stays in the field
    assert _soup(response).find("input", attrs={"name": "deposit_amount"})["value"] == "480000.01"
    assert Deal.objects.get(pk=deal.pk).state == DealState.PROPOSED
    assert not Payment.objects.exists()


def test_a_recordal_date_in_the_future_is_refused(seller, buyer, deal, staff):
    deal = services.deal_accept(deal=deal, by=seller)
    payment_confirm_offline(payment=Payment.objects.get(deal=deal), by=staff)
    services.deal_sign(deal=deal, by=seller)
    services.deal_sign(deal=deal, by=buyer)
    payment_confirm_offline(payment=Payment.objects.get(deal=deal, purpose="balance"), by=staff)
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()

    response = browser(buyer).post(
        _action_url(deal, "file_recordal"), {"recordal_number": "N-1", "recordal_date": tomorrow}
    )

    assert response.status_code == 200
    assert _field_errors(response, "recordal_date") == ["This date cannot be in the future."]
    assert Deal.objects.get(pk=deal.pk).state == DealState.BALANCE_PAID


def test_cancelling_after_the_deposit_shows_the_refund_pending(seller, buyer, deal, staff):
    deal = services.deal_accept(deal=deal, by=seller)
    payment_confirm_offline(payment=Payment.objects.get(deal=deal), by=staff)
    client = browser(buyer)

    refused = client.post(_action_url(deal, "cancel"), {"reason": " "})
    assert _field_errors(refused, "reason") == ["Give a reason for the cancellation."]
    assert _soup(refused).select_one("details.action-cancel").has_attr("open")

    response = client.post(_action_url(deal, "cancel"), {"reason": "资金安排变化"}, follow=True)

    assert _messages(response) == [
        "The deal is cancelled. What the buyer paid into escrow is refunded."
    ]
    refund = Payment.objects.get(deal=deal, purpose=PaymentPurpose.REFUND)
    assert refund.state == PaymentState.PENDING
    [line] = _soup(response).select("tr.refund")
    text = " ".join(line.get_text(" ", strip=True).split())
    assert "¥48,000.00" in text
    assert "Refund pending" in text
    assert refund.reference in text

    # once staff confirm the refund was sent, it reads as refunded
    payment_confirm_offline(payment=refund, by=staff)
    page = browser(seller).get(_detail_url(deal))
    assert "Refunded on" in _soup(page).select_one("tr.refund").get_text()


def test_cancelling_after_the_balance_shows_both_refunds(seller, buyer, deal, staff):
    deal = services.deal_accept(deal=deal, by=seller)
    payment_confirm_offline(payment=Payment.objects.get(deal=deal), by=staff)
    services.deal_sign(deal=deal, by=seller)
    services.deal_sign(deal=deal, by=buyer)
    payment_confirm_offline(payment=Payment.objects.get(deal=deal, purpose="balance"), by=staff)

    response = browser(seller).post(
        _action_url(deal, "cancel"), {"reason": "双方协商解除"}, follow=True
    )

    assert Deal.objects.get(pk=deal.pk).state == DealState.CANCELLED
    rows = [" ".join(r.get_text(" ").split()) for r in _soup(response).select("tr.refund")]
    assert len(rows) == 2
    assert "¥48,000.00" in rows[0]
    assert "¥432,000.00" in rows[1]


def test_once_the_recordal_is_filed_the_parties_are_not_offered_cancel(seller, seller_org):
    deal = DealFactory(
        listing=ListingFactory(state="published", holder=seller_org), state="recordal_filed"
    )
    page = browser(seller).get(_detail_url(deal))
    assert _soup(page).select_one("details.action-cancel") is None
    response = browser(seller).post(_action_url(deal, "cancel"), {"reason": "不做了"}, follow=True)
    [message] = _messages(response)
    assert "only platform staff can cancel the deal" in message
    assert Deal.objects.get(pk=deal.pk).state == DealState.RECORDAL_FILED


def test_cancelling_before_the_deposit_cancels_the_request(seller, deal):
    deal = services.deal_accept(deal=deal, by=seller)
    response = browser(seller).post(
        _action_url(deal, "cancel"), {"reason": "买方未付款"}, follow=True
    )
    assert Deal.objects.get(pk=deal.pk).state == DealState.CANCELLED
    assert Payment.objects.get(deal=deal).state == PaymentState.CANCELLED
    assert _soup(response).select("tr.refund") == []


def test_a_pledged_asset_needs_the_banks_consent_before_acceptance(
    seller, seller_org, buyer, buyer_org
):
    # given a listed asset under a registered pledge to a bank
    asset = IPAssetFactory(holder=seller_org, title="一种储能装置")
    bank = BankFactory(name="中原银行郑州分行")
    reviewer = MembershipFactory(organization=bank, role="reviewer").user
    pledge = PledgeApplicationFactory(
        applicant=seller_org, bank=bank, state="registered", assets=[asset]
    )
    listing = ListingFactory(state="published", holder=seller_org, assets=[asset])
    deal = services.deal_propose(by=buyer, buyer=buyer_org, listing=listing, price=Decimal("9000"))
    client = browser(seller)

    # the seller's page says the bank must consent first
    page = client.get(_detail_url(deal))
    callout = " ".join(_soup(page).select_one(".consent-needed").get_text(" ", strip=True).split())
    assert "“一种储能装置” is under an active pledge to 中原银行郑州分行." in callout
    assert "before you accept the offer" in callout
    status = _soup(page).select_one(".pledge-status").get_text(" ", strip=True)
    assert "Under an active pledge to 中原银行郑州分行" in status
    assert "No consent to this deal recorded yet" in status

    # so accepting is refused, with the reason
    response = client.post(_action_url(deal, "accept"), {"deposit_amount": ""}, follow=True)
    [message] = _messages(response)
    assert "is pledged to 中原银行郑州分行" in message
    assert "Civil Code art. 444" in message
    assert Deal.objects.get(pk=deal.pk).state == DealState.PROPOSED

    # when the bank records its consent to this deal
    pledge_consent_give(application=pledge, deal=deal, by=reviewer, note="同意转让")

    # then the page says so and the seller accepts
    page = client.get(_detail_url(deal))
    assert _soup(page).select_one(".consent-needed") is None
    assert (
        "The bank consented to this deal on" in _soup(page).select_one(".pledge-status").get_text()
    )
    response = client.post(_action_url(deal, "accept"), {"deposit_amount": ""}, follow=True)
    assert Deal.objects.get(pk=deal.pk).state == DealState.ACCEPTED
    assert Deal.objects.get(pk=deal.pk).deposit_amount == Decimal("900.00")


def test_both_parties_share_the_deals_documents(buyer, seller, deal, media_root):
    response = browser(buyer).post(
        reverse("deals:document_upload", args=[deal.pk]),
        {"kind": "contract", "file": SimpleUploadedFile("转让合同.pdf", PDF, "application/pdf")},
        follow=True,
    )

    document = Document.objects.get()
    assert (document.deal, document.organization) == (deal, deal.buyer)
    assert _messages(response) == ["Uploaded 转让合同.pdf."]
    assert response.redirect_chain[-1][0] == _detail_url(deal) + "#documents"
    seller_page = browser(seller).get(_detail_url(deal))
    link = _soup(seller_page).select_one("#documents a[download]")
    assert link.get_text() == "转让合同.pdf"
    assert link["href"] == reverse("documents:download", args=[document.pk])
    assert browser(seller).get(link["href"]).status_code == 200
    # only the uploading side may delete it
    delete_url = reverse("documents:delete", args=[document.pk])
    assert _soup(seller_page).select_one(f'form[action="{delete_url}"]') is None
    buyer_page = browser(buyer).get(_detail_url(deal))
    assert _soup(buyer_page).select_one(f'form[action="{delete_url}"]') is not None


def test_a_refused_file_is_reported_on_the_deal_page(buyer, deal, media_root):
    response = browser(buyer).post(
        reverse("deals:document_upload", args=[deal.pk]),
        {"kind": "contract", "file": SimpleUploadedFile("setup.pdf", b"MZ\x90\x00" + b"\x00" * 32)},
        follow=True,
    )
    assert not Document.objects.exists()
    assert len(_messages(response)) == 1
    assert list(media_root.rglob("*.*")) == []


def test_the_deal_page_reads_in_chinese_by_default(buyer, deal):
    response = browser(buyer, language="zh-hans").get(_detail_url(deal))
    assert response.status_code == 200
    assert _soup(response).html["lang"] == "zh-hans"


def test_the_deal_page_query_count_does_not_grow_with_assets(seller, seller_org, buyer, buyer_org):
    counts = []
    for n in (1, 6):
        assets = [IPAssetFactory(holder=seller_org) for _ in range(n)]
        listing = ListingFactory(state="published", holder=seller_org, assets=assets)
        deal = services.deal_propose(by=buyer, buyer=buyer_org, listing=listing, price=Decimal("1"))
        client = browser(seller)
        client.get(_detail_url(deal))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_detail_url(deal))
        assert len(_soup(response).select("tr.asset-row")) == n
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_deal_page_query_count_does_not_grow_with_payments_and_evidence(
    seller, seller_org, buyer_org
):
    counts = []
    for n in (1, 4):
        listing = ListingFactory(state="published", holder=seller_org)
        deal = DealFactory(listing=listing, buyer=buyer_org, state="cancelled")
        for _ in range(n):
            RecordalEvidenceFactory(deal=deal, state="rejected")
            PaymentFactory(deal=deal, purpose="deposit", state="cancelled")
        paid = PaymentFactory(deal=deal, purpose="deposit", state="succeeded")
        Payment.objects.create(
            deal=deal, purpose="refund", provider="offline", amount=paid.amount, refund_of=paid
        )
        client = browser(seller)
        client.get(_detail_url(deal))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_detail_url(deal))
        assert len(_soup(response).select("tr.evidence")) == n
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("evidence_state", "step"),
    [
        (None, "Upload the authority's evidence of the recordal"),
        ("submitted", "Waiting for platform staff to check the recordal evidence"),
        ("rejected", "Upload the authority's evidence of the recordal"),
    ],
)
def test_the_list_says_what_the_recordal_waits_for(seller, seller_org, evidence_state, step):
    deal = DealFactory(
        listing=ListingFactory(state="published", holder=seller_org), state="recordal_filed"
    )
    if evidence_state:
        RecordalEvidenceFactory(deal=deal, state=evidence_state)
    row = _soup(browser(seller).get(LIST_URL)).select_one("tr.deal-row")
    assert step in row.get_text()


def test_the_workspace_section_lists_my_newest_deals(buyer, deal):
    from django.template import Context, Template

    html = Template("{% load deal_tags %}{% my_deals user %}").render(Context({"user": buyer}))
    soup = BeautifulSoup(html, "html.parser")
    assert [a["href"] for a in soup.select("tbody a")] == [_detail_url(deal)]
    assert "Waiting for the seller's answer" in soup.get_text()


def test_an_asset_is_listed_once_per_deal_page(buyer, deal):
    # the page lists the listing's assets, not every asset of the seller
    IPAssetFactory(holder=deal.seller)
    response = browser(buyer).get(_detail_url(deal))
    assert (
        len(_soup(response).select("tr.asset-row"))
        == IPAsset.objects.filter(listings=deal.listing).count()
    )
