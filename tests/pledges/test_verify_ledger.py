"""`manage.py verify_ledger [--fix]`: the statistics recomputed from the ledger, drift
reported (an error without --fix) and repaired with it."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from marketplace.pledges import services
from marketplace.pledges.ledger import ledger_reverse, ledger_verify, month_of
from marketplace.pledges.models import PledgeStat, PledgeState
from tests.factories import (
    BankFactory,
    IPAssetFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeApplicationFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def today() -> datetime.date:
    """Read at each use, not once at import: a run that goes on past midnight in
    Zhengzhou is on the next day."""
    return timezone.localdate()


def last_month_end() -> datetime.date:
    return today().replace(day=1) - datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def bank():
    return BankFactory()


def register(bank, amount: str, day: datetime.date, district: str = "jinshui"):
    holder = OrganizationFactory(verification_state="verified", district=district)
    application = PledgeApplicationFactory(
        state=PledgeState.CONTRACT_SIGNED,
        applicant=holder,
        bank=bank,
        assets=[IPAssetFactory(holder=holder)],
        requested_amount=Decimal(amount),
    )
    reviewer = MembershipFactory(organization=bank, role="reviewer").user
    services.pledge_register(
        application=application,
        by=reviewer,
        registration_number=f"Y41{application.pk:07d}",
        registration_date=day,
        secured_amount=Decimal(amount),
    )
    return application.ledger_entries.get()


@pytest.fixture
def ledger(bank):
    """Three registrations over two months, one of them reversed."""
    entries = [
        register(bank, "1000000.00", today()),
        register(bank, "250000.50", today(), district="erqi"),
        register(bank, "3000000.00", last_month_end()),
    ]
    ledger_reverse(entry=entries[1], by=UserFactory(is_staff=True), reason="录入错误")
    return entries


def run(*args: str) -> str:
    out = StringIO()
    call_command("verify_ledger", *args, stdout=out)
    return out.getvalue()


def test_a_clean_ledger_is_summarised_and_passes(ledger):
    output = run()

    assert "Pledge ledger: 4 entries (3 registrations, 1 reversals) over" in output
    assert "net ¥4,000,000.00" in output
    assert f"Statistics rows checked: {PledgeStat.objects.count()}." in output
    assert "No drift" in output


def test_an_empty_ledger_passes():
    output = run()

    assert "Pledge ledger: 0 entries" in output
    assert "Statistics rows checked: 0." in output
    assert "No drift" in output


def test_drift_is_reported_and_fails_without_fix_then_repaired_with_it(ledger, bank):
    # given a corrupted total of this month and a bank row wiped (its row deleted)
    month = month_of(today())
    PledgeStat.objects.filter(month=month, dimension="total").update(
        amount=Decimal("999.99"), count=7
    )
    PledgeStat.objects.filter(month=month_of(last_month_end()), dimension="bank").delete()
    rows_before = PledgeStat.objects.count()

    # when the command runs without --fix
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("verify_ledger", stdout=out)

    # then it names both rows, stored against expected, and fails
    output = out.getvalue()
    assert "Drift in 2 rows" in output
    assert f"{month} total: stored ¥999.99 (7), expected ¥1,000,000.00 (1)" in output
    assert (
        f"{month_of(last_month_end())} bank:{bank.pk}: stored ¥0.00 (0), expected ¥3,000,000.00 (1)"
        in output
    )
    assert f"Statistics rows checked: {rows_before + 1}." in output
    assert "2 statistics rows drifted from the ledger; run with --fix" in str(caught.value)
    # and changed nothing
    assert PledgeStat.objects.get(month=month, dimension="total").amount == Decimal("999.99")

    # when it runs with --fix
    output = run("--fix")

    # then it reports what it repaired
    assert "Drift in 2 rows" in output
    assert "Repaired 2 rows from the ledger." in output
    assert PledgeStat.objects.get(month=month, dimension="total").amount == Decimal("1000000.00")
    assert PledgeStat.objects.get(
        month=month_of(last_month_end()), dimension="bank", key=str(bank.pk)
    ).amount == Decimal("3000000.00")

    # and a second run is clean
    assert "No drift" in run()
    assert ledger_verify() == []


def test_a_stray_row_without_entries_is_drift_set_to_zero(ledger):
    PledgeStat.objects.create(month="2019-01", dimension="district", key="xinmi", amount=5, count=1)

    with pytest.raises(CommandError):
        run()
    assert "Repaired 1 rows" in run("--fix")

    stray = PledgeStat.objects.get(month="2019-01", dimension="district", key="xinmi")
    assert (stray.amount, stray.count) == (Decimal(0), 0)
    assert "No drift" in run()


def test_the_exit_status_is_non_zero_on_drift(ledger):
    """manage.py turns a CommandError into its exit status (1), as cron and CI see it.
    (Run through ManagementUtility the command would also close the test's connection.)"""
    PledgeStat.objects.filter(dimension="total").update(count=0)

    with pytest.raises(CommandError) as caught:
        run()

    assert caught.value.returncode == 1
