"""The pledge ledger under concurrent registrations (PostgreSQL: real row locks and
concurrent transactions). Real threads, each with its own database connection; no mocks.

Two hundred distinct applications (each with its own asset) are registered at once by twenty
threads. They share banks, holders, districts, kinds, industries and months, so every
registration contends for the same few aggregate rows (the month's total above all): the
total must come out exact to the fen and the aggregates must equal a fresh SUM."""

import datetime
import random
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from marketplace.dates import add_months
from marketplace.pledges import services
from marketplace.pledges.ledger import ledger_verify, month_of, stats_between
from marketplace.pledges.models import (
    PledgeApplication,
    PledgeLedgerEntry,
    PledgeStat,
    PledgeState,
)
from tests.factories import (
    BankFactory,
    IPAssetFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeApplicationFactory,
)

# Committed rows, so the threads' own connections see them; serialized_rollback reloads the
# rows the migrations created (the home page, the Wagtail site, the default goal) that the
# flush after the test removes.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.date_sensitive,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

APPLICATIONS = 200
THREADS = 20


def today() -> datetime.date:
    """Read at each use, not once at import: a run that goes on past midnight in
    Zhengzhou is on the next day."""
    return timezone.localdate()


def test_two_hundred_concurrent_registrations_add_up_to_the_fen():
    # given 200 applications with their contracts signed, over 4 banks, 10 holders in
    # 3 districts, several kinds and industries, registered over 3 months
    rng = random.Random(20250101)
    banks = [BankFactory() for _ in range(4)]
    reviewers = {
        bank.pk: MembershipFactory(organization=bank, role="reviewer").user for bank in banks
    }
    holders = [
        OrganizationFactory(
            verification_state="verified", district=("jinshui", "high_tech", "erqi")[i % 3]
        )
        for i in range(10)
    ]
    kinds = ("invention", "utility_model", "trademark", "software_copyright")
    industries = ("nev", "electronics", "culture", "materials")
    days = [today(), add_months(today(), -1), add_months(today(), -2)]
    jobs: list[tuple[PledgeApplication, datetime.date, Decimal]] = []
    for index in range(APPLICATIONS):
        holder = holders[index % len(holders)]
        amount = Decimal(rng.randint(1, 50_000_000_00)) / 100  # ¥0.01 … ¥50m, to the fen
        asset = IPAssetFactory(
            holder=holder, kind=rng.choice(kinds), industry=rng.choice(industries)
        )
        application = PledgeApplicationFactory(
            state=PledgeState.CONTRACT_SIGNED,
            applicant=holder,
            bank=banks[index % len(banks)],
            assets=[asset],
            requested_amount=amount,
        )
        jobs.append((application, days[index % len(days)], amount))
    expected_total = sum((amount for _, _, amount in jobs), Decimal(0))
    expected_by_month: dict[str, Decimal] = {}
    for _, day, amount in jobs:
        expected_by_month[month_of(day)] = expected_by_month.get(month_of(day), Decimal(0)) + amount

    # when twenty threads, released together, register them all
    start = threading.Barrier(THREADS, timeout=60)
    outcomes: dict[int, object] = {}
    lock = threading.Lock()

    def work(share: list[tuple[PledgeApplication, datetime.date, Decimal]]) -> None:
        try:
            start.wait()
            for application, day, amount in share:
                try:
                    services.pledge_register(
                        application=application,
                        by=reviewers[application.bank_id],
                        registration_number=f"Y{day:%Y}41{application.pk:07d}",
                        registration_date=day,
                        secured_amount=amount,
                    )
                    outcome: object = "ok"
                except Exception as error:  # recorded and asserted on below
                    outcome = error
                with lock:
                    outcomes[application.pk] = outcome
        finally:
            connection.close()

    shares = [jobs[i::THREADS] for i in range(THREADS)]
    threads = [threading.Thread(target=work, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert not any(thread.is_alive() for thread in threads)

    # then every registration went through
    failures: dict[int, Any] = {pk: o for pk, o in outcomes.items() if o != "ok"}
    assert not failures, failures
    assert len(outcomes) == APPLICATIONS
    assert PledgeLedgerEntry.objects.count() == APPLICATIONS
    # the ledger holds the exact amounts, and the maintained total equals them to the fen
    assert PledgeLedgerEntry.objects.aggregate(s=Sum("amount"))["s"] == expected_total
    totals = dict(PledgeStat.objects.filter(dimension="total").values_list("month", "amount"))
    assert totals == expected_by_month
    assert sum(totals.values(), Decimal(0)) == expected_total
    counts = PledgeStat.objects.filter(dimension="total").aggregate(n=Sum("count"))["n"]
    assert counts == APPLICATIONS
    period = stats_between(min(days), max(days))
    assert period["total"][""] == (expected_total, APPLICATIONS)
    # and every aggregate row agrees with a fresh SUM over the ledger
    assert ledger_verify() == []
    assert PledgeApplication.objects.filter(state=PledgeState.REGISTERED).count() == APPLICATIONS


def test_verifying_and_repairing_while_registrations_run_sees_no_drift():
    """`ledger_verify` locks the aggregates against writers while it sums the ledger: run
    (with --fix) in a loop beside registrations it never sees a half-written registration
    (no false drift) and never writes a stale sum over a right one."""
    # given 100 applications ready to register, over 2 banks and one month
    banks = [BankFactory() for _ in range(2)]
    reviewers = {
        bank.pk: MembershipFactory(organization=bank, role="reviewer").user for bank in banks
    }
    holder = OrganizationFactory(verification_state="verified", district="jinshui")
    applications = [
        PledgeApplicationFactory(
            state=PledgeState.CONTRACT_SIGNED,
            applicant=holder,
            bank=banks[index % 2],
            assets=[IPAssetFactory(holder=holder)],
            requested_amount=Decimal("1000.01") + index,
        )
        for index in range(100)
    ]
    done = threading.Event()
    reports: list[list[Any]] = []
    errors: list[BaseException] = []

    def register(share: list[PledgeApplication]) -> None:
        try:
            for application in share:
                services.pledge_register(
                    application=application,
                    by=reviewers[application.bank_id],
                    registration_number=f"Y41{application.pk:07d}",
                    registration_date=today(),
                    secured_amount=application.requested_amount,
                )
        except BaseException as error:  # asserted on below
            errors.append(error)
        finally:
            connection.close()

    def verify() -> None:
        try:
            while not done.is_set():
                reports.append(ledger_verify(fix=True))
        except BaseException as error:  # asserted on below
            errors.append(error)
        finally:
            connection.close()

    # when ten threads register while another verifies and repairs in a loop
    checker = threading.Thread(target=verify)
    checker.start()
    writers = [threading.Thread(target=register, args=(applications[i::10],)) for i in range(10)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=240)
    done.set()
    checker.join(timeout=60)

    # then nothing failed, no verify saw drift, and the aggregates are exact
    assert not errors, errors
    assert len(reports) > 1
    assert [report for report in reports if report] == []
    expected = sum((a.requested_amount for a in applications), Decimal(0))
    assert PledgeStat.objects.get(month=month_of(today()), dimension="total").amount == expected
    assert ledger_verify() == []
