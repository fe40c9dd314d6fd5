"""The inbox: one's own notifications only, unread ones marked in words, opening one marks it
read and follows its local link, marking all read; a constant number of queries."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.notifications.models import Notice, Notification
from tests.factories import MembershipFactory

from .conftest import notify

pytestmark = pytest.mark.django_db

LIST_URL = "/notifications/"


@pytest.fixture
def reviewer_client(client, bank_reviewer):
    client.force_login(bank_reviewer)
    client.cookies["django_language"] = "en"
    return client


def _deliver(organizations, committed, **kwargs) -> Notice:
    with committed():
        return notify(organizations, **kwargs)


def _rows(response) -> list:
    return BeautifulSoup(response.content, "html.parser").select(
        "table.notification-table tbody tr"
    )


def test_the_urls():
    assert reverse("notifications:list") == LIST_URL
    assert reverse("notifications:open", args=[7]) == "/notifications/7/open/"
    assert reverse("notifications:read_all") == "/notifications/read-all/"


def test_the_inbox_lists_only_ones_own_notifications(
    reviewer_client, bank, bank_reviewer, holder, holder_member, committed
):
    # given a notice to the bank and one to the holder
    _deliver([bank], committed, url="/bank/applications/12/")
    _deliver([holder], committed, event="deals.accepted", message="Offer accepted", params={})

    # when
    response = reviewer_client.get(LIST_URL)

    # then
    assert response.status_code == 200
    rows = _rows(response)
    assert len(rows) == 1
    assert "This listing is “Published”" in rows[0].get_text()
    assert "Offer accepted" not in response.content.decode()


def test_unread_ones_are_marked_in_words_and_bold(reviewer_client, bank, bank_reviewer, committed):
    _deliver([bank], committed, message="Older, already read", params={})
    _deliver([bank], committed)
    read = Notification.objects.get(notice__text__en="Older, already read")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)

    response = reviewer_client.get(LIST_URL)

    unread_row, read_row = _rows(response)
    assert "is-unread" in unread_row["class"]
    assert unread_row.select_one("strong a") is not None
    assert "Unread" in unread_row.get_text()
    assert "is-read" in read_row["class"]
    assert read_row.select_one("strong") is None
    assert "Read" in read_row.get_text()
    assert "Unread" not in read_row.get_text()
    assert "1 unread notification." in response.content.decode()


def test_the_inbox_speaks_chinese_by_default(client, bank, bank_reviewer, committed):
    _deliver([bank], committed)
    client.force_login(bank_reviewer)

    response = client.get(LIST_URL)

    assert "该挂牌信息当前状态为“已发布”" in _rows(response)[0].get_text()


def test_the_inbox_needs_a_sign_in(client):
    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_opening_marks_read_and_follows_the_link(reviewer_client, bank, bank_reviewer, committed):
    _deliver([bank], committed, url="/bank/applications/12/")
    notification = Notification.objects.get()

    response = reviewer_client.get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302
    assert response.url == "/bank/applications/12/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_without_a_link_opening_leads_back_to_the_inbox(reviewer_client, bank, committed):
    _deliver([bank], committed, url="")
    notification = Notification.objects.get()

    response = reviewer_client.get(reverse("notifications:open", args=[notification.pk]))

    assert response.url == LIST_URL


def test_somebody_elses_notification_is_not_found(
    client, bank, bank_reviewer, holder_member, committed
):
    _deliver([bank], committed)
    notification = Notification.objects.get()
    client.force_login(holder_member)

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize(
    "url", ["https://evil.example/bank/", "//evil.example/bank/", "/\\evil.example/bank/"]
)
def test_a_link_off_the_site_is_not_followed(reviewer_client, bank, bank_reviewer, url):
    # The service refuses such links; a row written some other way must not redirect out.
    notice = Notice.objects.create(event="pledges.submitted", text={"en": "x"}, url=url)
    notification = Notification.objects.create(notice=notice, recipient=bank_reviewer)

    response = reviewer_client.get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302
    assert response.url == LIST_URL


def test_mark_all_read(reviewer_client, bank, bank_reviewer, committed):
    colleague = MembershipFactory(organization=bank).user
    _deliver([bank], committed)
    _deliver([bank], committed)

    response = reviewer_client.post(reverse("notifications:read_all"))

    assert response.status_code == 302
    assert response.url == LIST_URL
    assert not bank_reviewer.notifications.filter(read_at__isnull=True).exists()
    assert colleague.notifications.filter(read_at__isnull=True).count() == 2
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["Marked 2 notifications as read."]


def test_mark_all_read_is_a_post(reviewer_client):
    response = reviewer_client.get(reverse("notifications:read_all"))

    assert response.status_code == 405


def test_the_button_shows_only_with_unread_notifications(
    reviewer_client, bank, bank_reviewer, committed
):
    _deliver([bank], committed)
    read_all = reverse("notifications:read_all")

    assert read_all in reviewer_client.get(LIST_URL).content.decode()
    bank_reviewer.notifications.update(read_at="2025-01-01T00:00:00+08:00")
    assert read_all not in reviewer_client.get(LIST_URL).content.decode()


def test_an_empty_inbox(reviewer_client):
    response = reviewer_client.get(LIST_URL)

    assert response.status_code == 200
    assert "No notifications yet." in response.content.decode()


def _notifications(user, count: int) -> None:
    notices = Notice.objects.bulk_create(
        Notice(event="pledges.submitted", text={"zh-hans": f"通知{i}", "en": f"Notice {i}"})
        for i in range(count)
    )
    Notification.objects.bulk_create(
        Notification(notice=notice, recipient=user) for notice in notices[: count // 2]
    )
    Notification.objects.bulk_create(
        Notification(notice=notice, recipient=user, read_at=notice.created_at)
        for notice in notices[count // 2 :]
    )


@pytest.mark.parametrize("count", [5, 40])
def test_the_inbox_makes_the_same_few_queries_however_many(
    reviewer_client, bank_reviewer, count, django_assert_max_num_queries
):
    # given
    _notifications(bank_reviewer, count)

    # when: session, user, the header's unread count with its bank-reviewer check (also
    # the page's count), page count, page rows with their notices
    with django_assert_max_num_queries(5):
        response = reviewer_client.get(LIST_URL)

    # then
    assert len(_rows(response)) == min(count, 25)


def test_the_second_page(reviewer_client, bank_reviewer):
    _notifications(bank_reviewer, 40)

    response = reviewer_client.get(LIST_URL, {"page": 2})

    assert len(_rows(response)) == 15
    assert "Page 2 of 2" in response.content.decode()


def test_the_query_count_does_not_grow_with_the_notifications(reviewer_client, bank_reviewer):
    def queries_for_inbox() -> int:
        with CaptureQueriesContext(connection) as queries:
            reviewer_client.get(LIST_URL)
        return len(queries)

    _notifications(bank_reviewer, 5)
    few = queries_for_inbox()
    _notifications(bank_reviewer, 35)

    assert queries_for_inbox() == few
