"""Pledge applications in the Wagtail admin (read-only for staff), their transitions in the
transition log, and the Django admin's read-only pledge pages."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation

from marketplace.pledges import services
from marketplace.pledges.models import (
    PledgeApplication,
    PledgeConsent,
    PledgeLedgerEntry,
    PledgeState,
)
from tests.factories import (
    BankFactory,
    DealFactory,
    IPAssetFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeApplicationFactory,
    UserFactory,
)
from tests.wagtail_admin import english, grant, in_menu, index_titles, soup, table_rows, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

INDEX = "/admin/pledge-applications/"
LOG = "/admin/transition-log/"


def review_url(application: PledgeApplication) -> str:
    return reverse("pledge_review:inspect", args=(application.pk,))


@pytest.fixture
def registered():
    """An application the bank's reviewer registered through the service."""
    bank = BankFactory(name="中原银行郑州分行")
    reviewer = UserFactory(email="reviewer@bank.example", name="Rita Reviewer")
    MembershipFactory(user=reviewer, organization=bank, role="reviewer")
    holder = OrganizationFactory(name="郑州锂电科技有限公司", verification_state="verified")
    asset = IPAssetFactory(holder=holder, title="一种锂电池隔膜的制备方法")
    application = PledgeApplicationFactory(
        applicant=holder,
        bank=bank,
        reviewer=reviewer,
        assets=[asset],
        state=PledgeState.CONTRACT_SIGNED,
        requested_amount=Decimal("5000000.00"),
        approved_amount=Decimal("4000000.00"),
        annual_rate=Decimal("3.65"),
        approved_term_months=12,
    )
    application = services.pledge_register(
        application=application,
        by=reviewer,
        registration_number="Y2026410000123",
        registration_date=timezone.localdate(),
        secured_amount=Decimal("3800000.00"),
    )
    return application


# --- the index -----------------------------------------------------------------------------


def test_the_index_lists_applications_with_their_amounts_and_state(staff_client, registered):
    response = staff_client.get(INDEX)

    assert response.status_code == 200
    assert in_menu(response, INDEX)
    (row,) = table_rows(response)
    assert str(registered) in row
    assert "郑州锂电科技有限公司" in row
    assert "中原银行郑州分行" in row
    assert "¥5,000,000.00" in row
    assert "¥4,000,000.00" in row
    assert "¥3,800,000.00" in row
    assert "Pledge registered" in row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"submitted", "registered", "other bank"}),
        ("state=submitted", {"submitted", "other bank"}),
        ("state=registered", {"registered"}),
        ("bank=FIRST", {"submitted", "registered"}),
        ("bank=SECOND", {"other bank"}),
        ("state=submitted&bank=SECOND", {"other bank"}),
        ("q=甲公司", {"submitted"}),
    ],
)
def test_the_index_filters_by_state_and_bank(staff_client, query, expected):
    first, second = BankFactory(), BankFactory()
    applications = {
        "submitted": PledgeApplicationFactory(
            bank=first, state="submitted", applicant=OrganizationFactory(name="甲公司")
        ),
        "registered": PledgeApplicationFactory(bank=first, state="registered"),
        "other bank": PledgeApplicationFactory(bank=second, state="submitted"),
    }
    query = query.replace("FIRST", str(first.pk)).replace("SECOND", str(second.pk))

    response = staff_client.get(f"{INDEX}?{query}")

    assert response.status_code == 200
    assert {
        name for name, a in applications.items() if str(a) in index_titles(response)
    } == expected


def test_no_generic_create_edit_or_delete_exists(staff_client):
    for name in ("add", "edit", "delete", "copy"):
        with pytest.raises(NoReverseMatch):
            reverse(f"pledge_review:{name}", args=(1,) if name != "add" else ())
    assert staff_client.get(f"{INDEX}new/").status_code == 404


def _index_queries(client, rows: int) -> int:
    while PledgeApplication.objects.count() < rows:
        PledgeApplicationFactory(
            state="registered" if PledgeApplication.objects.count() % 2 else "submitted"
        )
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
    # filtering adds one query: the chosen bank is looked up to validate the choice
    with django_assert_max_num_queries(few + 1):
        staff_client.get(f"{INDEX}?state=submitted&bank={BankFactory().pk}&q=郑州")


# --- the review page -------------------------------------------------------------------------


def test_the_review_page_shows_facts_assets_and_the_timeline_and_offers_no_action(
    staff_client, registered
):
    deal = DealFactory(state="proposed")
    PledgeConsent.objects.create(
        application=registered, deal=deal, given_by=registered.reviewer, note="同意转让"
    )

    response = staff_client.get(review_url(registered))

    assert response.status_code == 200
    page = soup(response)
    text = text_of(response)
    for fact in (
        "郑州锂电科技有限公司",
        "中原银行郑州分行",
        "¥5,000,000.00",
        "¥4,000,000.00",
        "3.65%",
        "Y2026410000123",
        "¥3,800,000.00",
        "一种锂电池隔膜的制备方法",
        "同意转让",
        "The reviewers of the addressed bank act on them",
    ):
        assert fact in text, fact
    # the timeline shows the registration with who made it
    assert "Register pledge" in text
    assert "Contract signed → Pledge registered" in text
    assert "Rita Reviewer" in text
    # staff read; there is nothing to press
    assert not page.select("button[name=action]")
    links = {a["href"] for a in page.select("a[href]")}
    assert reverse("organisation_moderation:inspect", args=(registered.applicant_id,)) in links
    assert reverse("deal_moderation:inspect", args=(deal.pk,)) in links


def test_the_review_page_renders_in_chinese(client, staff, registered):
    client.force_login(staff)

    response = client.get(review_url(registered))

    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()
    text = text_of(response)
    assert "审计记录" in text  # "Audit timeline"
    assert "郑州锂电科技有限公司" in text


def test_a_post_to_the_review_page_is_refused(staff_client, registered):
    response = staff_client.post(review_url(registered), {"action": "release"})

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    registered.refresh_from_db()
    assert registered.state == PledgeState.REGISTERED


# --- the transition log ------------------------------------------------------------------------


def test_the_log_filters_pledge_transitions_and_links_to_the_review_page(staff_client, registered):
    pledge_type = ContentType.objects.get_for_model(PledgeApplication).pk

    response = staff_client.get(f"{LOG}?transition=register")

    assert response.status_code == 200
    (row,) = table_rows(response)
    assert str(registered) in row
    assert "Register pledge" in row
    assert "Contract signed" in row
    assert "Pledge registered" in row
    assert "Rita Reviewer" in row
    links = {a["href"] for a in soup(response).select("table.listing tbody a[href]")}
    assert review_url(registered) in links
    # the filter offers the new transitions by their labels, and the record type
    options = {
        o.get_text(strip=True) for o in soup(response).select("select[name=transition] option")
    }
    assert {"Register pledge", "Disburse", "Deposit paid", "Make an offer"} <= options
    assert len(table_rows(staff_client.get(f"{LOG}?content_type={pledge_type}"))) == 1
    assert not table_rows(staff_client.get(f"{LOG}?transition=disburse"))


# --- who may see it ------------------------------------------------------------------------


def test_a_signed_in_user_who_is_not_staff_is_sent_to_sign_in(client, registered):
    client.force_login(UserFactory())

    for url in (INDEX, review_url(registered)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_bank_reviewer_who_is_not_staff_gets_permission_denied(client, registered):
    # even a CMS editor given the model permission by mistake
    reviewer = registered.reviewer
    grant(reviewer, "access_admin", "view_pledgeapplication")
    english(client).force_login(reviewer)

    for url in (INDEX, review_url(registered)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    assert not in_menu(client.get("/admin/"), INDEX)


def test_staff_without_the_permission_see_no_menu_item_and_no_pages(client, registered):
    clerk = UserFactory(is_staff=True)
    grant(clerk, "access_admin")
    english(client).force_login(clerk)

    home = client.get("/admin/")

    assert home.status_code == 200
    assert not in_menu(home, INDEX)
    for url in (INDEX, review_url(registered)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")


def test_staff_with_the_view_permission_read_the_pages(client, registered):
    reader = UserFactory(is_staff=True)
    grant(reader, "access_admin", "view_pledgeapplication")
    english(client).force_login(reader)

    assert in_menu(client.get("/admin/"), INDEX)
    assert client.get(INDEX).status_code == 200
    page = client.get(review_url(registered))
    assert page.status_code == 200
    assert not soup(page).select("button[name=action]")


# --- the Django admin --------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["pledgeapplication", "pledgeconsent"])
def test_the_django_admin_lists_and_shows_pledges_but_writes_nothing(
    staff_client, registered, model
):
    consent = PledgeConsent.objects.create(
        application=registered, deal=DealFactory(), given_by=registered.reviewer
    )
    obj = registered if model == "pledgeapplication" else consent
    changelist = f"/django-admin/pledges/{model}/"
    change = f"{changelist}{obj.pk}/change/"

    listed = staff_client.get(f"{changelist}?q=郑州")
    shown = staff_client.get(change)

    assert listed.status_code == 200
    assert change in listed.content.decode()
    assert shown.status_code == 200
    assert not soup(shown).select("input[name=_save]")
    assert staff_client.get(f"{changelist}add/").status_code == 403
    assert staff_client.get(f"{changelist}{obj.pk}/delete/").status_code == 403
    if model == "pledgeapplication":
        assert (
            staff_client.get(
                f"{changelist}?state=registered&bank__id__exact={registered.bank_id}"
            ).status_code
            == 200
        )


# --- the ledger's and the goals' indexes ----------------------------------------------------

LEDGER = "/admin/pledge-ledger/"
GOALS = "/admin/pledge-goals/"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_ledger_shows_the_registration_date_as_a_date(client, staff, registered, language):
    """A legal date reads as the date in the reader's format, not "13 hours ago"."""
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    entry = PledgeLedgerEntry.objects.get(application=registered)

    (row,) = table_rows(client.get(LEDGER))

    with translation.override(language):
        shown = formats.date_format(entry.registered_on)
    relative = "ago" if language == "en" else "之前"
    assert shown in row
    assert relative not in row
    assert "¥3,800,000.00" in row


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_goals_show_their_target_as_money(client, staff, language):
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    (row,) = table_rows(client.get(GOALS))  # the action plan's goal, from the migrations

    assert "¥1,200,000,000.00" in row
    assert "1200000000.00" not in row
