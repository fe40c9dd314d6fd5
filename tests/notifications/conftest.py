"""Fixtures for notifications: two organisations with members, a notice helper."""

from typing import Any

import pytest
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from listings.models import ListingState
from marketplace.notifications.models import Notice
from marketplace.notifications.services import notify_organizations
from tests.factories import MembershipFactory, OrganizationFactory

from .helpers import tasks_in_process

# A string the Chinese catalogue translates, so both renderings can be checked exactly.
MESSAGE = _("This listing is “%(state)s”, so that step is not possible now.")


@pytest.fixture(autouse=True)
def _deliveries_in_process():  # type: ignore[no-untyped-def]
    with tasks_in_process():
        yield


@pytest.fixture
def committed(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """`with committed():` runs the block's on-commit callbacks when it ends, as a commit
    would (the test's own transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def bank(db):  # type: ignore[no-untyped-def]
    return OrganizationFactory(kind="bank", name="中原银行郑州分行")


@pytest.fixture
def bank_reviewer(bank):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=bank, role="reviewer").user


@pytest.fixture
def holder(db):  # type: ignore[no-untyped-def]
    return OrganizationFactory(name="郑州锂电科技有限公司")


@pytest.fixture
def holder_member(holder):  # type: ignore[no-untyped-def]
    return MembershipFactory(organization=holder).user


def notify(organizations: list[Any], **kwargs: Any) -> Notice:
    """notify_organizations with the test defaults, inside its own transaction."""
    arguments: dict[str, Any] = {
        "event": "pledges.submitted",
        "message": MESSAGE,
        "params": {"state": ListingState.PUBLISHED.label},
        "url": "/bank/applications/12/",
    }
    arguments.update(kwargs)
    with transaction.atomic():
        return notify_organizations(organizations=organizations, **arguments)
