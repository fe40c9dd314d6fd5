"""The daily asset expiry watch: reminders 90 and 30 days before a right ends (each once,
caught up after a missed day), and on expiry the asset expires, its published listings are
withdrawn by the platform and its holder is told.

The examples run on TODAY: the clock is pinned there (time-machine), so the assets, listings
and notices the tests make and the days the watch runs on are one calendar, and the dates in
the expected texts hold whatever day the suite runs."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django_fsm_log.models import StateLog

from listings.models import AssetStatus, ListingState
from listings.services.watch import asset_expire, assets_expiry_watch
from listings.tasks import asset_expiry_watch_task
from marketplace.notifications.models import AssetExpiryNotice, Notice, Notification
from tests.factories import IPAssetFactory, ListingFactory, MembershipFactory, OrganizationFactory
from tests.notifications.helpers import tasks_in_process

TODAY = datetime.date(2025, 6, 1)
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.date_sensitive,
    # every test runs on TODAY (9:00 in Zhengzhou), the clock ticking from there
    pytest.mark.time_machine(datetime.datetime.combine(TODAY, datetime.time(9), SHANGHAI)),
]
NOTHING = {
    "expired": 0,
    "listings_withdrawn": 0,
    "reminded_30_days": 0,
    "reminded_90_days": 0,
}


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _deliveries_in_process():  # type: ignore[no-untyped-def]
    """Notices are delivered in-process (see tests.notifications.helpers)."""
    with tasks_in_process():
        yield


@pytest.fixture
def holder(db):  # type: ignore[no-untyped-def]
    return OrganizationFactory(verification_state="verified")


@pytest.fixture
def member(holder):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=holder).user


def asset_expiring(holder, on: datetime.date, **kwargs):  # type: ignore[no-untyped-def]
    return IPAssetFactory(holder=holder, expiry_date=on, **kwargs)


def watch(on: datetime.date = TODAY) -> dict[str, int]:
    return assets_expiry_watch(today=on)


def english(obj) -> str:  # type: ignore[no-untyped-def]
    """str(obj) as an English reader sees it (an asset's number in ASCII brackets)."""
    with translation.override("en"):
        return str(obj)


def notices(event: str) -> list[Notice]:
    return list(Notice.objects.filter(event=event).order_by("pk"))


# --- reminders ------------------------------------------------------------------------------


def test_the_holder_is_reminded_90_days_before(holder, member, django_capture_on_commit_callbacks):
    # given an asset whose last day of protection is 90 days away
    asset = asset_expiring(holder, TODAY + days(90))

    # when
    with django_capture_on_commit_callbacks(execute=True):
        counts = watch()

    # then
    assert counts == {**NOTHING, "reminded_90_days": 1}
    (notice,) = notices("listings.asset_expiring")
    assert list(notice.organizations.all()) == [holder]
    assert notice.url == f"/workspace/assets/{asset.pk}/"
    assert notice.target == asset
    assert notice.text["en"].startswith(
        f"{english(asset)} reaches the end of its protection on 2025-08-30"
    )
    assert notice.text["zh-hans"].startswith(f"{asset.title}（{asset.number}）")
    assert "(days left: 90)" in notice.text["en"]
    assert Notification.objects.get().recipient == member
    assert [message.to for message in mail.outbox] == [[member.email]]
    reminder = AssetExpiryNotice.objects.get()
    assert (reminder.asset, reminder.expiry_date, reminder.days_before) == (
        asset,
        TODAY + days(90),
        90,
    )
    assert reminder.notice == notice


def test_nothing_91_days_before(holder):
    asset_expiring(holder, TODAY + days(91))

    assert watch() == NOTHING
    assert not Notice.objects.exists()


def test_each_reminder_is_sent_once_then_the_30_day_one(holder):
    asset = asset_expiring(holder, TODAY + days(90))

    assert watch(TODAY)["reminded_90_days"] == 1
    assert watch(TODAY) == NOTHING  # twice the same day
    assert watch(TODAY + days(1)) == NOTHING  # 89 days before
    assert watch(TODAY + days(59)) == NOTHING  # 31 days before
    assert watch(TODAY + days(60)) == {**NOTHING, "reminded_30_days": 1}  # 30 days before
    assert watch(TODAY + days(61)) == NOTHING
    assert watch(TODAY + days(90)) == NOTHING  # the last day of protection

    assert sorted(asset.expiry_notices.values_list("days_before", flat=True)) == [30, 90]
    assert len(notices("listings.asset_expiring")) == 2


def test_a_missed_day_is_caught_up(holder):
    # given the job did not run on the 90th day before (nor the 30th)
    asset = asset_expiring(holder, TODAY + days(85))

    # when it runs 85 days before, then 28 days before
    first = watch(TODAY)
    second = watch(TODAY + days(57))

    # then each reminder came once, a few days late
    assert first == {**NOTHING, "reminded_90_days": 1}
    assert second == {**NOTHING, "reminded_30_days": 1}
    texts = [notice.text["en"] for notice in notices("listings.asset_expiring")]
    assert "(days left: 85)" in texts[0]
    assert "(days left: 28)" in texts[1]
    assert asset.expiry_notices.count() == 2


def test_an_asset_first_seen_20_days_before_gets_only_the_30_day_reminder(holder):
    asset = asset_expiring(holder, TODAY + days(20))

    assert watch(TODAY) == {**NOTHING, "reminded_30_days": 1}
    assert watch(TODAY + days(1)) == NOTHING

    assert list(asset.expiry_notices.values_list("days_before", flat=True)) == [30]
    assert len(notices("listings.asset_expiring")) == 1


def test_an_asset_ending_today_is_still_reminded_not_expired(holder):
    asset = asset_expiring(holder, TODAY)

    assert watch() == {**NOTHING, "reminded_30_days": 1}

    asset.refresh_from_db()
    assert asset.status == AssetStatus.VALID


def test_a_renewed_term_is_reminded_again(holder):
    # given a trademark reminded at 30 days, then renewed for ten more years
    end = TODAY + days(30)
    asset = asset_expiring(holder, end, kind="trademark", number="12345678")
    watch(TODAY)
    new_end = end.replace(year=end.year + 10)
    type(asset).objects.filter(pk=asset.pk).update(expiry_date=new_end)

    # when the new term is 90 days from its end
    counts = watch(new_end - days(90))

    # then
    assert counts == {**NOTHING, "reminded_90_days": 1}
    assert asset.expiry_notices.count() == 2


@pytest.mark.parametrize(
    "status", [AssetStatus.PENDING, AssetStatus.LAPSED, AssetStatus.INVALIDATED]
)
def test_assets_not_in_force_are_left_alone(holder, status):
    asset_expiring(holder, TODAY + days(30), status=status)
    asset_expiring(holder, TODAY - days(1), status=status)

    assert watch() == NOTHING


def test_assets_without_an_expiry_date_are_left_alone(holder):
    IPAssetFactory(holder=holder, kind="geographical_indication", expiry_date=None)

    assert watch() == NOTHING


# --- expiry ---------------------------------------------------------------------------------


def test_on_expiry_the_asset_expires_and_its_published_listings_are_withdrawn(
    holder, member, django_capture_on_commit_callbacks
):
    # given an asset whose last day was yesterday, in a published listing, a listing
    # pending review and a draft, and another asset of the holder still in force
    asset = asset_expiring(holder, TODAY - days(1))
    published = ListingFactory(holder=holder, assets=[asset], state=ListingState.PUBLISHED)
    pending = ListingFactory(holder=holder, assets=[asset], state=ListingState.PENDING_REVIEW)
    draft = ListingFactory(holder=holder, assets=[asset])
    other = asset_expiring(holder, TODAY + days(400))

    # when
    with django_capture_on_commit_callbacks(execute=True):
        counts = watch()

    # then the asset expired, the published listing was withdrawn by the platform
    assert counts == {**NOTHING, "expired": 1, "listings_withdrawn": 1}
    asset.refresh_from_db()
    other.refresh_from_db()
    assert asset.status == AssetStatus.EXPIRED
    assert other.status == AssetStatus.VALID
    published.refresh_from_db()
    pending.refresh_from_db()
    draft.refresh_from_db()
    assert published.state == ListingState.WITHDRAWN
    # publishing re-checks the assets, so a listing pending review is left to the review
    assert pending.state == ListingState.PENDING_REVIEW
    assert draft.state == ListingState.DRAFT
    log = StateLog.objects.for_(published).get()
    assert (log.transition, log.source_state, log.state) == ("withdraw", "published", "withdrawn")
    assert log.by is None
    assert asset.number in log.description
    assert "2025-05-31" in log.description

    # and the holder's members were told, in both languages
    (notice,) = notices("listings.asset_expired")
    assert notice.url == f"/workspace/assets/{asset.pk}/"
    assert notice.target == asset
    assert notice.text["en"] == (
        f"{english(asset)} reached the end of its protection on 2025-05-31; its status is now "
        "“Expired”. Its published listings were withdrawn: 1."
    )
    assert "“期限届满”" in notice.text["zh-hans"]
    assert Notification.objects.get(notice=notice).recipient == member
    assert [message.to for message in mail.outbox] == [[member.email]]


def test_an_expired_asset_without_listings_is_reported_without_them(holder):
    asset = asset_expiring(holder, TODAY - days(1))

    assert watch() == {**NOTHING, "expired": 1}

    (notice,) = notices("listings.asset_expired")
    assert notice.text["en"] == (
        f"{english(asset)} reached the end of its protection on 2025-05-31; "
        "its status is now “Expired”."
    )


def test_expiry_after_missed_days_and_running_twice(holder):
    # given an asset that ended a week ago (the job did not run), in a published listing
    asset = asset_expiring(holder, TODAY - days(7))
    listing = ListingFactory(holder=holder, assets=[asset], state=ListingState.PUBLISHED)

    # when the job runs twice
    first = watch()
    second = watch()

    # then everything happened once
    assert first == {**NOTHING, "expired": 1, "listings_withdrawn": 1}
    assert second == NOTHING
    assert len(notices("listings.asset_expired")) == 1
    assert StateLog.objects.for_(listing).count() == 1
    assert not AssetExpiryNotice.objects.exists()


def test_asset_expire_refuses_an_asset_still_in_force(holder):
    asset = asset_expiring(holder, TODAY)

    with pytest.raises(ValidationError) as error:
        asset_expire(asset=asset, today=TODAY)

    assert error.value.code == "not_expired"
    asset.refresh_from_db()
    assert asset.status == AssetStatus.VALID
    assert not Notice.objects.exists()


# --- the task ---------------------------------------------------------------------------------


def test_the_daily_task_runs_the_watch_for_today(
    holder, member, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    expiring = asset_expiring(holder, today + days(30))
    expired = asset_expiring(holder, today - days(1))

    with django_capture_on_commit_callbacks(execute=True):
        counts = asset_expiry_watch_task.delay().get()

    assert counts == {**NOTHING, "expired": 1, "reminded_30_days": 1}
    expired.refresh_from_db()
    assert expired.status == AssetStatus.EXPIRED
    assert expiring.expiry_notices.count() == 1
    assert member.notifications.count() == 2
    assert len(mail.outbox) == 2
