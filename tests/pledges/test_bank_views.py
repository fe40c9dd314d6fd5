"""The bank's review pages: the queue (only the user's banks, never drafts; filters, sorts,
the SLA mark, constant queries), who may see what (403 page for non-reviewers, 404 for
another bank's files), every transition through its form and service, the pledgee's
consent, and the documents a reviewer reads and attaches."""

import datetime
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_fsm_log.models import StateLog

from marketplace.documents import services as document_services
from marketplace.documents.models import Document
from marketplace.pledges import services
from marketplace.pledges.models import PledgeApplication, PledgeConsent, PledgeState
from marketplace.pledges.templatetags.pledge_bank import (
    bank_next_step,
    days_in_state,
    sla_breached,
)
from tests.factories import (
    BankFactory,
    DealFactory,
    IPAssetFactory,
    ListingFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeApplicationFactory,
    UserFactory,
)
from tests.querycounts import SIGNED_IN_PAGE

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

QUEUE_URL = reverse("bank:queue")
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# Session, user, header (SIGNED_IN_PAGE) + the reviewer's banks (asked once, by the view:
# the selectors filter by a subquery), the tab counts, the page's count, rows and their
# assets.
QUEUE_MAX_QUERIES = SIGNED_IN_PAGE + 5
# SIGNED_IN_PAGE + the application and its assets, prior pledges, the reviewer's banks
# (which prior pledges link to their file), the consents, the open deals, the listings
# waiting for consent, the documents, the timeline and its content type (cached after the
# first page that needs it).
DETAIL_MAX_QUERIES = SIGNED_IN_PAGE + 10


def _detail(application: PledgeApplication) -> str:
    return reverse("bank:application", args=[application.pk])


def _action(application: PledgeApplication, action: str) -> str:
    return reverse(f"bank:{action}", args=[application.pk])


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def _messages(response) -> list[str]:
    if response.context is not None and "messages" in response.context:
        return [str(m) for m in response.context["messages"]]
    return [str(m) for m in get_messages(response.wsgi_request)]


def _field_errors(response, name: str) -> list[str]:
    block = _soup(response).find(attrs={"name": name}).find_parent("div", class_="field")
    return [p.get_text() for p in block.find_all("p", class_="error")]


def _queue_ids(response) -> list[int]:
    return [application.pk for application in response.context["page"].object_list]


def _form_actions(response) -> list[str]:
    return [form.action for form in response.context["transition_forms"]]


def _upload(name: str = "质押登记通知书.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


# --- fixtures --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def bank():
    return BankFactory(name="中原银行郑州分行")


@pytest.fixture
def reviewer(bank):
    return MembershipFactory(organization=bank, role="reviewer", user__name="李审查").user


@pytest.fixture
def holder():
    return OrganizationFactory(verification_state="verified", name="郑州锂能科技有限公司")


@pytest.fixture
def owner(holder):
    return MembershipFactory(organization=holder, user__name="王经理").user


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield client


@pytest.fixture
def make(bank, holder):
    """An application of the holder to the reviewer's bank in `state`."""

    def make(state: str = PledgeState.SUBMITTED, **fields) -> PledgeApplication:
        fields.setdefault("applicant", holder)
        return PledgeApplicationFactory(bank=bank, state=state, **fields)

    return make


def _other_reviewer_client(client):
    other_bank = BankFactory(name="郑州银行")
    user = MembershipFactory(organization=other_bank, role="reviewer").user
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


# --- who may see the queue -------------------------------------------------------------


def test_the_queue_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(QUEUE_URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={QUEUE_URL}"


@pytest.mark.parametrize("role", ["owner", "member"])
def test_the_queue_is_a_403_page_for_users_who_review_for_no_bank(client, role):
    # a holder's member, and even a non-reviewer member of a bank
    organization = BankFactory() if role == "member" else OrganizationFactory()
    user = MembershipFactory(organization=organization, role=role).user
    client.force_login(user)
    client.cookies["django_language"] = "en"

    with translation.override("en"):
        response = client.get(QUEUE_URL)

    assert response.status_code == 403
    assert "This page is for bank reviewers" in response.content.decode()
    assert "not a reviewer of any bank" in response.content.decode()


# --- the queue -------------------------------------------------------------------------


def test_the_queue_shows_only_the_own_banks_applications_and_never_drafts(reviewer_client, make):
    # given
    submitted = make(PledgeState.SUBMITTED)
    in_review = make(PledgeState.UNDER_REVIEW)
    registered = make(PledgeState.REGISTERED)
    make(PledgeState.DRAFT)
    other_banks = PledgeApplicationFactory(state=PledgeState.SUBMITTED)

    # when
    response = reviewer_client.get(QUEUE_URL, {"tab": "all"})

    # then
    assert response.status_code == 200
    assert set(_queue_ids(response)) == {submitted.pk, in_review.pk, registered.pk}
    html = response.content.decode()
    assert f"#{other_banks.pk}<" not in html
    assert "郑州锂能科技有限公司" in html
    assert "¥3,000,000.00" in html  # the requested amount, to the fen


def test_the_queue_row_shows_assets_state_reviewer_and_a_claim_button(
    reviewer_client, reviewer, make, holder
):
    assets = [IPAssetFactory(holder=holder) for _ in range(4)]
    submitted = make(PledgeState.SUBMITTED, assets=assets)
    claimed = make(PledgeState.UNDER_REVIEW, reviewer=reviewer)

    soup = _soup(reviewer_client.get(QUEUE_URL))

    rows = {row.find("a").get_text(): row for row in soup.select("table.bank-queue tbody tr")}
    submitted_row = rows[f"#{submitted.pk}"]
    assert "4 assets" in submitted_row.get_text()
    assert assets[0].number in submitted_row.get_text()
    assert assets[3].number not in submitted_row.get_text()  # three shown, then "and 1 more"
    assert "and 1 more" in submitted_row.get_text()
    assert submitted_row.find("form", action=_action(submitted, "claim"))
    claimed_row = rows[f"#{claimed.pk}"]
    assert claimed_row.find("form") is None
    assert "Reviewer: 李审查" in claimed_row.get_text()
    assert "Under review" in claimed_row.get_text()


def test_a_link_to_one_state_shows_its_files_whoever_reviews_them(
    reviewer_client, reviewer, bank, make
):
    # the queue's links before it had tabs (?state=…) keep working
    colleague = MembershipFactory(organization=bank, role="reviewer")
    first = make(PledgeState.UNDER_REVIEW, reviewer=reviewer)
    second = make(PledgeState.UNDER_REVIEW, reviewer=colleague.user)
    make(PledgeState.SUBMITTED)
    make(PledgeState.DISBURSED)

    response = reviewer_client.get(QUEUE_URL, {"state": "under_review"})

    assert set(_queue_ids(response)) == {first.pk, second.pk}
    assert response.context["tab"] == "all"
    assert _soup(response).find("option", value="under_review").has_attr("selected")


# --- the queue's tabs: the work waiting for the reviewer first -------------------------


def _tab_counts(response) -> dict[str, int]:
    return {tab["key"]: tab["count"] for tab in response.context["tabs"]}


def _resubmitted(reviewer, owner, make, **fields) -> PledgeApplication:
    """A file the reviewer claimed and returned, which the holder answered (the services,
    as in the product: the claim and the reviewer stay on the file)."""
    application = make(PledgeState.SUBMITTED, **fields)
    services.pledge_claim(application=application, by=reviewer)
    services.pledge_return_for_info(application=application, by=reviewer, note="请补充评估报告")
    return services.pledge_resubmit(application=application, by=owner, note="已补充")


@pytest.fixture
def colleague(bank):
    return MembershipFactory(organization=bank, role="reviewer", user__name="张同事").user


@pytest.fixture
def every_kind_of_file(make, reviewer, colleague, owner):
    """A bank's files as a demo reviewer finds them: many closed and running ones from long
    ago, and a few waiting for the bank, each `days` days in its state."""
    files = {
        "closed": [
            make(state, state_changed_at=_days_ago(days))
            for state, days in (
                (PledgeState.RELEASED, 400),
                (PledgeState.REJECTED, 90),
                (PledgeState.WITHDRAWN, 60),
                (PledgeState.CANCELLED, 120),
                (PledgeState.DISPOSED, 30),
            )
        ],
        "disbursed": make(PledgeState.DISBURSED, state_changed_at=_days_ago(200)),
        "repaid": make(PledgeState.REPAID, state_changed_at=_days_ago(20)),
        "registered": make(PledgeState.REGISTERED, state_changed_at=_days_ago(3)),
        "approved": make(PledgeState.APPROVED, state_changed_at=_days_ago(2)),
        "overdue": make(PledgeState.OVERDUE, state_changed_at=_days_ago(1)),
        "returned": make(PledgeState.RETURNED, reviewer=reviewer, state_changed_at=_days_ago(8)),
        "colleagues": make(
            PledgeState.UNDER_REVIEW, reviewer=colleague, state_changed_at=_days_ago(9)
        ),
        "mine": make(PledgeState.UNDER_REVIEW, reviewer=reviewer, state_changed_at=_days_ago(4)),
        "new": make(PledgeState.SUBMITTED, state_changed_at=_days_ago(1)),
        "waiting_long": make(PledgeState.SUBMITTED, state_changed_at=_days_ago(10)),
        "resubmitted": _resubmitted(reviewer, owner, make),  # just now
    }
    return files


def test_the_queue_opens_on_the_work_waiting_for_the_reviewer_oldest_first(
    reviewer_client, every_kind_of_file
):
    files = every_kind_of_file

    response = reviewer_client.get(QUEUE_URL)

    # new and resubmitted files and my review, longest waiting first; nothing else
    assert response.context["tab"] == "waiting"
    assert _queue_ids(response) == [
        files["waiting_long"].pk,
        files["mine"].pk,
        files["new"].pk,
        files["resubmitted"].pk,
    ]
    soup = _soup(response)
    current = soup.select_one(".queue-tabs a[aria-current=page]")
    assert current.get_text(" ", strip=True) == "Waiting for me 4"
    rows = {row.find("a").get_text(): row for row in soup.select("table.bank-queue tbody tr")}
    resubmitted = rows[f"#{files['resubmitted'].pk}"]
    assert "Resubmitted after 李审查 returned it" in resubmitted.get_text()
    assert resubmitted.find("form", action=_action(files["resubmitted"], "claim"))
    assert "Resubmitted" not in rows[f"#{files['new'].pk}"].get_text()
    # the SLA mark: ten calendar days hold at least six working days whatever today is
    assert "sla-breached" in rows[f"#{files['waiting_long'].pk}"]["class"]
    assert "Over 5 working days" in rows[f"#{files['waiting_long'].pk}"].get_text()


def test_every_tab_has_its_count_and_its_files_in_its_order(reviewer_client, every_kind_of_file):
    files = every_kind_of_file
    closed = files["closed"]

    responses = {
        tab: reviewer_client.get(QUEUE_URL, {"tab": tab})
        for tab in ("waiting", "colleagues", "returned", "in_progress", "closed", "all")
    }

    assert _tab_counts(responses["waiting"]) == {
        "waiting": 4,
        "colleagues": 1,
        "returned": 1,
        "in_progress": 5,
        "closed": 5,
        "all": 16,
    }
    assert [tab["label"] for tab in responses["waiting"].context["tabs"]] == [
        "Waiting for me",
        "In review by colleagues",
        "Returned to the holder",
        "In progress",
        "Closed",
        "All",
    ]
    assert _queue_ids(responses["colleagues"]) == [files["colleagues"].pk]
    assert _queue_ids(responses["returned"]) == [files["returned"].pk]
    # what needs the bank now first, then the steps in their order, running loans last
    assert _queue_ids(responses["in_progress"]) == [
        files[key].pk for key in ("overdue", "approved", "registered", "repaid", "disbursed")
    ]
    # the most recently closed first
    assert _queue_ids(responses["closed"]) == [closed[i].pk for i in (4, 2, 1, 3, 0)]
    # all of them: the review first (longest waiting first), closed files last
    everything = _queue_ids(responses["all"])
    assert everything[:5] == [
        files[key].pk for key in ("waiting_long", "colleagues", "mine", "new", "resubmitted")
    ]
    assert set(everything[-5:]) == {application.pk for application in closed}
    for tab, response in responses.items():
        assert response.status_code == 200
        current = _soup(response).select_one(".queue-tabs a[aria-current=page]")
        assert current["href"] == f"?tab={tab}", tab
        assert response.context["total"] == 16


def test_a_tab_keeps_a_sort_the_reviewer_chooses(reviewer_client, make):
    small = make(PledgeState.RELEASED, requested_amount=Decimal("1000000.00"))
    large = make(PledgeState.REJECTED, requested_amount=Decimal("9000000.00"))

    response = reviewer_client.get(QUEUE_URL, {"tab": "closed", "sort": "amount"})

    assert _queue_ids(response) == [large.pk, small.pk]
    assert _soup(response).find("option", value="amount").has_attr("selected")
    # a tab link starts the other tab in its own order
    waiting = _soup(response).select_one(".queue-tabs a")
    assert waiting["href"] == "?tab=waiting"


def test_a_tab_filters_by_one_of_its_states(reviewer_client, make):
    make(PledgeState.RELEASED)
    rejected = make(PledgeState.REJECTED)

    response = reviewer_client.get(QUEUE_URL, {"tab": "closed", "state": "rejected"})

    assert _queue_ids(response) == [rejected.pk]
    options = [o["value"] for o in _soup(response).select("#queue-state option")]
    assert options == ["", "released", "rejected", "withdrawn", "cancelled", "disposed"]
    assert _soup(response).find("input", attrs={"name": "tab"})["value"] == "closed"


def test_a_state_outside_the_tab_is_ignored(reviewer_client, make):
    released = make(PledgeState.RELEASED)
    make(PledgeState.SUBMITTED)

    response = reviewer_client.get(QUEUE_URL, {"tab": "closed", "state": "submitted"})

    assert response.status_code == 200
    assert _queue_ids(response) == [released.pk]
    assert response.context["state"] == ""


def test_the_waiting_tab_says_when_nothing_waits(reviewer_client, make):
    make(PledgeState.RELEASED)

    response = reviewer_client.get(QUEUE_URL)

    assert _queue_ids(response) == []
    assert "Nothing is waiting for you" in _soup(response).select_one("p.empty").get_text()


def test_a_reviewer_of_another_bank_sees_none_of_its_files_in_any_tab(client, make):
    make(PledgeState.SUBMITTED)
    make(PledgeState.RELEASED)
    other = _other_reviewer_client(client)

    for tab in ("waiting", "closed", "all"):
        response = other.get(QUEUE_URL, {"tab": tab})
        assert _queue_ids(response) == []
        assert set(_tab_counts(response).values()) == {0}


def test_the_queue_filters_to_the_files_the_reviewer_claimed(reviewer_client, reviewer, make):
    mine = make(PledgeState.UNDER_REVIEW, reviewer=reviewer)
    colleague = MembershipFactory(organization=mine.bank, role="reviewer").user
    make(PledgeState.UNDER_REVIEW, reviewer=colleague)
    make(PledgeState.SUBMITTED)

    response = reviewer_client.get(QUEUE_URL, {"mine": "1"})

    assert _queue_ids(response) == [mine.pk]
    assert _soup(response).find("input", attrs={"name": "mine"}).has_attr("checked")


def test_the_queue_sorts_oldest_in_state_first_by_default_then_newest_or_amount(
    reviewer_client, make
):
    old = make(state_changed_at=_days_ago(9), requested_amount=Decimal("1000000.00"))
    middle = make(state_changed_at=_days_ago(3), requested_amount=Decimal("9000000.00"))
    new = make(state_changed_at=_days_ago(1), requested_amount=Decimal("5000000.00"))

    assert _queue_ids(reviewer_client.get(QUEUE_URL)) == [old.pk, middle.pk, new.pk]
    newest = reviewer_client.get(QUEUE_URL, {"sort": "newest"})
    assert _queue_ids(newest) == [new.pk, middle.pk, old.pk]
    by_amount = reviewer_client.get(QUEUE_URL, {"sort": "amount"})
    assert _queue_ids(by_amount) == [middle.pk, new.pk, old.pk]


@pytest.mark.parametrize(
    "query",
    [
        {"state": "draft"},  # the bank never sees drafts
        {"state": "bogus"},
        {"state": "<script>"},
        {"sort": "-requested_amount"},
        {"sort": "state_changed_at; drop table"},
        {"page": "abc"},
        {"page": "999"},
        {"page": "-1"},
        {"mine": "yes"},
        {"tab": "bogus"},
        {"tab": "<script>"},
        {"tab": ""},
        {"tab": "waiting", "state": "released"},  # not a state of the tab
        {"tab": "waiting", "sort": "1; drop table"},
        {"tab": ["closed", "bogus"]},  # the last value counts
        {"state": "\x00"},
    ],
)
def test_the_queue_ignores_what_it_does_not_know_in_the_query_string(reviewer_client, make, query):
    old = make(state_changed_at=_days_ago(4))
    new = make(state_changed_at=_days_ago(1))
    make(PledgeState.DRAFT)

    response = reviewer_client.get(QUEUE_URL, query)

    assert response.status_code == 200
    assert _queue_ids(response) == [old.pk, new.pk]  # all of them, oldest first


def test_the_queue_pages_through_25_at_a_time_keeping_the_filters(reviewer_client, make):
    for days in range(27):
        make(state_changed_at=_days_ago(days))

    first = reviewer_client.get(QUEUE_URL, {"state": "submitted", "sort": "newest"})
    second = reviewer_client.get(QUEUE_URL, {"state": "submitted", "sort": "newest", "page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 2
    next_link = _soup(first).find("a", rel="next")["href"]
    assert "state=submitted" in next_link
    assert "sort=newest" in next_link
    assert "page=2" in next_link


# --- the SLA mark ----------------------------------------------------------------------


def test_the_queue_marks_a_file_waiting_over_five_working_days_in_words(reviewer_client, make):
    # ten calendar days hold at least six working days whatever today is
    late = make(PledgeState.SUBMITTED, state_changed_at=_days_ago(10))
    late_review = make(PledgeState.UNDER_REVIEW, state_changed_at=_days_ago(10))
    fresh = make(PledgeState.SUBMITTED, state_changed_at=_days_ago(2))
    finished = make(PledgeState.REJECTED, state_changed_at=_days_ago(30))

    soup = _soup(reviewer_client.get(QUEUE_URL, {"tab": "all"}))

    rows = {row.find("a").get_text(): row for row in soup.select("table.bank-queue tbody tr")}
    for flagged in (late, late_review):
        row = rows[f"#{flagged.pk}"]
        assert "Over 5 working days" in row.get_text()
        assert "10 days" in row.get_text()
        assert "sla-breached" in row["class"]
    assert "Over 5 working days" not in rows[f"#{fresh.pk}"].get_text()
    assert "2 days" in rows[f"#{fresh.pk}"].get_text()
    # the clock runs only while the bank has the file
    assert "Over 5 working days" not in rows[f"#{finished.pk}"].get_text()


@pytest.mark.parametrize(
    ("since", "today", "state", "breached"),
    [
        # eight calendar days over a weekend: Monday → next Tuesday is 6 working days
        (datetime.date(2025, 3, 3), datetime.date(2025, 3, 11), "submitted", True),
        (datetime.date(2025, 3, 3), datetime.date(2025, 3, 11), "under_review", True),
        # … but Friday → next Saturday is only 5: not over the limit
        (datetime.date(2025, 3, 7), datetime.date(2025, 3, 15), "submitted", False),
        # exactly 5 working days (Monday → next Monday) is not over it
        (datetime.date(2025, 3, 3), datetime.date(2025, 3, 10), "submitted", False),
        (datetime.date(2025, 3, 3), datetime.date(2025, 3, 5), "submitted", False),
        # outside the bank's review the clock does not run
        (datetime.date(2025, 3, 3), datetime.date(2025, 4, 1), "returned", False),
        (datetime.date(2025, 3, 3), datetime.date(2025, 4, 1), "approved", False),
    ],
)
def test_sla_counts_working_days_in_the_review_states(since, today, state, breached):
    moment = timezone.make_aware(datetime.datetime.combine(since, datetime.time(23, 30)))
    application = PledgeApplication(state_changed_at=moment)
    application.__dict__["state"] = state

    assert sla_breached(application, today) is breached
    assert days_in_state(application, today) == (today - since).days


def test_the_days_in_state_use_the_local_date():
    # 23:30 in Shanghai is 15:30 UTC: the file entered its state on the local day
    moment = datetime.datetime(2025, 3, 3, 15, 30, tzinfo=datetime.UTC)
    application = PledgeApplication(state_changed_at=moment)

    assert days_in_state(application, datetime.date(2025, 3, 4)) == 1


def test_every_state_the_bank_acts_in_has_a_next_step():
    with translation.override("en"):
        for state in PledgeState:
            application = PledgeApplication()
            application.__dict__["state"] = state
            finished = state in (
                "draft",
                "rejected",
                "withdrawn",
                "released",
                "disposed",
                "cancelled",
            )
            assert bool(bank_next_step(application)) is not finished, state


# --- constant queries ------------------------------------------------------------------


def _queue_queries(client, query: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE_URL, query or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"tab": "colleagues"},
        {"tab": "in_progress", "sort": "stage"},
        {"tab": "closed", "state": "released"},
        {"tab": "all", "mine": "1"},
    ],
)
def test_the_queue_query_count_does_not_grow_with_applications(
    reviewer_client, reviewer, colleague, make, holder, query, django_assert_max_num_queries
):
    states = [
        PledgeState.SUBMITTED,
        PledgeState.UNDER_REVIEW,
        PledgeState.DISBURSED,
        PledgeState.RELEASED,
    ]
    for state in states:  # a row in every tab asked for, so each page has rows to show
        make(
            state,
            reviewer=reviewer if state == PledgeState.UNDER_REVIEW else None,
            assets=[IPAssetFactory(holder=holder), IPAssetFactory(holder=holder)],
        )
    make(PledgeState.UNDER_REVIEW, reviewer=colleague)
    with django_assert_max_num_queries(QUEUE_MAX_QUERIES):
        small = _queue_queries(reviewer_client, query)

    for index in range(40):
        who = reviewer if index % 3 else colleague
        make(states[index % 4], reviewer=who if index % 4 == 1 else None)
    with django_assert_max_num_queries(QUEUE_MAX_QUERIES):
        large = _queue_queries(reviewer_client, query)

    assert large == small


def test_a_reviewer_of_two_banks_sees_both_queues_with_the_bank_named(
    reviewer_client, reviewer, make
):
    second_bank = BankFactory(name="郑州农商银行")
    MembershipFactory(organization=second_bank, role="reviewer", user=reviewer)
    ours = make()
    theirs = PledgeApplicationFactory(bank=second_bank, state=PledgeState.SUBMITTED)

    response = reviewer_client.get(QUEUE_URL)

    assert set(_queue_ids(response)) == {ours.pk, theirs.pk}
    assert "郑州农商银行" in response.content.decode()
    assert "中原银行郑州分行" in response.content.decode()


# --- the application's page: who may see it --------------------------------------------


def test_the_detail_sends_anonymous_visitors_to_sign_in(client, make):
    url = _detail(make())

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


def test_a_reviewer_of_another_bank_gets_404_for_the_file_and_its_actions(client, make):
    application = make(PledgeState.SUBMITTED)
    other = _other_reviewer_client(client)

    assert other.get(_detail(application)).status_code == 404
    assert other.post(_action(application, "claim")).status_code == 404
    assert other.post(reverse("bank:upload", args=[application.pk])).status_code == 404
    application.refresh_from_db()
    assert application.state == PledgeState.SUBMITTED


def test_the_holder_gets_404_for_the_bank_page_of_its_own_application(client, owner, make):
    application = make(PledgeState.SUBMITTED)
    client.force_login(owner)

    assert client.get(_detail(application)).status_code == 404
    assert client.post(_action(application, "claim")).status_code == 404


def test_a_draft_is_404_even_for_the_banks_reviewer(reviewer_client, make):
    assert reviewer_client.get(_detail(make(PledgeState.DRAFT))).status_code == 404


def test_a_get_on_an_action_url_goes_to_the_file(reviewer_client, make):
    # e.g. switching the language on a page re-rendered after a refused step
    application = make(PledgeState.UNDER_REVIEW)

    response = reviewer_client.get(_action(application, "approve"))

    assert response.status_code == 302
    assert response.url == _detail(application)
    application.refresh_from_db()
    assert application.state == PledgeState.UNDER_REVIEW


def test_an_unknown_action_is_404(reviewer_client, make):
    application = make()
    response = reviewer_client.post(f"{_detail(application)}withdraw/")
    assert response.status_code == 404


# --- the application's page: what it shows ---------------------------------------------


def test_the_detail_shows_the_request_the_applicant_and_the_assets(reviewer_client, make, holder):
    asset = IPAssetFactory(
        holder=holder, title="一种锂电池隔膜的制备方法", ipc_codes=["H01M 50/403"]
    )
    application = make(
        PledgeState.UNDER_REVIEW,
        assets=[asset],
        purpose="扩大隔膜产线",
        last_note="请补充近三年财务报表",
    )

    response = reviewer_client.get(_detail(application))

    assert response.status_code == 200
    text = _soup(response).get_text(" ")
    for fact in (
        "¥3,000,000.00",
        "12 months",
        "扩大隔膜产线",
        holder.credit_code,
        "High-tech Zone",
        "Verified",
        asset.number,
        "一种锂电池隔膜的制备方法",
        "H01M 50/403",
        asset.expiry_date.strftime("%Y-%m-%d"),
        "请补充近三年财务报表",
        "Review the file",
    ):
        assert fact in text, fact


def test_the_detail_shows_the_loan_facts_once_they_exist(reviewer_client, make):
    application = make(
        PledgeState.DISBURSED,
        contract_number="HT-2025-018",
        contract_date=datetime.date(2025, 1, 6),
        disbursed_on=datetime.date(2025, 1, 20),
        disbursed_amount=Decimal("2500000.00"),
        maturity_date=datetime.date(2026, 1, 20),
    )

    text = _soup(reviewer_client.get(_detail(application))).get_text(" ")

    for fact in ("HT-2025-018", application.registration_number, "3.85%", "2026-01-20"):
        assert fact in text, fact
    assert "¥2,500,000.00" in text


def test_the_detail_shows_other_pledges_of_the_assets_without_other_banks_amounts(
    reviewer_client, make, holder
):
    asset = IPAssetFactory(holder=holder)
    other_bank = BankFactory(name="郑州银行")
    PledgeApplicationFactory(
        applicant=holder,
        bank=other_bank,
        state=PledgeState.RELEASED,
        assets=[asset],
        requested_amount=Decimal("7654321.00"),
        registration_date=datetime.date(2023, 4, 12),
        secured_amount=Decimal("7654321.00"),
    )
    application = make(PledgeState.UNDER_REVIEW, assets=[asset])

    text = _soup(reviewer_client.get(_detail(application))).get_text(" ")

    assert "郑州银行" in text
    assert "Released" in text
    assert "2023-04-12" in text
    assert "7,654,321" not in text
    assert "Yes: under an active pledge" not in text


def test_the_detail_flags_an_asset_under_an_active_pledge_elsewhere(reviewer_client, make, holder):
    asset = IPAssetFactory(holder=holder)
    PledgeApplicationFactory(applicant=holder, state=PledgeState.REGISTERED, assets=[asset])
    application = make(PledgeState.SUBMITTED, assets=[asset])

    response = reviewer_client.get(_detail(application))

    assert "Yes: under an active pledge" in response.content.decode()


def test_the_detail_shows_the_audit_timeline(reviewer_client, reviewer, make):
    application = make(PledgeState.SUBMITTED)
    services.pledge_claim(application=application, by=reviewer)
    services.pledge_return_for_info(application=application, by=reviewer, note="请补充评估报告")

    soup = _soup(reviewer_client.get(_detail(application)))

    entries = soup.select(".timeline-entry")
    assert len(entries) == 2
    assert "请补充评估报告" in entries[1].get_text()
    assert "李审查" in entries[0].get_text()


@pytest.mark.parametrize(
    ("state", "actions"),
    [
        (PledgeState.SUBMITTED, ["claim"]),
        (PledgeState.UNDER_REVIEW, ["approve", "return_for_info", "reject"]),
        (PledgeState.RETURNED, ["reject"]),
        (PledgeState.APPROVED, ["sign_contract", "cancel"]),
        (PledgeState.CONTRACT_SIGNED, ["register", "cancel"]),
        (PledgeState.REGISTERED, ["disburse"]),
        (PledgeState.DISBURSED, ["repay"]),
        (PledgeState.OVERDUE, ["repay", "declare_default"]),
        (PledgeState.DEFAULTED, ["dispose"]),
        (PledgeState.REPAID, ["release"]),
        (PledgeState.RELEASED, []),
        (PledgeState.REJECTED, []),
        (PledgeState.WITHDRAWN, []),
        (PledgeState.DISPOSED, []),
        (PledgeState.CANCELLED, []),
    ],
)
def test_the_detail_offers_only_the_steps_possible_now(reviewer_client, make, state, actions):
    application = make(state)

    response = reviewer_client.get(_detail(application))

    assert _form_actions(response) == actions
    posted_to = [form["action"] for form in _soup(response).select("form.transition-form")]
    assert posted_to == [_action(application, action) for action in actions]


def test_the_forms_come_with_sensible_defaults(reviewer_client, make):
    under_review = make(
        PledgeState.UNDER_REVIEW, requested_amount=Decimal("4200000.00"), term_months=18
    )
    contract_signed = make(PledgeState.CONTRACT_SIGNED, approved_amount=Decimal("2500000.00"))
    today = timezone.localdate().isoformat()

    approve = _soup(reviewer_client.get(_detail(under_review)))
    register = _soup(reviewer_client.get(_detail(contract_signed)))

    assert approve.find("input", attrs={"name": "approve-amount"})["value"] == "4200000.00"
    assert approve.find("input", attrs={"name": "approve-term_months"})["value"] == "18"
    date = register.find("input", attrs={"name": "register-registration_date"})
    assert date["type"] == "date"
    assert date["value"] == today
    secured = register.find("input", attrs={"name": "register-secured_amount"})
    assert secured["value"] == "2500000.00"


@pytest.mark.parametrize("n", [1, 6])
def test_the_detail_query_count_does_not_grow_with_assets_documents_and_deals(
    reviewer_client, make, holder, owner, n, django_assert_max_num_queries
):
    assets = [IPAssetFactory(holder=holder) for _ in range(n)]
    application = make(PledgeState.REGISTERED, assets=assets)
    for asset in assets:
        document_services.document_upload(
            by=owner, organization=holder, asset=asset, kind="certificate", uploaded_file=_upload()
        )
        PledgeApplicationFactory(applicant=holder, state=PledgeState.RELEASED, assets=[asset])
        DealFactory(listing=ListingFactory(holder=holder, assets=[asset], state="published"))
        ListingFactory(holder=holder, assets=[asset], state="pending_review", intent="licence")

    with django_assert_max_num_queries(DETAIL_MAX_QUERIES):
        response = reviewer_client.get(_detail(application))

    assert len(response.context["documents"]) == n
    assert len(response.context["deals"]) == n
    assert len(response.context["consent_listings"]) == n
    assert len(response.context["prior_pledges"]) == n


# --- the transitions through the views -------------------------------------------------


def test_a_reviewer_claims_from_the_queue(reviewer_client, reviewer, make):
    application = make(PledgeState.SUBMITTED)

    response = reviewer_client.post(_action(application, "claim"))

    assert response.status_code == 302
    assert response.url == _detail(application)
    application.refresh_from_db()
    assert application.state == PledgeState.UNDER_REVIEW
    assert application.reviewer == reviewer
    assert _messages(response) == [
        f"You claimed Pledge application #{application.pk}; it is yours to review."
    ]


def test_a_second_claim_is_told_the_file_is_already_claimed(client, reviewer, make):
    application = make(PledgeState.SUBMITTED)
    colleague = MembershipFactory(
        organization=application.bank, role="reviewer", user__name="赵同事"
    ).user
    services.pledge_claim(application=application, by=reviewer)
    client.force_login(colleague)
    client.cookies["django_language"] = "en"

    with translation.override("en"):
        response = client.post(_action(application, "claim"))

    assert response.status_code == 200
    assert _messages(response) == ["This application was already claimed by 李审查."]
    assert "claim" not in _form_actions(response)
    application.refresh_from_db()
    assert application.reviewer == reviewer


def test_return_for_info_needs_a_note_then_hands_the_file_back(reviewer_client, make):
    application = make(PledgeState.UNDER_REVIEW)
    url = _action(application, "return_for_info")

    empty = reviewer_client.post(url, {"return_for_info-note": "  "})
    assert empty.status_code == 200
    assert _field_errors(empty, "return_for_info-note") == ["This field is required."]

    response = reviewer_client.post(url, {"return_for_info-note": "请补充近三年财务报表"})

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == PledgeState.RETURNED
    assert application.last_note == "请补充近三年财务报表"


def _approve_data(**overrides) -> dict[str, str]:
    data = {"amount": "2000000.00", "annual_rate": "3.65", "term_months": "12", "note": ""}
    data.update(overrides)
    return {f"approve-{name}": value for name, value in data.items()}


def test_approving_more_than_requested_is_a_field_error(reviewer_client, make):
    application = make(PledgeState.UNDER_REVIEW, requested_amount=Decimal("3000000.00"))

    response = reviewer_client.post(
        _action(application, "approve"), _approve_data(amount="3500000.00")
    )

    assert response.status_code == 200
    assert _field_errors(response, "approve-amount") == [
        "The approved amount cannot exceed the ¥3,000,000.00 requested."
    ]
    # the reviewer's input is kept
    amount = _soup(response).find("input", attrs={"name": "approve-amount"})
    assert amount["value"] == "3500000.00"
    application.refresh_from_db()
    assert application.state == PledgeState.UNDER_REVIEW


def test_a_rate_above_the_cap_is_a_field_error_from_the_service(reviewer_client, make):
    application = make(PledgeState.UNDER_REVIEW)

    response = reviewer_client.post(
        _action(application, "approve"), _approve_data(annual_rate="36.00")
    )

    assert response.status_code == 200
    assert _field_errors(response, "approve-annual_rate") == [
        "The annual rate is above 0% and at most 24.00%."
    ]


def test_a_reviewer_approves_with_amount_rate_and_term(reviewer_client, make):
    application = make(PledgeState.UNDER_REVIEW)

    response = reviewer_client.post(
        _action(application, "approve"), _approve_data(note="按评估价值的 30% 授信")
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == PledgeState.APPROVED
    assert application.approved_amount == Decimal("2000000.00")
    assert application.annual_rate == Decimal("3.65")
    assert application.approved_term_months == 12
    log = StateLog.objects.for_(application).get()
    assert (log.transition, log.description) == ("approve", "按评估价值的 30% 授信")


def test_a_step_no_longer_possible_is_a_message(reviewer_client, make):
    application = make(PledgeState.SUBMITTED)

    response = reviewer_client.post(_action(application, "approve"), _approve_data())

    assert response.status_code == 200
    assert _messages(response) == [
        "This application is “Submitted”, so that step is not possible now."
    ]


def test_a_reviewer_rejects_with_a_reason(reviewer_client, make):
    application = make(PledgeState.UNDER_REVIEW)

    response = reviewer_client.post(
        _action(application, "reject"), {"reject-reason": "质押物评估价值不足"}
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == PledgeState.REJECTED
    assert application.last_note == "质押物评估价值不足"


def test_the_loan_from_contract_to_release_through_the_forms(reviewer_client, make):
    application = make(PledgeState.APPROVED)
    today = timezone.localdate().isoformat()

    steps = [
        ("sign_contract", {"contract_number": "HT-2025-001", "contract_date": today}),
        (
            "register",
            {
                "registration_number": "Y2025410000123",
                "registration_date": today,
                "secured_amount": "3000000.00",
            },
        ),
        ("disburse", {"disbursed_on": today, "amount": "3000000.00"}),
        ("repay", {"repaid_on": today}),
        ("release", {"released_on": today}),
    ]
    for action, data in steps:
        response = reviewer_client.post(
            _action(application, action), {f"{action}-{k}": v for k, v in data.items()}
        )
        assert response.status_code == 302, (action, _messages(response))

    application.refresh_from_db()
    assert application.state == PledgeState.RELEASED
    assert application.contract_number == "HT-2025-001"
    assert application.registration_number == "Y2025410000123"
    assert application.disbursed_amount == Decimal("3000000.00")
    assert application.maturity_date is not None
    transitions = list(
        StateLog.objects.for_(application).order_by("pk").values_list("transition", flat=True)
    )
    assert transitions == ["sign_contract", "register", "disburse", "repay", "release"]


def test_registering_a_double_pledge_is_an_error_message(reviewer_client, make, holder):
    asset = IPAssetFactory(holder=holder, title="一种锂电池隔膜")
    PledgeApplicationFactory(applicant=holder, state=PledgeState.REGISTERED, assets=[asset])
    application = make(PledgeState.CONTRACT_SIGNED, assets=[asset])
    today = timezone.localdate().isoformat()

    response = reviewer_client.post(
        _action(application, "register"),
        {
            "register-registration_number": "Y2025410000999",
            "register-registration_date": today,
            "register-secured_amount": "3000000.00",
        },
    )

    assert response.status_code == 200
    assert _messages(response) == [
        f"{asset} is already under an active pledge; it cannot be pledged twice."
    ]
    # the form keeps what was typed
    number = _soup(response).find("input", attrs={"name": "register-registration_number"})
    assert number["value"] == "Y2025410000999"
    application.refresh_from_db()
    assert application.state == PledgeState.CONTRACT_SIGNED


def test_a_future_registration_date_is_a_field_error(reviewer_client, make):
    application = make(PledgeState.CONTRACT_SIGNED)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    response = reviewer_client.post(
        _action(application, "register"),
        {
            "register-registration_number": "Y2025410000123",
            "register-registration_date": tomorrow,
            "register-secured_amount": "3000000.00",
        },
    )

    assert response.status_code == 200
    assert _field_errors(response, "register-registration_date") == [
        "This date cannot be in the future."
    ]


def test_disbursing_more_than_approved_is_a_field_error(reviewer_client, make):
    application = make(PledgeState.REGISTERED, approved_amount=Decimal("2000000.00"))

    response = reviewer_client.post(
        _action(application, "disburse"),
        {"disburse-disbursed_on": timezone.localdate().isoformat(), "disburse-amount": "2500000"},
    )

    assert response.status_code == 200
    assert _field_errors(response, "disburse-amount") == [
        "The disbursed amount cannot exceed the approved ¥2,000,000.00."
    ]


def test_default_and_disposal_through_the_forms(reviewer_client, make):
    application = make(PledgeState.OVERDUE)
    today = timezone.localdate().isoformat()

    default = reviewer_client.post(
        _action(application, "declare_default"), {"declare_default-note": "逾期 90 天未还款"}
    )
    dispose = reviewer_client.post(
        _action(application, "dispose"),
        {"dispose-disposed_on": today, "dispose-note": "在本平台挂牌转让"},
    )

    assert default.status_code == dispose.status_code == 302
    application.refresh_from_db()
    assert application.state == PledgeState.DISPOSED
    assert application.defaulted_on == timezone.localdate()
    assert application.last_note == "在本平台挂牌转让"


def test_a_reviewer_cancels_an_approved_loan(reviewer_client, make):
    application = make(PledgeState.APPROVED)

    missing = reviewer_client.post(_action(application, "cancel"), {"cancel-reason": ""})
    response = reviewer_client.post(
        _action(application, "cancel"), {"cancel-reason": "借款人放弃贷款"}
    )

    assert _field_errors(missing, "cancel-reason") == ["This field is required."]
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == PledgeState.CANCELLED


# --- the pledgee's consent -------------------------------------------------------------


@pytest.fixture
def pledged(make, holder):
    """A registered pledge of one asset, and an open deal on a listing of that asset."""
    asset = IPAssetFactory(holder=holder)
    application = make(PledgeState.REGISTERED, assets=[asset])
    listing = ListingFactory(holder=holder, assets=[asset], state="published", title="隔膜专利转让")
    deal = DealFactory(listing=listing, state="proposed")
    return application, deal


def test_the_active_pledge_lists_open_deals_on_its_assets(reviewer_client, pledged, holder):
    application, deal = pledged
    DealFactory(state="proposed")  # on another holder's listing
    DealFactory(listing=deal.listing, state="declined")  # no longer open

    response = reviewer_client.get(_detail(application))

    assert [d.pk for d in response.context["deals"]] == [deal.pk]
    consent = _soup(response).find(id="consent")
    assert consent.find("form", action=reverse("bank:consent", args=[application.pk, deal.pk]))
    assert "隔膜专利转让" in consent.get_text()


def test_a_reviewer_records_consent_to_a_deal(reviewer_client, reviewer, pledged):
    application, deal = pledged
    url = reverse("bank:consent", args=[application.pk, deal.pk])

    response = reviewer_client.post(url, {"note": "同意转让,需先清偿"}, follow=True)

    consent = PledgeConsent.objects.get()
    assert (consent.application, consent.deal, consent.given_by) == (application, deal, reviewer)
    assert consent.note == "同意转让,需先清偿"
    assert f"Consent to Deal #{deal.pk} on “隔膜专利转让” is recorded." in _messages(response)
    section = _soup(response).find(id="consent")
    assert "Consents given" in section.get_text()
    assert "同意转让,需先清偿" in section.get_text()
    assert section.find("form") is None  # no second button for the same deal


def test_no_consent_outside_an_active_pledge(reviewer_client, make, holder):
    asset = IPAssetFactory(holder=holder)
    application = make(PledgeState.APPROVED, assets=[asset])
    deal = DealFactory(listing=ListingFactory(holder=holder, assets=[asset], state="published"))

    page = reviewer_client.get(_detail(application))
    response = reviewer_client.post(
        reverse("bank:consent", args=[application.pk, deal.pk]), follow=True
    )

    assert _soup(page).find(id="consent") is None
    assert "Consent is given only while the pledge is active." in _messages(response)
    assert not PledgeConsent.objects.exists()


def test_consent_to_an_unrelated_deal_is_404(reviewer_client, pledged):
    application, _deal = pledged
    unrelated = DealFactory()

    response = reviewer_client.post(reverse("bank:consent", args=[application.pk, unrelated.pk]))

    assert response.status_code == 404
    assert not PledgeConsent.objects.exists()


# --- documents -------------------------------------------------------------------------


def test_the_reviewer_reads_the_holders_documents_and_another_bank_cannot(
    client, reviewer, owner, holder, make
):
    # given the holder's financial statement on the application and an asset's certificate
    asset = IPAssetFactory(holder=holder)
    application = make(PledgeState.SUBMITTED, assets=[asset])
    statement = document_services.document_upload(
        by=owner,
        organization=holder,
        pledge_application=application,
        kind="financial_statement",
        uploaded_file=_upload("2024年财务报表.pdf"),
    )
    certificate = document_services.document_upload(
        by=owner,
        organization=holder,
        asset=asset,
        kind="certificate",
        uploaded_file=_upload("专利证书.pdf"),
    )
    unrelated = document_services.document_upload(
        by=owner, organization=holder, kind="other", uploaded_file=_upload("营业执照.pdf")
    )
    client.force_login(reviewer)

    # when the reviewer opens the file
    soup = _soup(client.get(_detail(application)))

    # then both are listed and download; the holder's own other papers are not
    links = {a["href"] for a in soup.select("#documents a[download]")}
    assert links == {
        reverse("documents:download", args=[statement.pk]),
        reverse("documents:download", args=[certificate.pk]),
    }
    for document in (statement, certificate):
        response = client.get(reverse("documents:download", args=[document.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
    assert client.get(reverse("documents:download", args=[unrelated.pk])).status_code == 404

    # and a reviewer of another bank gets 404 for both
    other = _other_reviewer_client(client)
    for document in (statement, certificate):
        assert other.get(reverse("documents:download", args=[document.pk])).status_code == 404


def test_the_reviewer_attaches_the_registration_notice(reviewer_client, reviewer, make, bank):
    application = make(PledgeState.REGISTERED)

    response = reviewer_client.post(
        reverse("bank:upload", args=[application.pk]),
        {"kind": "registration", "file": _upload()},
    )

    assert response.status_code == 302
    assert response.url == _detail(application) + "#documents"
    document = Document.objects.get()
    assert (document.organization, document.pledge_application) == (bank, application)
    assert document.kind == "registration"
    assert document.uploaded_by == reviewer
    assert _messages(response) == ["Uploaded 质押登记通知书.pdf."]
    page = reviewer_client.get(_detail(application))
    assert "质押登记通知书.pdf" in page.content.decode()


def test_a_refused_upload_is_a_message(reviewer_client, make):
    application = make(PledgeState.REGISTERED)

    response = reviewer_client.post(
        reverse("bank:upload", args=[application.pk]),
        {"kind": "registration", "file": _upload("setup.pdf", b"MZ\x90\x00" + b"\x00" * 32)},
    )

    assert response.status_code == 302
    assert not Document.objects.exists()
    assert _messages(response) == ["The file's content is not a PDF, PNG or JPEG document."]


def test_the_upload_checks_the_csrf_token(reviewer, make):
    from django.test import Client

    application = make(PledgeState.REGISTERED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)

    response = client.post(
        reverse("bank:upload", args=[application.pk]), {"kind": "registration", "file": _upload()}
    )

    assert response.status_code == 403
    assert not Document.objects.exists()


# --- languages -------------------------------------------------------------------------


def test_the_pages_render_in_english(reviewer_client, make):
    application = make(PledgeState.UNDER_REVIEW)

    queue = reviewer_client.get(QUEUE_URL)
    detail = reviewer_client.get(_detail(application))

    assert '<html lang="en">' in queue.content.decode()
    assert "Pledge financing applications" in queue.content.decode()
    assert "Ask the holder for more information" in detail.content.decode()


def test_the_pages_render_in_chinese_by_default(client, reviewer, make):
    application = make(PledgeState.UNDER_REVIEW)
    client.force_login(reviewer)

    queue = client.get(QUEUE_URL)
    detail = client.get(_detail(application))

    assert queue.status_code == detail.status_code == 200
    assert '<html lang="zh-hans">' in queue.content.decode()
    assert "¥3,000,000.00" in detail.content.decode()


def test_a_non_reviewer_user_of_no_organisation_gets_the_403_page(client):
    client.force_login(UserFactory())

    response = client.get(QUEUE_URL)

    assert response.status_code == 403
