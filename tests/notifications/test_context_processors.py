"""The header's unread count and bank-reviewer check: one query together for a signed-in
user, only when a page shows either; none at all for anonymous visitors."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from marketplace.notifications.context_processors import header
from tests.factories import UserFactory

from .conftest import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_unread(bank, bank_reviewer, committed):
    with committed():
        for _ in range(3):
            notify([bank])


def _request(rf, user):
    request = rf.get("/")
    request.user = user
    request.session = SessionStore()
    return request


def test_the_count_for_a_signed_in_user_is_one_query(
    rf, bank_reviewer, three_unread, django_assert_num_queries
):
    request = _request(rf, bank_reviewer)
    bank_reviewer.notifications.filter(pk=bank_reviewer.notifications.first().pk).update(
        read_at="2025-01-01T00:00:00+08:00"
    )

    with django_assert_num_queries(1):
        facts = header(request)
        count = facts["unread_notifications_count"]
        assert count == 2
        assert str(count) == "2"
        assert facts["is_bank_reviewer"]


def test_a_user_without_notifications_or_a_bank_reads_zero_and_false(rf, django_assert_num_queries):
    request = _request(rf, UserFactory())

    with django_assert_num_queries(1):
        facts = header(request)
        assert facts["unread_notifications_count"] == 0
        assert not facts["is_bank_reviewer"]


def test_a_page_that_never_shows_it_pays_nothing(
    rf, bank_reviewer, three_unread, django_assert_num_queries
):
    request = _request(rf, SimpleLazyObject(lambda: bank_reviewer))

    with django_assert_num_queries(0):
        header(request)


def test_an_anonymous_visitor_costs_no_query(rf, django_assert_num_queries):
    request = _request(rf, AnonymousUser())

    with django_assert_num_queries(0):
        facts = header(request)
        count = facts["unread_notifications_count"]
        assert count == 0
        assert not count
        assert not facts["is_bank_reviewer"]


def test_the_header_names_the_unread_count_in_words(client, bank_reviewer, three_unread):
    client.force_login(bank_reviewer)
    client.cookies["django_language"] = "en"

    response = client.get(reverse("parties:workspace"))

    link = BeautifulSoup(response.content, "html.parser").select_one("a.notifications-link")
    assert link["href"] == "/notifications/"
    # the bell shows the count; its name, for assistive technology and as a tooltip, says it
    for hidden in link.select("[aria-hidden=true]"):
        hidden.extract()
    assert " ".join(link.get_text().split()) == "Notifications (3 unread)"
    assert link["title"] == "Notifications (3 unread)"


def test_an_anonymous_page_makes_no_notifications_query(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("account_login"))

    assert response.status_code == 200
    assert not [q for q in queries.captured_queries if "notifications_" in q["sql"]]
