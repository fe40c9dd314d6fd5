"""The demo loads on any day: the clock is moved (time-machine) to days from today to ten
years ahead and to a 29 February, and each time a fresh database gets the whole demo, with
partial progress toward the goal of that day, every stage of an application and of a deal,
and a ledger without drift. A section that fails leaves nothing behind; the next run
completes the demo."""

import calendar
import datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from listings.expiry import add_years
from listings.models import IPAsset, Listing, ListingState
from marketplace.deals import services as deal_services
from marketplace.deals.models import Deal, DealState
from marketplace.demo import data
from marketplace.demo.management.commands.seed_demo import SECTIONS
from marketplace.demo.models import DemoDataset
from marketplace.pledges.ledger import ledger_verify
from marketplace.pledges.models import PledgeApplication, PledgeState
from marketplace.pledges.progress import current_goal, pledge_progress

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_29_february(after: datetime.date) -> datetime.date:
    year = after.year + (after >= datetime.date(after.year, 3, 1) or 0)
    while not calendar.isleap(year):
        year += 1
    return datetime.date(year, 2, 29)


def days_from_today() -> dict[str, datetime.date]:
    today = datetime.date.today()
    return {
        "today": today,
        "in-45-days": today + datetime.timedelta(days=45),
        "in-1-year": add_years(today, 1),
        "in-3-years": add_years(today, 3),
        "in-10-years": add_years(today, 10),
        "next-29-february": next_29_february(today),
    }


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--no-progress", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("when", list(days_from_today()))
def test_the_whole_demo_loads_on(when):
    day = days_from_today()[when]
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(11), tzinfo=SHANGHAI)):
        # when
        seed()
        # then
        assert timezone.localdate() == day
        assert DemoDataset.objects.get().anchor == day
        goal = current_goal()
        assert goal is not None
        assert goal.start <= day <= goal.end
        progress = pledge_progress(goal=goal)
        if day > goal.start:
            assert Decimal(0) < progress["percent"] < Decimal(100), progress["percent"]
        assert set(PledgeApplication.objects.values_list("state", flat=True)) == set(
            PledgeState.values
        )
        deal_states = set(Deal.objects.values_list("state", flat=True))
        assert deal_states == set(DealState.values) - {DealState.NEW}
        assert ledger_verify() == []
        # nothing in the demo happens after its day
        assert not IPAsset.objects.filter(filing_date__gt=day).exists()
        assert not IPAsset.objects.filter(grant_date__gt=day).exists()
        assert not PledgeApplication.objects.filter(registration_date__gt=day).exists()
        assert not PledgeApplication.objects.filter(state_changed_at__gt=timezone.now()).exists()
        published = Listing.objects.filter(state=ListingState.PUBLISHED)
        assert published.count() >= 60
        assert not published.filter(valid_until__lte=day).exists()
        # the demo accounts can do what the README says: the holder has rights to pledge
        holder = data.ORGANIZATIONS_BY_KEY["huarui"]
        free = IPAsset.objects.filter(
            holder__credit_code=holder.credit_code, status="valid", grant_date__isnull=False
        ).exclude(pledges__active=True)
        assert free.count() >= 3


def test_a_failed_section_leaves_nothing_behind_and_the_next_run_completes_the_demo(
    monkeypatch,
):
    # given a run that fails part-way through the deals
    calls = {"n": 0}
    complete = deal_services.deal_complete

    def fail_on_the_first_completion(**kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(deal_services, "deal_complete", fail_on_the_first_completion)
    with pytest.raises(RuntimeError, match="disk is full"):
        seed()
    # then the sections before it are in, the deals section left nothing
    assert calls["n"] == 1
    dataset = DemoDataset.objects.get()
    assert "deals" not in dataset.sections
    assert list(dataset.sections) == list(SECTIONS[: SECTIONS.index("deals")])
    assert not Deal.objects.exists()
    pledges = PledgeApplication.objects.count()
    assert pledges > 0
    # when the cause is gone and the seed runs again
    monkeypatch.setattr(deal_services, "deal_complete", complete)
    seed()
    # then the demo is complete, and nothing was loaded twice
    assert list(DemoDataset.objects.get().sections) == list(SECTIONS)
    assert set(Deal.objects.values_list("state", flat=True)) == set(DealState.values) - {
        DealState.NEW
    }
    assert PledgeApplication.objects.count() == pledges
    assert ledger_verify() == []


def test_a_database_from_before_the_anchor_is_refused_with_a_way_out(django_user_model):
    django_user_model.objects.create_user(email=data.OPERATOR_EMAIL, password="x")
    with pytest.raises(CommandError, match="make clean"):
        seed()
