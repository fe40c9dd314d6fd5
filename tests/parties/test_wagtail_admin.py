"""Staff verification of organisations and the transition log in the Wagtail admin."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from listings.models import Listing
from listings.services import listing_create, listing_submit
from marketplace.parties import services
from marketplace.parties.models import Organization, VerificationState
from tests.factories import IPAssetFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.wagtail_admin import english, grant, index_titles, messages_of, soup, table_rows

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

INDEX = "/admin/organisations/"
LOG = "/admin/transition-log/"


def review_url(organization: Organization) -> str:
    return reverse("organisation_moderation:inspect", args=(organization.pk,))


# --- organisations: index --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"待审企业", "已认证大学", "被驳回律所"}),
        ("verification_state=pending", {"待审企业"}),
        ("verification_state=verified", {"已认证大学"}),
        ("kind=university", {"已认证大学"}),
        ("district=jinshui", {"被驳回律所"}),
        ("q=大学", {"已认证大学"}),
        ("q=91410100", {"待审企业", "已认证大学", "被驳回律所"}),
    ],
)
def test_the_index_filters_by_verification_kind_and_district_and_searches(
    staff_client, query, expected
):
    OrganizationFactory(name="待审企业")
    OrganizationFactory(name="已认证大学", kind="university", verification_state="verified")
    OrganizationFactory(
        name="被驳回律所", kind="law_firm", district="jinshui", verification_state="rejected"
    )

    response = staff_client.get(f"{INDEX}?{query}")

    assert response.status_code == 200
    assert index_titles(response) == expected


def test_the_index_shows_kind_code_members_and_state(staff_client):
    organization = OrganizationFactory(name="郑州锂电科技有限公司")
    MembershipFactory.create_batch(2, organization=organization)

    response = staff_client.get(INDEX)

    (row,) = table_rows(response)
    assert organization.credit_code in row
    assert "Enterprise" in row
    assert "High-tech Zone" in row
    assert "Pending verification" in row
    assert " 2 " in f" {row} "


def test_the_index_searches_a_credit_code(staff_client):
    wanted = OrganizationFactory(name="要找的公司")
    OrganizationFactory(name="别的公司")

    response = staff_client.get(f"{INDEX}?q={wanted.credit_code}")

    assert index_titles(response) == {"要找的公司"}


def test_no_generic_create_edit_or_delete_exists(staff_client):
    for name in ("add", "edit", "delete", "copy"):
        with pytest.raises(NoReverseMatch):
            reverse(f"organisation_moderation:{name}", args=(1,) if name != "add" else ())
    assert staff_client.get(f"{INDEX}new/").status_code == 404


def _index_queries(client, rows: int) -> int:
    while Organization.objects.count() < rows:
        MembershipFactory(organization=OrganizationFactory())
    with CaptureQueriesContext(connection) as captured:
        response = client.get(INDEX)
    assert len(table_rows(response)) == rows
    return len(captured)


def test_the_index_runs_the_same_number_of_queries_for_5_and_30_rows(
    staff_client, django_assert_max_num_queries
):
    few = _index_queries(staff_client, 5)
    many = _index_queries(staff_client, 30)

    assert many == few
    with django_assert_max_num_queries(few):
        staff_client.get(f"{INDEX}?verification_state=pending&kind=enterprise&q=郑州")


# --- organisations: the review page ----------------------------------------------------------


def test_the_review_page_shows_facts_members_and_the_actions_open_now(staff_client):
    organization = OrganizationFactory(name="郑州锂电科技有限公司", address="郑州市高新区科学大道")
    member = MembershipFactory(organization=organization).user

    response = staff_client.get(review_url(organization))

    assert response.status_code == 200
    page = soup(response)
    text = page.get_text(" ", strip=True)
    assert organization.credit_code in text
    assert "郑州市高新区科学大道" in text
    assert member.email in text
    assert "Pending verification" in text
    assert {b["value"] for b in page.select("button[name=action]")} == {"verify", "reject"}


def test_verifying_with_a_note_calls_the_service_and_logs_once(staff_client, staff):
    organization = OrganizationFactory()

    response = staff_client.post(
        review_url(organization),
        {"action": "verify", "verify-note": "营业执照核验一致"},
        follow=True,
    )

    organization.refresh_from_db()
    assert organization.verification_state == VerificationState.VERIFIED
    assert organization.verified_at is not None
    log = StateLog.objects.for_(organization).get()
    assert (log.transition, log.source_state, log.state, log.by, log.description) == (
        "verify",
        "pending",
        "verified",
        staff,
        "营业执照核验一致",
    )
    assert any("is verified" in m for m in messages_of(response))
    text = soup(response).get_text(" ", strip=True)
    assert "Pending verification → Verified" in text
    assert "Olga Operator" in text
    # a verified organisation can only have its verification revoked
    assert [b["value"] for b in soup(response).select("button[name=action]")] == ["revoke"]


@pytest.mark.parametrize(
    ("state", "action", "target"),
    [
        ("pending", "reject", VerificationState.REJECTED),
        ("verified", "revoke", VerificationState.PENDING),
    ],
)
def test_reject_and_revoke_need_a_reason(staff_client, staff, state, action, target):
    # given
    organization = OrganizationFactory(verification_state=state)

    # when no reason is given
    response = staff_client.post(review_url(organization), {"action": action})

    # then the form comes back with the error and nothing changes
    assert response.status_code == 200
    assert "Give a reason." in soup(response).get_text(" ", strip=True)
    organization.refresh_from_db()
    assert organization.verification_state == state
    assert not StateLog.objects.for_(organization).exists()

    # when a reason is given
    response = staff_client.post(
        review_url(organization), {"action": action, f"{action}-reason": "执照已被吊销"}
    )

    # then
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.verification_state == target
    assert organization.verification_note == "执照已被吊销"
    log = StateLog.objects.for_(organization).get()
    assert (log.transition, log.by, log.description) == (action, staff, "执照已被吊销")


def test_a_transition_the_state_does_not_allow_is_refused_with_a_message(staff_client):
    organization = OrganizationFactory(verification_state="verified")

    response = staff_client.post(
        review_url(organization), {"action": "verify", "verify-note": ""}, follow=True
    )

    assert response.redirect_chain[-1][0] == review_url(organization)
    assert any(
        "was not verified" in m and "so that step is not possible now" in m
        for m in messages_of(response)
    )
    organization.refresh_from_db()
    assert organization.verification_state == VerificationState.VERIFIED
    assert not StateLog.objects.for_(organization).exists()


def test_a_user_who_is_not_staff_gets_no_access(client):
    organization = OrganizationFactory()
    client.force_login(UserFactory())

    for url in (INDEX, review_url(organization), LOG):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    editor = UserFactory()
    grant(editor, "access_admin", "view_organization", "change_organization", "view_statelog")
    english(client).force_login(editor)
    for url in (INDEX, review_url(organization), LOG):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
    client.post(review_url(organization), {"action": "verify"})
    organization.refresh_from_db()
    assert organization.verification_state == VerificationState.PENDING


# --- the transition log ------------------------------------------------------------------------


@pytest.fixture
def history(staff):
    """Two organisations verified by staff, one rejected, and a listing the holder submitted."""
    holder = UserFactory(email="holder@example.com", name="Hannah Holder")
    first = OrganizationFactory(name="甲公司")
    second = OrganizationFactory(name="乙公司")
    third = OrganizationFactory(name="丙公司")
    services.organization_verify(organization=first, by=staff)
    services.organization_verify(organization=second, by=staff)
    services.organization_reject(organization=third, by=staff, reason="材料不全")
    MembershipFactory(user=holder, organization=first)
    asset = IPAssetFactory(holder=first)
    listing = listing_create(
        by=holder,
        holder=first,
        assets=[asset],
        title="一种锂电池隔膜的制备方法",
        intent="transfer",
        valid_until=timezone.localdate() + datetime.timedelta(days=90),
    )
    listing_submit(listing=listing, by=holder)
    return {"listing": listing, "holder": holder, "first": first}


def test_the_log_lists_every_transition_with_who_from_to_and_note(staff_client, history):
    response = staff_client.get(LOG)

    assert response.status_code == 200
    rows = table_rows(response)
    assert len(rows) == 4
    newest = rows[0]
    assert "一种锂电池隔膜的制备方法" in newest
    assert "Hannah Holder" in newest
    assert "Draft" in newest
    assert "Pending review" in newest
    rejected = next(row for row in rows if "丙公司" in row)
    assert "材料不全" in rejected
    assert "Pending verification" in rejected
    assert "Rejected" in rejected
    # records link to their review pages
    links = {a["href"] for a in soup(response).select("table.listing tbody a[href]")}
    assert reverse("listing_moderation:inspect", args=(history["listing"].pk,)) in links
    assert reverse("organisation_moderation:inspect", args=(history["first"].pk,)) in links


def test_the_log_filters_by_record_type_transition_user_and_date(staff_client, history):
    listing_type = ContentType.objects.get_for_model(Listing).pk
    organization_type = ContentType.objects.get_for_model(Organization).pk
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)

    def count(query: str) -> int:
        response = staff_client.get(f"{LOG}?{query}")
        assert response.status_code == 200
        return len(table_rows(response))

    assert count(f"content_type={listing_type}") == 1
    assert count(f"content_type={organization_type}") == 3
    assert count("transition=verify") == 2
    assert count("transition=reject") == 1
    assert count("user=holder@") == 1
    assert count("user=Olga") == 3
    assert count(f"timestamp_from={today.isoformat()}&timestamp_to={today.isoformat()}") == 4
    assert count(f"timestamp_from={tomorrow.isoformat()}") == 0
    assert count(f"content_type={organization_type}&transition=verify&user=operator") == 2


def test_the_log_runs_the_same_number_of_queries_for_5_and_30_rows(
    staff_client, staff, django_assert_max_num_queries
):
    def fill(rows: int) -> int:
        while StateLog.objects.count() < rows:
            organization = OrganizationFactory()
            services.organization_verify(organization=organization, by=staff)
            if StateLog.objects.count() < rows:
                services.organization_revoke(organization=organization, by=staff, reason="复核")
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.get(LOG)
        assert len(table_rows(response)) == rows
        return len(captured)

    few = fill(5)
    many = fill(30)

    assert many == few
    with django_assert_max_num_queries(few + 1):
        staff_client.get(f"{LOG}?transition=verify&user=operator")


def test_the_log_offers_no_generic_views(staff_client):
    for name in ("add", "edit", "delete", "inspect"):
        with pytest.raises(NoReverseMatch):
            reverse(f"transition_log:{name}", args=(1,) if name != "add" else ())
