"""Offline payments in the Wagtail admin: the index, the review page, confirming a deposit, a
balance, a payout or a refund through payment_confirm_offline, the dashboard panel, who may
see it, and the Django admin's read-only payment pages."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django_fsm_log.models import StateLog

from marketplace.deals.models import Deal, DealState
from marketplace.deals.services import deal_cancel
from marketplace.notifications.models import Notice
from marketplace.payments.models import Payment, PaymentProvider, PaymentPurpose, PaymentState
from marketplace.payments.services import payment_deposit_request
from tests.factories import DealFactory, PaymentFactory, UserFactory
from tests.wagtail_admin import english, grant, in_menu, messages_of, soup, table_rows, text_of

pytestmark = pytest.mark.django_db

INDEX = "/admin/offline-payments/"


def review_url(payment: Payment) -> str:
    return reverse("payment_moderation:inspect", args=(payment.pk,))


def pending_deposit(**deal_fields) -> Payment:
    """An accepted deal and the deposit its acceptance requested (offline, pending)."""
    deal = DealFactory(state=DealState.ACCEPTED, **deal_fields)
    return payment_deposit_request(deal=deal)


def received_deposit(**deal_fields) -> Payment:
    deal = DealFactory(state=DealState.DEPOSIT_PAID, **deal_fields)
    return Payment.objects.create(
        deal=deal,
        purpose=PaymentPurpose.DEPOSIT,
        provider=PaymentProvider.OFFLINE,
        amount=deal.deposit_amount,
        state=PaymentState.SUCCEEDED,
    )


def pending_balance(**deal_fields) -> Payment:
    """A deal signed by both: the balance staff wait for (offline, pending)."""
    deal = DealFactory(state=DealState.CONTRACT_SIGNED, **deal_fields)
    PaymentFactory(deal=deal, purpose=PaymentPurpose.DEPOSIT, state=PaymentState.SUCCEEDED)
    return PaymentFactory(deal=deal, purpose=PaymentPurpose.BALANCE)


def pending_payout() -> Payment:
    """A completed deal: the price staff owe the seller out of escrow."""
    deal = DealFactory(state=DealState.COMPLETED)
    return PaymentFactory(deal=deal, purpose=PaymentPurpose.PAYOUT, amount=deal.price)


def pending_refund(staff) -> Payment:
    """A deal cancelled after its deposit arrived: the refund staff owe the buyer."""
    deposit = received_deposit()
    deal_cancel(deal=deposit.deal, by=staff, reason="卖方无法履约")
    return Payment.objects.get(deal=deposit.deal, purpose=PaymentPurpose.REFUND)


# --- the index -----------------------------------------------------------------------------


def test_the_index_lists_offline_payments_pending_first_with_their_facts(staff_client):
    # given a pending deposit, then a confirmed one, and a Stripe payment staff never confirm
    waiting = pending_deposit(price=Decimal("1234567.50"))
    done = received_deposit()
    stripe = received_deposit()
    Payment.objects.filter(pk=stripe.pk).update(provider=PaymentProvider.STRIPE)

    # when
    response = staff_client.get(INDEX)

    # then
    assert response.status_code == 200
    assert in_menu(response, INDEX)
    rows = table_rows(response)
    assert len(rows) == 2
    assert waiting.reference in rows[0]  # pending first, although older
    assert done.reference in rows[1]
    assert "¥123,456.75" in rows[0]  # 10 % of the price, to the fen
    assert "Deposit" in rows[0]
    assert "Awaiting payment" in rows[0]
    assert waiting.deal.buyer.name in rows[0]
    assert str(waiting.deal) in rows[0]
    assert "Received" in rows[1]
    assert stripe.reference not in text_of(response)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"pending deposit", "received deposit", "pending refund"}),
        ("state=pending", {"pending deposit", "pending refund"}),
        ("state=succeeded", {"received deposit"}),
        ("purpose=deposit", {"pending deposit", "received deposit"}),
        ("purpose=refund", {"pending refund"}),
        ("state=pending&purpose=deposit", {"pending deposit"}),
    ],
)
def test_the_index_filters_by_state_and_purpose(staff_client, staff, query, expected):
    payments = {
        "pending deposit": pending_deposit(),
        "pending refund": pending_refund(staff),
    }
    # the refunded deal's deposit is the received one
    payments["received deposit"] = Payment.objects.get(
        deal=payments["pending refund"].deal, purpose=PaymentPurpose.DEPOSIT
    )

    response = staff_client.get(f"{INDEX}?{query}")

    assert response.status_code == 200
    shown = text_of(response)
    assert {name for name, p in payments.items() if p.reference in shown} == expected


def test_the_index_searches_a_reference(staff_client):
    wanted, other = pending_deposit(), pending_deposit()

    response = staff_client.get(f"{INDEX}?q={wanted.reference}")

    assert wanted.reference in text_of(response)
    assert other.reference not in text_of(response)


def test_no_generic_create_edit_or_delete_exists(staff_client):
    for name in ("add", "edit", "delete", "copy"):
        with pytest.raises(NoReverseMatch):
            reverse(f"payment_moderation:{name}", args=(1,) if name != "add" else ())
    assert staff_client.get(f"{INDEX}new/").status_code == 404


def _index_queries(client, rows: int) -> int:
    while Payment.objects.count() < rows:
        pending_deposit() if Payment.objects.count() % 2 else received_deposit()
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
        staff_client.get(f"{INDEX}?state=pending&purpose=deposit&q=ZZIPX")


# --- the review page -------------------------------------------------------------------------


def test_the_review_page_shows_the_facts_and_the_confirm_action(staff_client):
    payment = pending_deposit()
    deal = payment.deal

    response = staff_client.get(review_url(payment))

    assert response.status_code == 200
    page = soup(response)
    text = text_of(response)
    for fact in (
        str(deal),
        deal.listing.title,
        deal.buyer.name,
        deal.seller.name,
        payment.reference,
        "¥45,000.00",
        "Offline bank transfer",
        "Awaiting payment",
        "Deposit requested",
    ):
        assert fact in text, fact
    assert "quoting" in text
    assert "escrow account" in text
    assert [b["value"] for b in page.select("button[name=action]")] == ["confirm_deposit"]
    assert [b.get_text(strip=True) for b in page.select("button[name=action]")] == [
        "Confirm received"
    ]
    # the deal, its listing and the parties link to their review pages
    links = {a["href"] for a in page.select("#panel-facts-content a[href], dl a[href]")}
    assert reverse("deal_moderation:inspect", args=(deal.pk,)) in links
    assert reverse("listing_moderation:inspect", args=(deal.listing.pk,)) in links
    assert reverse("organisation_moderation:inspect", args=(deal.buyer.pk,)) in links


def test_the_review_page_renders_in_chinese(client, staff):
    payment = pending_deposit()
    client.force_login(staff)

    response = client.get(review_url(payment))

    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()
    text = text_of(response)
    assert "审计记录" in text  # "Audit timeline"
    assert payment.reference in text


def test_confirming_a_deposit_moves_the_deal_to_deposit_paid_and_logs_who(
    staff_client, staff, django_capture_on_commit_callbacks
):
    # given
    payment = pending_deposit()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            review_url(payment),
            {"action": "confirm_deposit", "confirm_deposit-note": "工行流水 0423 已到账"},
            follow=True,
        )

    # then
    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED
    assert payment.confirmed_by == staff
    assert payment.confirmed_at is not None
    assert payment.note == "工行流水 0423 已到账"
    deal = Deal.objects.get(pk=payment.deal_id)
    assert deal.state == DealState.DEPOSIT_PAID
    log = StateLog.objects.for_(deal).get()
    assert (log.transition, log.source_state, log.state, log.by) == (
        "pay_deposit",
        "accepted",
        "deposit_paid",
        staff,
    )
    assert any("is confirmed as received" in m for m in messages_of(response))
    # the page now shows who confirmed, and offers nothing more
    text = text_of(response)
    assert "Olga Operator" in text
    assert "Awaiting payment → Received" in text
    assert "工行流水 0423 已到账" in text
    assert not soup(response).select("button[name=action]")


def test_confirming_twice_is_refused_and_changes_nothing(staff_client, staff):
    payment = pending_deposit()
    staff_client.post(review_url(payment), {"action": "confirm_deposit"})
    payment.refresh_from_db()
    confirmed_at = payment.confirmed_at

    response = staff_client.post(
        review_url(payment),
        {"action": "confirm_deposit", "confirm_deposit-note": "again"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == review_url(payment)
    assert any(
        "was not confirmed" in m and "only a pending payment can be confirmed" in m
        for m in messages_of(response)
    ), messages_of(response)
    payment.refresh_from_db()
    assert payment.confirmed_at == confirmed_at
    assert payment.note == ""
    assert StateLog.objects.for_(payment.deal).count() == 1


def test_the_refund_action_cannot_confirm_a_deposit(staff_client):
    payment = pending_deposit()

    response = staff_client.post(
        review_url(payment), {"action": "confirm_refund", "confirm_refund-note": ""}, follow=True
    )

    assert any("was not confirmed" in m for m in messages_of(response))
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert Deal.objects.get(pk=payment.deal_id).state == DealState.ACCEPTED


def test_confirming_a_refund_sent_tells_the_buyer(
    staff_client, staff, django_capture_on_commit_callbacks
):
    # given a deal cancelled after its deposit arrived
    refund = pending_refund(staff)
    page = soup(staff_client.get(review_url(refund)))
    assert [b.get_text(strip=True) for b in page.select("button[name=action]")] == [
        "Confirm refund sent"
    ]
    assert "Refund owed" in page.get_text(" ", strip=True)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            review_url(refund),
            {"action": "confirm_refund", "confirm_refund-note": "已原路退回"},
            follow=True,
        )

    # then
    refund.refresh_from_db()
    assert refund.state == PaymentState.SUCCEEDED
    assert refund.confirmed_by == staff
    assert any("is confirmed as sent" in m for m in messages_of(response))
    assert Notice.objects.filter(event="payments.refunded").count() == 1
    assert Deal.objects.get(pk=refund.deal_id).state == DealState.CANCELLED


def test_confirming_a_balance_moves_the_deal_to_balance_paid(
    staff_client, staff, django_capture_on_commit_callbacks
):
    # given a deal signed by both, its balance of ¥405,000 awaited
    balance = pending_balance()
    page = soup(staff_client.get(review_url(balance)))
    text = page.get_text(" ", strip=True)
    assert "Balance requested" in text
    assert "¥405,000.00" in text
    assert "“Balance paid”" in text  # what confirming does
    assert [b["value"] for b in page.select("button[name=action]")] == ["confirm_balance"]

    # when staff confirm it arrived in escrow
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            review_url(balance),
            {"action": "confirm_balance", "confirm_balance-note": "托管账户 0517 到账"},
            follow=True,
        )

    # then the deal moves on, by them, and both parties hear of it
    balance.refresh_from_db()
    assert (balance.state, balance.confirmed_by) == (PaymentState.SUCCEEDED, staff)
    deal = Deal.objects.get(pk=balance.deal_id)
    assert deal.state == DealState.BALANCE_PAID
    log = StateLog.objects.for_(deal).get()
    assert (log.transition, log.by) == ("pay_balance", staff)
    # (the admin's messages are HTML: "deal's" reads "deal&#x27;s" here)
    assert any("balance is in escrow" in m for m in messages_of(response))
    assert set(Notice.objects.get(event="deals.pay_balance").organizations.all()) == {
        deal.seller,
        deal.buyer,
    }


def test_the_deposit_action_cannot_confirm_a_balance(staff_client):
    balance = pending_balance()
    response = staff_client.post(
        review_url(balance), {"action": "confirm_deposit", "confirm_deposit-note": ""}, follow=True
    )
    assert any("was not confirmed" in m for m in messages_of(response))
    balance.refresh_from_db()
    assert balance.state == PaymentState.PENDING


def test_confirming_a_payout_sent_tells_the_seller(
    staff_client, staff, django_capture_on_commit_callbacks
):
    payout = pending_payout()
    page = soup(staff_client.get(review_url(payout)))
    text = page.get_text(" ", strip=True)
    assert "Payout owed" in text
    assert f"pay ¥450,000.00 out of escrow to {payout.deal.seller.name}" in text
    assert [b.get_text(strip=True) for b in page.select("button[name=action]")] == [
        "Confirm payout sent"
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            review_url(payout), {"action": "confirm_payout", "confirm_payout-note": ""}, follow=True
        )

    payout.refresh_from_db()
    assert payout.state == PaymentState.SUCCEEDED
    assert any("the seller is told" in m for m in messages_of(response))
    notice = Notice.objects.get(event="payments.paid_out")
    assert list(notice.organizations.all()) == [payout.deal.seller]


def test_a_refund_links_the_payment_it_gives_back(staff_client, staff):
    refund = pending_refund(staff)
    page = soup(staff_client.get(review_url(refund)))
    assert reverse("payment_moderation:inspect", args=(refund.refund_of_id,)) in {
        a["href"] for a in page.select("dl a[href]")
    }


def test_a_cancelled_payment_offers_no_action(staff_client):
    payment = pending_deposit()
    Payment.objects.filter(pk=payment.pk).update(state=PaymentState.CANCELLED)

    response = staff_client.get(review_url(payment))

    assert response.status_code == 200
    assert not soup(response).select("button[name=action]")
    assert "No staff action is open" in text_of(response)


def test_a_stripe_payment_has_no_review_page_here(staff_client):
    payment = received_deposit()
    Payment.objects.filter(pk=payment.pk).update(provider=PaymentProvider.STRIPE)

    assert staff_client.get(review_url(payment)).status_code == 404


# --- the dashboard -------------------------------------------------------------------------


def test_the_dashboard_counts_offline_payments_awaiting_confirmation(staff_client, staff):
    for _ in range(3):
        pending_deposit()
    received_deposit()
    pending_refund(staff)
    pending_balance()
    pending_balance()
    pending_payout()

    response = staff_client.get("/admin/")

    assert response.status_code == 200
    panel = soup(response).select_one("#offline-payments-section")
    assert panel is not None
    assert "Offline payments awaiting confirmation" in panel.get_text(" ", strip=True)
    counts = {a["href"]: a.get_text(strip=True) for a in panel.select("a[data-pending-count]")}
    assert counts == {
        f"{INDEX}?state=pending&purpose=deposit": "3",
        f"{INDEX}?state=pending&purpose=balance": "2",
        f"{INDEX}?state=pending&purpose=payout": "1",
        f"{INDEX}?state=pending&purpose=refund": "1",
    }
    labels = [a.get_text(strip=True) for a in panel.select("td.title a")]
    assert labels == [
        "Deposits to confirm as received",
        "Balances to confirm as received",
        "Payouts to send to sellers and confirm",
        "Refunds to send and confirm",
    ]


def test_the_dashboard_panel_runs_a_constant_number_of_queries(staff_client):
    pending_deposit()
    staff_client.get("/admin/")  # warm the caches the first request fills
    with CaptureQueriesContext(connection) as few:
        staff_client.get("/admin/")
    for _ in range(5):
        pending_deposit()
        received_deposit()
    with CaptureQueriesContext(connection) as many:
        staff_client.get("/admin/")

    assert len(many) == len(few)


# --- who may see it ------------------------------------------------------------------------


def test_a_signed_in_user_who_is_not_staff_is_sent_to_sign_in(client):
    payment = pending_deposit()
    client.force_login(UserFactory())

    for url in (INDEX, review_url(payment)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    client.post(review_url(payment), {"action": "confirm_deposit"})
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


def test_a_cms_editor_who_is_not_staff_gets_permission_denied(client):
    editor = UserFactory()
    grant(editor, "access_admin", "view_payment", "change_payment")
    payment = pending_deposit()
    english(client).force_login(editor)

    for url in (INDEX, review_url(payment)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    home = client.get("/admin/")
    assert not in_menu(home, INDEX)
    assert soup(home).select_one("#offline-payments-section") is None
    client.post(review_url(payment), {"action": "confirm_deposit"})
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


def test_staff_without_the_payment_permission_see_no_menu_item_and_no_pages(client):
    clerk = UserFactory(is_staff=True)
    grant(clerk, "access_admin")
    english(client).force_login(clerk)
    payment = pending_deposit()

    home = client.get("/admin/")

    assert home.status_code == 200
    assert not in_menu(home, INDEX)
    assert soup(home).select_one("#offline-payments-section") is None
    for url in (INDEX, review_url(payment)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")


def test_staff_with_view_only_read_the_page_but_cannot_confirm(client):
    reader = UserFactory(is_staff=True)
    grant(reader, "access_admin", "view_payment")
    payment = pending_deposit()
    english(client).force_login(reader)

    assert in_menu(client.get("/admin/"), INDEX)
    page = client.get(review_url(payment))
    assert page.status_code == 200
    assert not soup(page).select("button[name=action]")

    response = client.post(review_url(payment), {"action": "confirm_deposit"})

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING


def test_staff_with_the_change_permission_can_confirm(client):
    cashier = UserFactory(is_staff=True)
    grant(cashier, "access_admin", "view_payment", "change_payment")
    payment = pending_deposit()
    english(client).force_login(cashier)

    client.post(review_url(payment), {"action": "confirm_deposit"})

    payment.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED
    assert payment.confirmed_by == cashier


# --- the Django admin --------------------------------------------------------------------------


def test_the_django_admin_lists_and_shows_payments_but_writes_nothing(staff_client):
    payment = pending_deposit()
    changelist = "/django-admin/payments/payment/"
    change = f"{changelist}{payment.pk}/change/"

    listed = staff_client.get(f"{changelist}?state=pending&purpose=deposit&q={payment.reference}")
    shown = staff_client.get(change)

    assert listed.status_code == 200
    assert payment.reference in listed.content.decode()
    assert shown.status_code == 200
    assert not soup(shown).select("input[name=_save]")
    assert staff_client.get(f"{changelist}add/").status_code == 403
    assert staff_client.get(f"{changelist}{payment.pk}/delete/").status_code == 403
    staff_client.post(change, {"state": "succeeded", "amount": "1"})
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
