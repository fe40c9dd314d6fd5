"""Shared fixtures. Tests that need PostgreSQL or Redis carry the `postgres` / `redis` marks
and are skipped (with the reason) unless DATABASE_URL / CELERY_BROKER_URL point at them."""

import os

import pytest
from django.conf import settings

from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


def _on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    skip_redis = pytest.mark.skip(reason="needs Redis: set CELERY_BROKER_URL=redis://…")
    for item in items:
        if "postgres" in item.keywords and not _on_postgres():
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not os.environ.get("CELERY_BROKER_URL"):
            item.add_marker(skip_redis)


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
