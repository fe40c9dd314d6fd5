"""Pledge-financing goals in the Wagtail admin: staff add a later goal, the form refuses a
backwards period or a zero target, goals are never deleted, and non-staff see nothing."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from marketplace.pledges.models import Goal
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_migrations_create_the_action_plans_goal():
    goal = Goal.objects.get()
    assert (goal.target, goal.start, goal.end) == (
        Decimal("1200000000.00"),
        datetime.date(2023, 1, 1),
        datetime.date(2025, 12, 31),
    )


def test_staff_add_a_later_goal(staff_client):
    response = staff_client.post(
        reverse("pledge_goals:add"),
        {
            "name": "2026—2028年知识产权质押融资目标",
            "name_en": "IP pledge financing 2026–2028",
            "target": "2000000000.00",
            "start": "2026-01-01",
            "end": "2028-12-31",
        },
    )
    assert response.status_code == 302
    assert Goal.objects.filter(target=Decimal("2000000000.00")).exists()


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("end", {"start": "2026-01-01", "end": "2025-12-31", "target": "100"}),
        ("target", {"start": "2026-01-01", "end": "2026-12-31", "target": "0"}),
    ],
)
def test_the_form_refuses_a_backwards_period_or_no_target(staff_client, field, values):
    response = staff_client.post(reverse("pledge_goals:add"), {"name": "x", **values})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Goal.objects.count() == 1


def test_goals_are_never_deleted(staff_client):
    goal = Goal.objects.get()
    response = staff_client.post(reverse("pledge_goals:delete", args=[goal.pk]))
    assert response.status_code in (302, 403)
    assert Goal.objects.filter(pk=goal.pk).exists()


def test_non_staff_do_not_reach_the_goals(client):
    client.force_login(UserFactory())
    response = client.get(reverse("pledge_goals:index"))
    assert response.status_code in (302, 403)
