"""Shared fixtures. Tests that need PostgreSQL or Redis carry the `postgres` / `redis` marks
and are skipped (with the reason) unless DATABASE_URL / CELERY_BROKER_URL point at them."""

import datetime
import os

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache

from marketplace.celery import app as celery_app
from marketplace.demo.context_processors import CACHE_KEY as DEMO_BANNER_CACHE_KEY
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


def _on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


# --- The clock: CI runs the date-sensitive tests again a year ahead -------------------------
# ZZIPX_CLOCK_SHIFT_DAYS=365 moves the whole test session's clock (time-machine, ticking)
# that many days ahead before anything reads it; a test that only passes on the day it was
# written fails there. Tests that move the clock themselves travel from the moved day.
# It moves when this file is imported: pytest imports the conftest.py files on the way to
# the tests named on the command line (tests/cms/conftest.py for `pytest tests/cms/…`)
# before it calls any pytest_configure, and this one first.
def _session_travel_start() -> time_machine.travel | None:
    shift = int(os.environ.get("ZZIPX_CLOCK_SHIFT_DAYS") or 0)
    if not shift:
        return None
    moved = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=shift)
    travel = time_machine.travel(moved, tick=True)
    travel.start()
    return travel


_session_travel = _session_travel_start()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _session_travel is not None:
        _session_travel.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    shift = os.environ.get("ZZIPX_CLOCK_SHIFT_DAYS")
    return f"clock moved {shift} days ahead (ZZIPX_CLOCK_SHIFT_DAYS)" if shift else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    skip_redis = pytest.mark.skip(reason="needs Redis: set CELERY_BROKER_URL=redis://…")
    for item in items:
        if "postgres" in item.keywords and not _on_postgres():
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not os.environ.get("CELERY_BROKER_URL"):
            item.add_marker(skip_redis)


@pytest.fixture(scope="session", autouse=True)
def _serialized_rollback_everywhere(django_db_setup):  # type: ignore[no-untyped-def]
    """Transactional tests restore the rows the migrations made (the Wagtail home page and
    site) from a copy Django keeps on the connection object it set the database up with.
    Django hands out connection objects per thread and async context; after some runs
    (the portal tests, then the browser tests under Playwright's event loop) the browser
    tests got a connection object without that copy, the restore was skipped silently and
    the home page was gone. Keep the copy on the connection class, which every object sees."""
    from django.db import connections

    for alias in connections:
        wrapper = connections[alias]
        contents = getattr(wrapper, "_test_serialized_contents", None)
        if contents is not None:
            type(wrapper)._test_serialized_contents = contents


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    """Each test's rows roll back; cached copies of them (Wagtail's site root paths, for one)
    must not outlive them and mislead the next test."""
    cache.clear()
    # The demo banner's flag lives in the cache (one query a minute in a running site);
    # start from "no demo data", as the rows do, so page query budgets count the page.
    # Tests of the banner load demo data (seed_demo sets the flag) or delete the key.
    cache.set(DEMO_BANNER_CACHE_KEY, False)
    yield
    cache.clear()


@pytest.fixture
def user(db):  # type: ignore[no-untyped-def]
    return UserFactory()


@pytest.fixture
def staff_user(db):  # type: ignore[no-untyped-def]
    return UserFactory(is_staff=True, email="staff@example.com")


@pytest.fixture
def organization(db):  # type: ignore[no-untyped-def]
    return OrganizationFactory()


@pytest.fixture
def owner(organization):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=organization).user


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """CI's PostgreSQL + Redis run sets PYTEST_FAIL_ON_SKIP: there every test must run."""
    if os.environ.get("PYTEST_FAIL_ON_SKIP") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        if reporter:
            reporter.write_line(f"PYTEST_FAIL_ON_SKIP: {skipped} test(s) skipped", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- Celery: tests that point the app at another broker --------------------------------


@pytest.fixture
def celery_conf():  # type: ignore[no-untyped-def]
    """The app read its configuration at import; restore what a test changes."""
    keys = ("broker_url", "task_always_eager")
    saved = {key: celery_app.conf[key] for key in keys}
    yield celery_app.conf
    celery_app.conf.update(saved)
    _forget_celery_connections()


def _forget_celery_connections() -> None:
    """The app caches its connection pool (and producer pool) with the broker URL of the
    moment, and kombu keeps producer pools by URL in a global registry; drop them all so
    the next use connects to the URL configured now (a closed pool left in kombu's registry
    fails the next send with "Acquire on closed pool")."""
    from kombu import pools

    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None
    pools.reset()


@pytest.fixture(autouse=True)
def _tasks_run_in_process():  # type: ignore[no-untyped-def]
    """Tasks queued by the code under test (notices on commit, jobs) run in-process, as
    in the embedded default, whatever the broker: CI's PostgreSQL + Redis run has no
    worker consuming the queue. Tests of the real broker path (tests/test_celery.py,
    tests/test_health.py) switch eager mode off through `celery_conf`, which restores it."""
    from celery._state import _set_task_join_will_block

    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    # Celery keeps "inside a task, joins would block" in one process-wide flag that each
    # eager run sets and restores; eager runs on several threads at once (the PostgreSQL
    # concurrency tests) can restore it in the wrong order and leave it set, which makes
    # every later EagerResult.get() refuse. Each test starts outside any task.
    _set_task_join_will_block(False)
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def point_broker_at(monkeypatch, celery_conf):  # type: ignore[no-untyped-def]
    """Celery's `broker_url` prefers the CELERY_BROKER_URL environment variable to the
    configured value, so pointing the app at another broker sets both."""

    def point(url: str) -> None:
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        celery_conf.broker_url = url
        _forget_celery_connections()

    return point


@pytest.fixture(scope="module")
def moto_endpoint():  # type: ignore[no-untyped-def]
    """moto's S3 server on 127.0.0.1 for a test module (see tests/s3.py); imported here
    only when a test asks for it."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


# --- the Wagtail admin: a signed-in operator (helpers in tests/wagtail_admin.py) ---------


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    """The operator who works the Wagtail admin: staff and superuser. Modules that need
    another kind of staff user define their own `staff`, which overrides this one."""
    return UserFactory(
        email="operator@example.com", name="Olga Operator", is_staff=True, is_superuser=True
    )


@pytest.fixture
def staff_client(client, staff):  # type: ignore[no-untyped-def]
    """The test client signed in as `staff`, asking for the admin in English."""
    from tests.wagtail_admin import english

    client.force_login(staff)
    return english(client)
