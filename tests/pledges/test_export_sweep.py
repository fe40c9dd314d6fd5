"""The daily sweep of large pledge exports (export.export_files_sweep, the Celery task
`pledges.sweep_exports`): jobs past the retention period are deleted from the default
storage (local files here, with their modified times set by os.utime; an S3 bucket served
by moto's server at the end), nothing outside exports/pledges/ is touched, and the links
of a swept job answer "this export has expired" (404), not a server error."""

import contextlib
import datetime
import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from marketplace.celery import app as celery_app
from marketplace.pledges import export
from marketplace.pledges.tasks_export import export_xlsx_task, sweep_exports_task
from tests.factories import UserFactory
from tests.s3 import s3_storage

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

START = datetime.date(2025, 1, 1)
END = datetime.date(2025, 3, 31)
EXPIRED_MESSAGE = "This export has expired: exported files are kept for 7 days."
OUTSIDE = (
    "exports/old-report.csv",
    "exports/other/old.xlsx",
    "exports/pledges-archive/old.xlsx",  # shares the prefix, not the folder
    "documents/2020/01/certificate.pdf",
    "old.txt",
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def staff_client(client):  # type: ignore[no-untyped-def]
    operator = UserFactory(is_staff=True, email="operator@example.com")
    operator.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "view_pledgeledgerentry"])
    )
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(operator)
    return client


def finished_job() -> str:
    """A real job (request, workbook, done marker) built by the Celery task; returns its token.

    Its files are dated now by the tests' clock: the file system stamps them with the real
    time, which the clock CI moves ahead (ZZIPX_CLOCK_SHIFT_DAYS) would call years old. (An
    S3 bucket, moto's server in this process, dates its objects by the tests' clock itself.)"""
    token = export.export_job_start(start=START, end=END, language="en", by=UserFactory())
    export_xlsx_task.apply(args=[token]).get()
    assert export.export_job(token).state == "ready"  # type: ignore[union-attr]
    with contextlib.suppress(NotImplementedError):  # no local paths in an S3 bucket
        age_job(token, 0)
    return token


def job_files(token: str) -> list[str]:
    _dirs, files = default_storage.listdir(f"{export.EXPORT_DIR}/{token}")
    return sorted(files)


def age(name: str, days: float) -> None:
    """Set the stored file's modified time `days` ago."""
    then = (timezone.now() - datetime.timedelta(days=days)).timestamp()
    os.utime(default_storage.path(name), (then, then))


def age_job(token: str, days: float) -> None:
    for name in job_files(token):
        age(f"{export.EXPORT_DIR}/{token}/{name}", days)


def store(name: str, days: float) -> str:
    saved = default_storage.save(name, ContentFile(b"content"))
    assert saved == name
    age(name, days)
    return name


# --- the sweep -------------------------------------------------------------------------------


def test_old_jobs_are_deleted_and_fresh_ones_kept(media: Path):
    # given a job finished eight days ago and one finished today
    old, fresh = finished_job(), finished_job()
    workbook = export.export_filename(START, END, "xlsx")
    assert job_files(old) == sorted(["request.json", "done.json", workbook])
    age_job(old, 8)

    # when the sweep runs with the default retention (7 days)
    deleted = export.export_files_sweep()

    # then the old job's three files (and its emptied folder) are gone, the fresh one stays
    assert deleted == 3
    assert export.export_job(old) is None
    assert not (media / export.EXPORT_DIR / old).exists()
    assert export.export_job(fresh).state == "ready"  # type: ignore[union-attr]
    assert len(job_files(fresh)) == 3


def test_a_job_is_kept_the_full_period_after_its_last_file():
    # given a job asked for nine days ago whose workbook was only made six days ago
    token = finished_job()
    job = export.export_job(token)
    assert job is not None
    age(f"{export.EXPORT_DIR}/{token}/request.json", 9)
    age(job.path, 6)
    age(f"{export.EXPORT_DIR}/{token}/done.json", 6)

    # then the default period keeps all of it
    assert export.export_files_sweep() == 0
    assert export.export_job(token) == job

    # and a shorter period given by the caller deletes all of it
    assert export.export_files_sweep(older_than=datetime.timedelta(days=5)) == 3
    assert export.export_job(token) is None


def test_the_retention_setting_decides(settings):
    token = finished_job()
    age_job(token, 8)

    settings.PLEDGE_EXPORT_RETENTION_DAYS = 10
    assert export.export_files_sweep() == 0

    settings.PLEDGE_EXPORT_RETENTION_DAYS = 7
    assert export.export_files_sweep() == 3


def test_the_period_is_counted_in_whole_days_of_the_setting(settings):
    settings.PLEDGE_EXPORT_RETENTION_DAYS = 7
    token = finished_job()
    age_job(token, 6.9)
    assert export.export_files_sweep() == 0

    age_job(token, 7.1)
    assert export.export_files_sweep() == 3


def test_now_can_be_given():
    token = finished_job()

    assert export.export_files_sweep(now=timezone.now() + datetime.timedelta(days=6)) == 0
    assert export.export_files_sweep(now=timezone.now() + datetime.timedelta(days=8)) == 3
    assert export.export_job(token) is None


def test_loose_files_in_the_export_folder_go_by_their_own_age():
    store(f"{export.EXPORT_DIR}/stray-old.xlsx", 30)
    store(f"{export.EXPORT_DIR}/stray-new.xlsx", 1)

    assert export.export_files_sweep() == 1
    assert not default_storage.exists(f"{export.EXPORT_DIR}/stray-old.xlsx")
    assert default_storage.exists(f"{export.EXPORT_DIR}/stray-new.xlsx")


def test_nothing_outside_the_export_folder_is_touched():
    # given old files elsewhere in the storage, and one old job
    for name in OUTSIDE:
        store(name, 30)
    token = finished_job()
    age_job(token, 30)

    # when the sweep runs
    deleted = export.export_files_sweep()

    # then only the job went
    assert deleted == 3
    assert export.export_job(token) is None
    for name in OUTSIDE:
        assert default_storage.exists(name), name


def test_a_missing_export_folder_deletes_nothing(media: Path):
    # nothing at all: not even MEDIA_ROOT exists yet
    assert not media.exists()
    assert export.export_files_sweep() == 0

    # other files, but no exports/pledges/
    for name in OUTSIDE:
        store(name, 30)
    assert not (media / export.EXPORT_DIR).exists()
    assert export.export_files_sweep() == 0
    for name in OUTSIDE:
        assert default_storage.exists(name), name


def test_an_empty_leftover_folder_is_removed(media: Path):
    leftover = media / export.EXPORT_DIR / ("t" * 32)
    leftover.mkdir(parents=True)

    assert export.export_files_sweep() == 0
    assert not leftover.exists()
    assert (media / export.EXPORT_DIR).is_dir()


def test_running_twice_deletes_nothing_more():
    old, fresh = finished_job(), finished_job()
    age_job(old, 8)

    assert export.export_files_sweep() == 3
    assert export.export_files_sweep() == 0
    assert export.export_job(fresh).state == "ready"  # type: ignore[union-attr]
    assert len(job_files(fresh)) == 3


# --- the Celery task and its schedule --------------------------------------------------------


def test_the_task_runs_through_celery_and_logs_the_count(caplog):
    old, fresh = finished_job(), finished_job()
    age_job(old, 8)

    with caplog.at_level("INFO", logger="marketplace.pledges.tasks_export"):
        first = sweep_exports_task.delay()  # in-process in tests (see tests/conftest.py)
        second = sweep_exports_task.delay()

    assert celery_app.tasks["pledges.sweep_exports"].name == sweep_exports_task.name
    assert first.get() == 3
    assert second.get() == 0
    assert export.export_job(old) is None
    assert export.export_job(fresh) is not None
    logged = [r.getMessage() for r in caplog.records if r.name.endswith("tasks_export")]
    assert logged == [
        "Pledge export sweep: 3 file(s) deleted",
        "Pledge export sweep: 0 file(s) deleted",
    ]


def test_the_sweep_is_in_the_daily_schedule():
    tasks = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "pledges.sweep_exports" in tasks
    assert "pledges.sweep_exports" in celery_app.tasks


# --- the pages of a swept job ----------------------------------------------------------------


def test_the_ready_page_says_how_long_the_file_is_kept(staff_client):
    token = finished_job()

    page = staff_client.get(reverse("pledges_export:job", kwargs={"token": token}))

    assert page.status_code == 200
    retention = BeautifulSoup(page.content, "html.parser").select_one("[data-export-retention]")
    assert retention is not None
    assert " ".join(retention.get_text().split()) == (
        "The file is kept for 7 days; after that, start a new export."
    )


def test_a_swept_jobs_links_say_it_has_expired(staff_client):
    # given a finished job whose page offers the file
    token = finished_job()
    page_url = reverse("pledges_export:job", kwargs={"token": token})
    download_url = reverse("pledges_export:download", kwargs={"token": token})
    assert staff_client.get(download_url).status_code == 200

    # when the sweep deletes it
    age_job(token, 8)
    assert export.export_files_sweep() == 3

    # then its download link and its page say it has expired, and where to start again
    for url in (download_url, page_url):
        response = staff_client.get(url)
        assert response.status_code == 404, url
        soup = BeautifulSoup(response.content, "html.parser")
        expired = soup.select_one("[data-export-expired]")
        assert expired is not None, url
        assert " ".join(expired.get_text().split()) == (
            f"{EXPIRED_MESSAGE} Start a new export from the export form."
        )
        assert soup.select_one(f'a[href="{reverse("pledges_export:form")}"]') is not None
        assert soup.select_one("a[data-export-ready]") is None


def test_a_workbook_gone_before_its_markers_says_expired_too(staff_client):
    # given a job whose workbook was deleted but whose markers are still there
    token = finished_job()
    job = export.export_job(token)
    assert job is not None
    default_storage.delete(job.path)

    response = staff_client.get(reverse("pledges_export:download", kwargs={"token": token}))

    assert response.status_code == 404
    assert EXPIRED_MESSAGE in " ".join(response.content.decode().split())


# --- S3 ------------------------------------------------------------------------------------

BUCKET = "zzipx-exports-test"


@pytest.fixture
def s3(settings, moto_endpoint):  # type: ignore[no-untyped-def]
    with s3_storage(settings, moto_endpoint, BUCKET) as client:
        yield client


def test_the_sweep_walks_an_s3_bucket(s3, staff_client):
    """S3 sets an object's LastModified itself, so time moves by `now` here."""
    # an empty bucket: no exports/pledges/ prefix
    assert export.export_files_sweep() == 0

    # given a job and old objects outside the prefix
    token = finished_job()
    for name in OUTSIDE:
        default_storage.save(name, ContentFile(b"content"))
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert len(keys) == 3 + len(OUTSIDE)

    # within the period nothing goes; after it, the job's three objects
    assert export.export_files_sweep(now=timezone.now() + datetime.timedelta(days=6)) == 0
    later = timezone.now() + datetime.timedelta(days=8)
    assert export.export_files_sweep(now=later) == 3
    assert export.export_files_sweep(now=later) == 0

    left = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert left == set(OUTSIDE)
    response = staff_client.get(reverse("pledges_export:download", kwargs={"token": token}))
    assert response.status_code == 404
    assert EXPIRED_MESSAGE in " ".join(response.content.decode().split())
