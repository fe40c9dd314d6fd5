"""Deals in the Wagtail admin: the index, the review page, staff cancelling a deal through
deal_cancel (each payment received becomes a pending refund), staff checking the recordal
evidence (accepting it completes the deal, rejecting it tells the parties why), the
dashboard panel, the transition log, who may see it, and the Django admin's read-only deal
and licence pages."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from marketplace.deals.models import Deal, DealState, EvidenceState, Licence, RecordalEvidence
from marketplace.notifications.models import Notice
from marketplace.payments.models import Payment, PaymentProvider, PaymentPurpose, PaymentState
from marketplace.payments.services import payment_deposit_request
from tests.factories import (
    DealFactory,
    IPAssetFactory,
    ListingFactory,
    RecordalEvidenceFactory,
    UserFactory,
    ready_to_complete,
)
from tests.wagtail_admin import (
    action_buttons,
    english,
    grant,
    in_menu,
    index_titles,
    messages_of,
    soup,
    table_rows,
    text_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

INDEX = "/admin/deals/"
LOG = "/admin/transition-log/"


def review_url(deal: Deal) -> str:
    return reverse("deal_moderation:inspect", args=(deal.pk,))


def deposit_paid_deal(**fields) -> Deal:
    """A deal whose offline deposit staff confirmed as received."""
    deal = DealFactory(state=DealState.DEPOSIT_PAID, **fields)
    Payment.objects.create(
        deal=deal,
        purpose=PaymentPurpose.DEPOSIT,
        provider=PaymentProvider.OFFLINE,
        amount=deal.deposit_amount,
        state=PaymentState.SUCCEEDED,
    )
    return deal


def licence_listing():
    return ListingFactory(state="published", intent="licence", licence_type="non_exclusive")


# --- the index -----------------------------------------------------------------------------


def test_the_index_lists_deals_with_their_facts(staff_client):
    deal = DealFactory(state=DealState.ACCEPTED, price=Decimal("1234567.50"))

    response = staff_client.get(INDEX)

    assert response.status_code == 200
    assert in_menu(response, INDEX)
    (row,) = table_rows(response)
    for fact in (
        str(deal),
        deal.listing.title,
        "Transfer",
        deal.seller.name,
        deal.buyer.name,
        "¥1,234,567.50",
        "Accepted",
    ):
        assert fact in row, fact


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"proposed", "paid", "licence"}),
        ("state=proposed", {"proposed", "licence"}),
        ("state=deposit_paid", {"paid"}),
        ("kind=transfer", {"proposed", "paid"}),
        ("kind=licence", {"licence"}),
        ("state=proposed&kind=licence", {"licence"}),
        ("state=cancelled", set()),
    ],
)
def test_the_index_filters_by_state_and_kind(staff_client, query, expected):
    deals = {
        "proposed": DealFactory(),
        "paid": deposit_paid_deal(),
        "licence": DealFactory(listing=licence_listing()),
    }

    response = staff_client.get(f"{INDEX}?{query}")

    assert response.status_code == 200
    shown = index_titles(response)
    assert {name for name, deal in deals.items() if str(deal) in shown} == expected


def test_the_index_searches_listing_titles_and_parties(staff_client):
    wanted = DealFactory(listing=ListingFactory(state="published", title="钠离子电池正极材料"))
    DealFactory()

    response = staff_client.get(f"{INDEX}?q=钠离子")

    assert index_titles(response) == {str(wanted)}


def test_no_generic_create_edit_or_delete_exists(staff_client):
    for name in ("add", "edit", "delete", "copy"):
        with pytest.raises(NoReverseMatch):
            reverse(f"deal_moderation:{name}", args=(1,) if name != "add" else ())
    assert staff_client.get(f"{INDEX}new/").status_code == 404


def _index_queries(client, rows: int) -> int:
    while Deal.objects.count() < rows:
        DealFactory(state="accepted" if Deal.objects.count() % 2 else "proposed")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(INDEX)
    assert len(table_rows(response)) == rows
    return len(captured)


def test_the_index_runs_the_same_number_of_queries_for_3_and_30_rows(
    staff_client, django_assert_max_num_queries
):
    few = _index_queries(staff_client, 3)
    many = _index_queries(staff_client, 30)

    assert many == few
    with django_assert_max_num_queries(few):
        staff_client.get(f"{INDEX}?state=proposed&kind=transfer&q=锂电池")


# --- the review page -------------------------------------------------------------------------


def test_the_review_page_shows_facts_payments_and_the_cancel_action(staff_client):
    deal = DealFactory(state=DealState.ACCEPTED, message="希望尽快签约")
    deposit = payment_deposit_request(deal=deal)

    response = staff_client.get(review_url(deal))

    assert response.status_code == 200
    text = text_of(response)
    for fact in (
        deal.listing.title,
        deal.seller.name,
        deal.buyer.name,
        "¥450,000.00",
        "¥45,000.00",
        "希望尽快签约",
        deposit.reference,
        "Awaiting payment",
    ):
        assert fact in text, fact
    assert action_buttons(response) == ["cancel"]
    links = {a["href"] for a in soup(response).select("a[href]")}
    assert reverse("payment_moderation:inspect", args=(deposit.pk,)) in links
    assert reverse("listing_moderation:inspect", args=(deal.listing_id,)) in links


def test_a_licence_deal_shows_its_terms_and_licences(staff_client):
    listing = licence_listing()
    deal = DealFactory(
        listing=listing,
        state=DealState.COMPLETED,
        licence_type="non_exclusive",
        territory="中国大陆",
        licence_start=timezone.localdate(),
        licence_end=timezone.localdate() + datetime.timedelta(days=365),
    )
    asset = listing.assets.get()
    Licence.objects.create(
        asset=asset,
        deal=deal,
        licensor=deal.seller,
        licensee=deal.buyer,
        licence_type="non_exclusive",
        territory="中国大陆",
        start=deal.licence_start,
    )

    response = staff_client.get(review_url(deal))

    assert response.status_code == 200
    text = text_of(response)
    assert "中国大陆" in text
    assert "Licences granted" in text
    assert asset.number in text
    assert action_buttons(response) == []  # a completed deal cannot be cancelled


def test_the_review_page_renders_in_chinese(client, staff):
    deal = deposit_paid_deal()
    client.force_login(staff)

    response = client.get(review_url(deal))

    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()
    text = text_of(response)
    assert "审计记录" in text  # "Audit timeline"
    assert deal.listing.title in text


@pytest.mark.parametrize("state", [DealState.PROPOSED, DealState.COMPLETED, DealState.CANCELLED])
def test_cancel_is_offered_only_after_acceptance_and_before_completion(staff_client, state):
    assert action_buttons(staff_client.get(review_url(DealFactory(state=state)))) == []


def test_cancelling_a_paid_deal_refunds_the_deposit(
    staff_client, staff, django_capture_on_commit_callbacks
):
    # given a deal whose deposit arrived
    deal = deposit_paid_deal()

    # when staff cancel it with a reason
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            review_url(deal),
            {"action": "cancel", "cancel-reason": "卖方专利权属存在争议"},
            follow=True,
        )

    # then the deal is cancelled, logged with who and why, and the refund waits for staff
    deal.refresh_from_db()
    assert deal.state == DealState.CANCELLED
    assert deal.last_note == "卖方专利权属存在争议"
    log = StateLog.objects.for_(deal).get()
    assert (log.transition, log.source_state, log.state, log.by, log.description) == (
        "cancel",
        "deposit_paid",
        "cancelled",
        staff,
        "卖方专利权属存在争议",
    )
    refund = Payment.objects.get(deal=deal, purpose=PaymentPurpose.REFUND)
    assert refund.state == PaymentState.PENDING
    assert refund.amount == deal.deposit_amount
    assert any("was cancelled" in m for m in messages_of(response))
    text = text_of(response)
    assert "Deposit paid → Cancelled" in text
    assert "Olga Operator" in text
    assert refund.reference in text
    assert action_buttons(response) == []


def test_cancelling_an_unpaid_deal_withdraws_the_deposit_request(staff_client):
    deal = DealFactory(state=DealState.ACCEPTED)
    deposit = payment_deposit_request(deal=deal)

    staff_client.post(review_url(deal), {"action": "cancel", "cancel-reason": "买方放弃"})

    deal.refresh_from_db()
    deposit.refresh_from_db()
    assert deal.state == DealState.CANCELLED
    assert deposit.state == PaymentState.CANCELLED
    assert not Payment.objects.filter(deal=deal, purpose=PaymentPurpose.REFUND).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_without_a_reason_shows_the_error_and_changes_nothing(staff_client, reason):
    deal = deposit_paid_deal()

    response = staff_client.post(review_url(deal), {"action": "cancel", "cancel-reason": reason})

    assert response.status_code == 200
    assert "Give a reason" in text_of(response)
    assert any("was not changed" in m for m in messages_of(response))
    deal.refresh_from_db()
    assert deal.state == DealState.DEPOSIT_PAID
    assert not StateLog.objects.for_(deal).exists()
    assert not Payment.objects.filter(deal=deal, purpose=PaymentPurpose.REFUND).exists()


def test_cancelling_a_deal_in_the_wrong_state_is_refused_with_a_message(staff_client):
    deal = DealFactory(state=DealState.PROPOSED)

    response = staff_client.post(
        review_url(deal), {"action": "cancel", "cancel-reason": "重复报价"}, follow=True
    )

    assert response.redirect_chain[-1][0] == review_url(deal)
    assert any(
        "was not cancelled" in m and "so that step is not possible now" in m
        for m in messages_of(response)
    ), messages_of(response)
    deal.refresh_from_db()
    assert deal.state == DealState.PROPOSED
    assert not StateLog.objects.for_(deal).exists()


# --- the transition log ------------------------------------------------------------------------


def test_the_log_filters_deal_transitions_and_links_to_the_review_page(staff_client):
    deal = deposit_paid_deal()
    staff_client.post(review_url(deal), {"action": "cancel", "cancel-reason": "双方协商解除"})

    response = staff_client.get(f"{LOG}?transition=cancel")

    (row,) = table_rows(response)
    assert str(deal) in row
    assert "Deposit paid" in row
    assert "双方协商解除" in row
    links = {a["href"] for a in soup(response).select("table.listing tbody a[href]")}
    assert review_url(deal) in links


# --- who may see it ------------------------------------------------------------------------


def test_a_party_who_is_not_staff_gets_no_access(client):
    deal = deposit_paid_deal()
    client.force_login(UserFactory())

    for url in (INDEX, review_url(deal)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    client.post(review_url(deal), {"action": "cancel", "cancel-reason": "x"})
    deal.refresh_from_db()
    assert deal.state == DealState.DEPOSIT_PAID


def test_a_cms_editor_who_is_not_staff_gets_permission_denied(client):
    editor = UserFactory()
    grant(editor, "access_admin", "view_deal", "change_deal")
    deal = deposit_paid_deal()
    english(client).force_login(editor)

    for url in (INDEX, review_url(deal)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    assert not in_menu(client.get("/admin/"), INDEX)
    client.post(review_url(deal), {"action": "cancel", "cancel-reason": "x"})
    deal.refresh_from_db()
    assert deal.state == DealState.DEPOSIT_PAID


def test_staff_without_the_deal_permission_see_no_menu_item_and_no_pages(client):
    clerk = UserFactory(is_staff=True)
    grant(clerk, "access_admin")
    english(client).force_login(clerk)
    deal = DealFactory()

    home = client.get("/admin/")

    assert home.status_code == 200
    assert not in_menu(home, INDEX)
    for url in (INDEX, review_url(deal)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")


def test_staff_with_view_only_read_the_page_but_cannot_cancel(client):
    reader = UserFactory(is_staff=True)
    grant(reader, "access_admin", "view_deal")
    deal = deposit_paid_deal()
    english(client).force_login(reader)

    assert in_menu(client.get("/admin/"), INDEX)
    page = client.get(review_url(deal))
    assert page.status_code == 200
    assert action_buttons(page) == []

    response = client.post(review_url(deal), {"action": "cancel", "cancel-reason": "x"})

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    deal.refresh_from_db()
    assert deal.state == DealState.DEPOSIT_PAID


def test_staff_with_the_change_permission_can_cancel(client):
    moderator = UserFactory(is_staff=True)
    grant(moderator, "access_admin", "view_deal", "change_deal")
    deal = deposit_paid_deal()
    english(client).force_login(moderator)

    client.post(review_url(deal), {"action": "cancel", "cancel-reason": "违规交易"})

    deal.refresh_from_db()
    assert deal.state == DealState.CANCELLED


# --- the Django admin --------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["deal", "licence"])
def test_the_django_admin_lists_and_shows_deals_but_writes_nothing(staff_client, model):
    deal = DealFactory(state=DealState.COMPLETED)
    licence = Licence.objects.create(
        asset=deal.listing.assets.get(),
        deal=deal,
        licensor=deal.seller,
        licensee=deal.buyer,
        licence_type="non_exclusive",
        territory="中国大陆",
        start=timezone.localdate(),
    )
    obj = deal if model == "deal" else licence
    changelist = f"/django-admin/deals/{model}/"
    change = f"{changelist}{obj.pk}/change/"

    listed = staff_client.get(f"{changelist}?q=郑州")
    shown = staff_client.get(change)

    assert listed.status_code == 200
    assert change in listed.content.decode()
    assert shown.status_code == 200
    assert not soup(shown).select("input[name=_save]")
    assert staff_client.get(f"{changelist}add/").status_code == 403
    assert staff_client.get(f"{changelist}{obj.pk}/delete/").status_code == 403
    if model == "deal":
        filtered = staff_client.get(f"{changelist}?state=completed&kind=transfer")
        assert change in filtered.content.decode()


# --- the recordal evidence ---------------------------------------------------------------------

EVIDENCE_INDEX = "/admin/recordal-evidence/"


def evidence_url(evidence: RecordalEvidence) -> str:
    return reverse("recordal_evidence:inspect", args=(evidence.pk,))


def test_staff_can_cancel_once_the_recordal_is_filed(staff_client):
    deal = DealFactory(state=DealState.RECORDAL_FILED)
    assert action_buttons(staff_client.get(review_url(deal))) == ["cancel"]
    staff_client.post(review_url(deal), {"action": "cancel", "cancel-reason": "商标局不予核准"})
    deal.refresh_from_db()
    assert deal.state == DealState.CANCELLED


def test_the_evidence_index_lists_what_waits_for_the_check_first(staff_client):
    checked = RecordalEvidenceFactory(state="rejected")
    waiting = RecordalEvidenceFactory()

    response = staff_client.get(EVIDENCE_INDEX)

    assert response.status_code == 200
    assert in_menu(response, EVIDENCE_INDEX)
    rows = table_rows(response)
    assert len(rows) == 2
    assert waiting.deal.listing.title in rows[0]
    assert "Awaiting the staff's check" in rows[0]
    assert checked.deal.listing.title in rows[1]
    assert "Rejected" in rows[1]
    only_waiting = table_rows(staff_client.get(f"{EVIDENCE_INDEX}?state=submitted"))
    assert len(only_waiting) == 1


def test_the_evidence_review_page_says_what_to_check(staff_client):
    asset = IPAssetFactory(kind="trademark", number="7346849")
    listing = ListingFactory(state="published", holder=asset.holder, assets=[asset])
    deal = DealFactory(listing=listing, state=DealState.RECORDAL_FILED, recordal_number="ZR-9")
    evidence = ready_to_complete(deal)

    response = staff_client.get(evidence_url(evidence))

    assert response.status_code == 200
    text = text_of(response)
    for fact in (
        str(deal),
        listing.title,
        deal.seller.name,
        deal.buyer.name,
        "7346849",
        "ZR-9",
        "Assignment of the registered trademark",
        "Trademark Office of CNIPA",
        "The Trademark Office's Certificate of Approved Assignment (核准转让证明)",
        "names each asset of the deal by its number and the buyer as the new holder",
        "手续合格通知书.pdf",
        "Uploaded",
    ):
        assert fact in text, fact
    download = reverse("documents:download", args=[evidence.document_id])
    assert soup(response).select_one(f'a[href="{download}"]') is not None
    assert staff_client.get(download).status_code == 200
    assert action_buttons(response) == ["accept", "reject"]


def test_accepting_the_evidence_completes_the_deal(
    staff_client, staff, django_capture_on_commit_callbacks
):
    deal = DealFactory(state=DealState.RECORDAL_FILED)
    evidence = ready_to_complete(deal)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            evidence_url(evidence),
            {"action": "accept", "accept-note": "与国家知识产权局公告一致"},
            follow=True,
        )

    assert any("the deal is completed" in m for m in messages_of(response)), messages_of(response)
    evidence.refresh_from_db()
    deal.refresh_from_db()
    assert (evidence.state, evidence.reviewed_by) == (EvidenceState.ACCEPTED, staff)
    assert deal.state == DealState.COMPLETED
    assert deal.listing.assets.get().holder == deal.buyer
    log = StateLog.objects.for_(deal).get()
    assert (log.transition, log.by) == ("complete", staff)
    assert Payment.objects.get(deal=deal, purpose=PaymentPurpose.PAYOUT).amount == deal.price
    assert (
        Notice.objects.get(event="deals.complete")
        .text["en"]
        .startswith("Platform staff accepted the recordal evidence")
    )
    text = text_of(response)
    assert "Awaiting the staff's check → Accepted" in text
    assert action_buttons(response) == []


def test_accepting_without_the_balance_is_refused_with_the_reason(staff_client):
    deal = DealFactory(state=DealState.RECORDAL_FILED)
    evidence = RecordalEvidenceFactory(deal=deal)

    response = staff_client.post(
        evidence_url(evidence), {"action": "accept", "accept-note": ""}, follow=True
    )

    assert any(
        "was not accepted" in m and "has not arrived in the platform" in m
        for m in messages_of(response)
    ), messages_of(response)
    assert "No: the deal cannot complete yet" in text_of(response)
    evidence.refresh_from_db()
    deal.refresh_from_db()
    assert (evidence.state, deal.state) == (EvidenceState.SUBMITTED, DealState.RECORDAL_FILED)


def test_rejecting_the_evidence_needs_a_reason_and_tells_both_parties(
    staff_client, django_capture_on_commit_callbacks
):
    evidence = RecordalEvidenceFactory()

    response = staff_client.post(evidence_url(evidence), {"action": "reject", "reject-reason": ""})
    assert response.status_code == 200
    assert "Give the parties a reason." in text_of(response)
    evidence.refresh_from_db()
    assert evidence.state == EvidenceState.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            evidence_url(evidence),
            {"action": "reject", "reject-reason": "通知书所载专利号与交易不符"},
            follow=True,
        )

    evidence.refresh_from_db()
    assert (evidence.state, evidence.review_note) == (
        EvidenceState.REJECTED,
        "通知书所载专利号与交易不符",
    )
    assert any("both parties read the reason" in m for m in messages_of(response))
    notice = Notice.objects.get(event="deals.evidence_rejected")
    assert set(notice.organizations.all()) == {evidence.deal.seller, evidence.deal.buyer}
    assert evidence.deal.state == DealState.RECORDAL_FILED


def test_the_deal_review_page_lists_its_evidence(staff_client):
    evidence = RecordalEvidenceFactory(state="rejected", review_note="不清晰")
    response = staff_client.get(review_url(evidence.deal))
    panel = soup(response).select_one("#recordal-evidence-section")
    assert panel is not None
    assert "不清晰" in panel.get_text()
    assert panel.select_one(f'a[href="{evidence_url(evidence)}"]') is not None


def test_the_dashboard_counts_evidence_to_check(staff_client):
    RecordalEvidenceFactory()
    RecordalEvidenceFactory()
    RecordalEvidenceFactory(state="accepted")

    panel = soup(staff_client.get("/admin/")).select_one("#recordal-evidence-section")

    assert panel is not None
    link = panel.select_one("a[data-pending-count]")
    assert (link["href"], link.get_text(strip=True)) == (
        f"{EVIDENCE_INDEX}?state=submitted",
        "2",
    )


def test_the_evidence_index_runs_a_constant_number_of_queries(staff_client):
    RecordalEvidenceFactory()
    staff_client.get(EVIDENCE_INDEX)
    with CaptureQueriesContext(connection) as few:
        staff_client.get(EVIDENCE_INDEX)
    for _ in range(6):
        RecordalEvidenceFactory(state="rejected")
    with CaptureQueriesContext(connection) as many:
        staff_client.get(EVIDENCE_INDEX)
    assert len(many) == len(few)


def test_evidence_pages_are_for_staff_with_the_permission(client):
    evidence = RecordalEvidenceFactory()
    party = UserFactory()
    client.force_login(party)
    for url in (EVIDENCE_INDEX, evidence_url(evidence)):
        assert client.get(url).status_code == 302
    clerk = UserFactory(is_staff=True)
    grant(clerk, "access_admin")
    english(client).force_login(clerk)
    home = client.get("/admin/")
    assert not in_menu(home, EVIDENCE_INDEX)
    assert soup(home).select_one("#recordal-evidence-section") is None
    response = client.post(evidence_url(evidence), {"action": "accept"})
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.state == EvidenceState.SUBMITTED
