"""Notices: rendered in every language in the caller's transaction, delivered after commit
to the members of the recipient organisations (not the actor), once, with an e-mail."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation

from listings.models import ListingState
from marketplace.notifications import services
from marketplace.notifications.models import Notice, Notification
from marketplace.notifications.services import notice_deliver, notify_organizations
from marketplace.notifications.tasks import deliver_notice_task
from tests.factories import ListingFactory, MembershipFactory, OrganizationFactory, UserFactory

from .conftest import MESSAGE, notify

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

ZH = "该挂牌信息当前状态为“已发布”，暂不能执行此操作。"
EN = "This listing is “Published”, so that step is not possible now."


# --- the notice -------------------------------------------------------------------------


def test_the_notice_is_rendered_in_every_language_with_lazy_params(bank, holder_member):
    # given a listing the notice is about
    listing = ListingFactory()

    # when (in whatever language the request happens to be)
    with translation.override("en"):
        notice = notify(
            [bank],
            event="pledges.submitted",
            params={"state": ListingState.PUBLISHED.label},
            url="/bank/applications/12/",
            actor=holder_member,
            target=listing,
        )

    # then
    notice.refresh_from_db()
    assert notice.text == {"zh-hans": ZH, "en": EN}
    assert notice.event == "pledges.submitted"
    assert notice.url == "/bank/applications/12/"
    assert notice.actor == holder_member
    assert notice.target == listing
    assert list(notice.organizations.all()) == [bank]


def test_organisations_may_be_given_by_id_and_twice(bank, holder):
    notice = notify([bank.pk, bank, holder])

    assert set(notice.organizations.all()) == {bank, holder}


def test_params_are_optional_and_percent_signs_are_escaped_as_usual(bank):
    notice = notify([bank], message="LTV 30%% reached", params=None)

    assert notice.text == {"zh-hans": "LTV 30% reached", "en": "LTV 30% reached"}


def test_the_text_follows_the_active_language_and_falls_back_to_chinese(
    bank, bank_reviewer, committed
):
    with committed():
        notify([bank])
    notification = Notification.objects.get()

    with translation.override("en"):
        assert notification.text == EN
    with translation.override("zh-hans"):
        assert notification.text == ZH
    with translation.override("fr"):
        assert notification.text == ZH
    with translation.override("en-gb"):
        assert notification.text == EN


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"organizations": []}, "at least one recipient"),
        ({"event": "submitted"}, "is not '<app>.<event>'"),
        ({"event": "pledges." + "x" * 60}, "is not '<app>.<event>'"),
        ({"url": "https://evil.example/bank/"}, "not a local path"),
        ({"url": "//evil.example/bank/"}, "not a local path"),
        ({"url": "bank/applications/12/"}, "not a local path"),
        ({"params": {}}, "needs a value for 'state'"),
    ],
)
def test_a_wrong_argument_is_a_programming_error(bank, arguments, error):
    arguments = {"organizations": [bank], **arguments}
    organizations = arguments.pop("organizations")

    with pytest.raises(ValueError, match=error):
        notify(organizations, **arguments)
    assert not Notice.objects.exists()


# --- transactions -----------------------------------------------------------------------


def test_no_notice_and_nothing_queued_when_the_change_rolls_back(
    bank, bank_reviewer, django_capture_on_commit_callbacks
):
    def transition_that_fails() -> None:
        with transaction.atomic():
            notify_organizations(
                organizations=[bank],
                event="pledges.submitted",
                message=MESSAGE,
                params={"state": ListingState.PUBLISHED.label},
            )
            raise RuntimeError("the transition failed")

    # when the caller's transaction fails after notifying
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        transition_that_fails()

    # then
    assert not Notice.objects.exists()
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_nothing_is_delivered_before_commit(
    bank, bank_reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([bank])

    # one delivery waits for the commit (which never comes in a test)
    assert len(callbacks) == 1
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_on_commit_the_members_except_the_actor_are_notified_once(
    bank, holder, django_capture_on_commit_callbacks
):
    # given the actor and a colleague in the holder, two bank reviewers (one also a member
    # of the holder), somebody who left, and an organisation the notice is not for
    actor = MembershipFactory(organization=holder).user
    colleague = MembershipFactory(organization=holder).user
    reviewer = MembershipFactory(organization=bank).user
    MembershipFactory(organization=holder, user=reviewer)
    other_reviewer = MembershipFactory(organization=bank).user
    MembershipFactory(organization=bank, user=UserFactory(is_active=False))
    MembershipFactory(organization=OrganizationFactory())

    # when
    with django_capture_on_commit_callbacks(execute=True):
        notice = notify([bank, holder], actor=actor)

    # then
    notified = set(notice.notifications.values_list("recipient", flat=True))
    assert notified == {colleague.pk, reviewer.pk, other_reviewer.pk}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [colleague.email, reviewer.email, other_reviewer.email]
    )
    notice.refresh_from_db()
    assert notice.delivered_at is not None
    assert all(n.emailed_at and n.read_at is None for n in notice.notifications.all())


def test_delivering_twice_creates_and_sends_nothing_more(bank, bank_reviewer, committed):
    with committed():
        notice = notify([bank])
    assert len(mail.outbox) == 1

    result = notice_deliver(notice_id=notice.pk)
    deliver_notice_task.delay(notice.pk)

    assert result == {"notifications": 0, "emails": 0}
    assert Notification.objects.filter(notice=notice).count() == 1
    assert len(mail.outbox) == 1


def test_a_member_who_joined_later_is_added_by_a_second_delivery(bank, bank_reviewer, committed):
    with committed():
        notice = notify([bank])
    newcomer = MembershipFactory(organization=bank).user

    result = notice_deliver(notice_id=notice.pk)

    assert result == {"notifications": 1, "emails": 1}
    assert [message.to for message in mail.outbox] == [[bank_reviewer.email], [newcomer.email]]


def test_only_unsent_e_mails_go_out_on_a_retry(bank):
    # given a delivery that e-mailed one reviewer before it failed
    first, second = (MembershipFactory(organization=bank).user for _ in range(2))
    notice = notify([bank])
    notice_deliver(notice_id=notice.pk)
    Notification.objects.filter(recipient=second).update(emailed_at=None)
    mail.outbox.clear()

    # when the task runs again
    result = deliver_notice_task.delay(notice.pk).get()

    # then
    assert result == {"notifications": 0, "emails": 1}
    assert [message.to for message in mail.outbox] == [[second.email]]
    assert first.notifications.get().emailed_at is not None


def test_users_without_an_e_mail_address_get_the_notification_only(bank, committed):
    no_mail = MembershipFactory(organization=bank, user=UserFactory(email="")).user

    with committed():
        notify([bank])

    notification = Notification.objects.get(recipient=no_mail)
    assert notification.emailed_at is None
    assert mail.outbox == []


def test_the_e_mail_is_chinese_then_english_with_the_absolute_link(
    settings, bank, bank_reviewer, committed
):
    settings.WAGTAILADMIN_BASE_URL = "https://ip.zhengzhou.example/"

    with committed():
        notify([bank], url="/bank/applications/12/")

    (message,) = mail.outbox
    assert message.to == [bank_reviewer.email]
    assert message.subject == f"{ZH} / {EN[:59]}…"
    assert "\n" not in message.subject
    body = message.body
    link = "https://ip.zhengzhou.example/bank/applications/12/"
    assert body.index(ZH) < body.index(EN)
    assert body.count(link) == 2  # once in each language
    assert body.index(link) < body.index(EN)
    assert "https://ip.zhengzhou.example/notifications/" in body


def test_without_a_link_the_e_mail_points_to_the_inbox(settings, bank, bank_reviewer, committed):
    settings.WAGTAILADMIN_BASE_URL = "https://ip.zhengzhou.example"

    with committed():
        notify([bank], url="")

    assert "Open it here: https://ip.zhengzhou.example/notifications/" in mail.outbox[0].body


def test_the_sweep_queues_notices_whose_delivery_never_ran(bank, bank_reviewer):
    # given notices written (their delivery lost) 20 minutes, 5 minutes and 3 days ago,
    # and one delivered
    now = timezone.now()
    lost = notify([bank])
    recent = notify([bank])
    ancient = notify([bank])
    delivered = notify([bank])
    Notice.objects.filter(pk=lost.pk).update(created_at=now - datetime.timedelta(minutes=20))
    Notice.objects.filter(pk=recent.pk).update(created_at=now - datetime.timedelta(minutes=5))
    Notice.objects.filter(pk=ancient.pk).update(created_at=now - datetime.timedelta(days=3))
    Notice.objects.filter(pk=delivered.pk).update(
        created_at=now - datetime.timedelta(minutes=20), delivered_at=now
    )

    # when
    queued = services.notices_deliver_pending(now=now)

    # then
    assert queued == 1
    assert list(Notification.objects.values_list("notice", flat=True)) == [lost.pk]
    assert services.notices_deliver_pending(now=now) == 0


def test_delivering_a_notice_that_is_gone_does_nothing():
    assert notice_deliver(notice_id=987654) == {"notifications": 0, "emails": 0}


# --- reading ------------------------------------------------------------------------------


def test_the_recipient_marks_a_notification_read_once(bank, bank_reviewer, committed):
    with committed():
        notify([bank])
    notification = Notification.objects.get()

    services.notification_mark_read(notification=notification, by=bank_reviewer)
    first = notification.read_at
    services.notification_mark_read(notification=notification, by=bank_reviewer)

    assert first is not None
    notification.refresh_from_db()
    assert notification.read_at == first


def test_nobody_else_marks_it_read(bank, bank_reviewer, holder_member, committed):
    with committed():
        notify([bank])
    notification = Notification.objects.get()

    with pytest.raises(PermissionDenied):
        services.notification_mark_read(notification=notification, by=holder_member)
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_touches_only_the_users_unread_ones(bank, bank_reviewer, holder, committed):
    colleague = MembershipFactory(organization=bank).user
    with committed():
        notify([bank])
        notify([bank])

    assert services.notifications_mark_all_read(by=bank_reviewer) == 2
    assert services.notifications_mark_all_read(by=bank_reviewer) == 0
    assert colleague.notifications.filter(read_at__isnull=True).count() == 2


# --- the address links point at -----------------------------------------------------------


def _notify_within_request(host: str, bank, settings):  # type: ignore[no-untyped-def]
    from django.test import RequestFactory

    from marketplace.notifications.site import RequestOriginMiddleware

    settings.ALLOWED_HOSTS = [host.split(":")[0]]
    request = RequestFactory().get("/workspace/", HTTP_HOST=host)
    notices = []

    def view(request):  # type: ignore[no-untyped-def]
        notices.append(notify([bank], url="/bank/applications/12/"))
        return None

    RequestOriginMiddleware(view)(request)
    return notices[0]


def test_in_development_e_mail_links_use_the_address_the_request_came_in_on(
    settings, bank, bank_reviewer, committed
):
    # given no public address is configured (development)
    settings.SITE_URL = ""
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
    # when a request on another address causes a notice, delivered later outside it
    with committed():
        notice = _notify_within_request("192.168.1.20:8001", bank, settings)
    # then its e-mail links point where the user is
    assert notice.site_url == "http://192.168.1.20:8001"
    body = mail.outbox[0].body
    assert "http://192.168.1.20:8001/bank/applications/12/" in body
    assert "127.0.0.1:8000" not in body


def test_with_a_site_url_links_never_come_from_the_request_host(
    settings, bank, bank_reviewer, committed
):
    settings.SITE_URL = "https://ip.zhengzhou.example"
    with committed():
        notice = _notify_within_request("attacker.example", bank, settings)
    assert notice.site_url == "https://ip.zhengzhou.example"
    body = mail.outbox[0].body
    assert "https://ip.zhengzhou.example/bank/applications/12/" in body
    assert "attacker.example" not in body
