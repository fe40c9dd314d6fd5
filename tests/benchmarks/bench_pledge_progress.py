"""Pledge-progress latency at 10,000 and 200,000 ledger entries (a script, not a test).

    python tests/benchmarks/bench_pledge_progress.py [--sizes 10000 200000] [--runs 50]
    DATABASE_URL=postgres://…/zzipx_bench python tests/benchmarks/bench_pledge_progress.py

It never touches the configured database's data: Django's test-database machinery creates a
throwaway one beside it (test_<name> on PostgreSQL; a temporary file on SQLite, the default
when DATABASE_URL is unset), migrates it, and drops it at the end (--keepdb keeps it).

The ledger is filled FAST, not through the services: organisations, assets, registered
applications, their pledged-asset rows and the ledger entries are inserted with
bulk_create (no audit rows, no notices, no per-entry aggregate updates). The maintained
aggregates (PledgeStat) are then rebuilt from the ledger with `ledger_verify(fix=True)`,
the code `manage.py verify_ledger --fix` runs, so the readers see exactly what the
registrations would have left. The first size is filled, measured, then topped up to the
next size and measured again.

Measured, in-process with Django's test client (no network, no server), each after a
warm-up request (its time is shown as "first": the cold caches, e.g. the median loan read
from the ledger once per ledger version), then --runs times:

- GET /dashboard/ and GET /api/v1/stats/pledge-progress/ (and / with its progress bar);
  a URL that answers 404 (not built yet) is reported as such;
- `marketplace.pledges.progress.pledge_progress(goal=current_goal())` called directly,
  when that module exists.

It prints p50 / p95 / max and the number of queries of one request for each, per size.
"""

import argparse
import datetime
import importlib
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.utils import timezone  # noqa: E402

from listings.expiry import add_years, derive_expiry  # noqa: E402
from listings.models import AssetKind, Industry, IPAsset  # noqa: E402
from listings.validators import patent_check_char  # noqa: E402
from marketplace.parties.districts import District  # noqa: E402
from marketplace.parties.models import Organization  # noqa: E402
from marketplace.parties.validators import (  # noqa: E402
    CREDIT_CODE_ALPHABET,
    credit_code_check_char,
)
from marketplace.pledges.ledger import ledger_verify  # noqa: E402
from marketplace.pledges.models import (  # noqa: E402
    LedgerEntryKind,
    PledgeApplication,
    PledgedAsset,
    PledgeLedgerEntry,
    PledgeState,
)
from marketplace.pledges.progress import current_goal  # noqa: E402

URLS = [
    ("GET /dashboard/", "/dashboard/"),
    ("GET /api/v1/stats/pledge-progress/", "/api/v1/stats/pledge-progress/"),
    ("GET / (progress bar)", "/"),
]
BATCH = 2000
BANKS = 12
HOLDERS = 1500
# Patent kinds only: their numbers are generated here with the real check digit.
KINDS = [AssetKind.INVENTION, AssetKind.UTILITY_MODEL, AssetKind.DESIGN]


# --- the throwaway database -------------------------------------------------------------------


def create_database(*, keepdb: bool) -> str:
    """A fresh test database beside the configured one; returns the original name."""
    old_name: str = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        test = connection.settings_dict.setdefault("TEST", {})
        if not test.get("NAME"):
            # A file, not the in-memory default: timings comparable with a real deployment.
            test["NAME"] = str(Path(tempfile.gettempdir()) / "bench_pledge_progress.sqlite3")
    started = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keepdb)
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']} "
        f"(migrated in {time.perf_counter() - started:.0f} s)"
    )
    return old_name


def ensure_portal_pages() -> None:
    """The dashboard page, created as the demo data would (when cms provides it)."""
    try:
        services = importlib.import_module("cms.services")
    except ImportError:
        return
    ensure = getattr(services, "portal_pages_ensure", None)
    if ensure is not None:
        with transaction.atomic():
            ensure()


# --- filling the ledger fast ----------------------------------------------------------------


def _credit_code(index: int) -> str:
    """A valid, unique code: 91 (enterprise) 410100 (Zhengzhou) + 9 base-31 digits of index."""
    digits = []
    for _ in range(9):
        index, rest = divmod(index, len(CREDIT_CODE_ALPHABET))
        digits.append(CREDIT_CODE_ALPHABET[rest])
    body = "91410100" + "".join(reversed(digits))
    return body + credit_code_check_char(body)


def _patent_number(index: int, kind: str) -> str:
    type_digit = {"invention": "1", "utility_model": "2", "design": "3"}[kind]
    year = 2015 + index // 9_000_000
    body = f"{year}{type_digit}{index % 9_000_000 + 1_000_000:07d}"
    return f"{body}.{patent_check_char(body)}"


def _organizations(kind: str, count: int, offset: int) -> list[Organization]:
    existing = list(Organization.objects.filter(kind=kind, name__startswith="基准").order_by("pk"))
    districts = list(District.values)
    rows = []
    for index in range(len(existing), count):
        code_index = offset + index
        organization = Organization(
            name=f"基准{'银行' if kind == 'bank' else '企业'}{index}",
            kind=kind,
            credit_code=_credit_code(code_index),
            district=districts[index % len(districts)],
        )
        organization.__dict__["verification_state"] = "verified"  # protected FSM field
        rows.append(organization)
    Organization.objects.bulk_create(rows, batch_size=BATCH)
    return existing + rows


def registration_period() -> tuple[datetime.date, datetime.date]:
    """The days the registrations are spread over: the period of the goal the dashboard
    shows (the action plan's 2023–2025 until staff add a later one), up to today, as a
    registration is never dated after the day it is made; the last three years when that
    goal has not started yet."""
    today = timezone.localdate()
    goal = current_goal(today=today)
    if goal is None or goal.start > today:
        return add_years(today, -3), today
    return goal.start, min(goal.end, today)


def fill(target: int, rng: random.Random) -> float:
    """Top the ledger up to `target` registrations; returns the seconds it took."""
    started = time.perf_counter()
    have = PledgeLedgerEntry.objects.count()
    if have >= target:
        return 0.0
    banks = _organizations("bank", BANKS, offset=10_000_000)
    holders = _organizations("enterprise", HOLDERS, offset=20_000_000)
    industries = list(Industry.values)
    period_start, period_end = registration_period()
    days = (period_end - period_start).days
    now = timezone.now()
    for start in range(have, target, BATCH):
        indexes = range(start, min(start + BATCH, target))
        assets, applications, specs = [], [], []
        for index in indexes:
            holder = holders[rng.randrange(len(holders))]
            bank = banks[rng.randrange(len(banks))]
            kind = KINDS[index % len(KINDS)]
            # Filed two to five years before it is pledged and granted before that: a right
            # in force at its registration and through the loan, whichever year this runs.
            registered_on = period_start + datetime.timedelta(days=rng.randrange(days + 1))
            filing = registered_on - datetime.timedelta(days=700 + index % 1000)
            assets.append(
                IPAsset(
                    kind=kind,
                    number=_patent_number(index, kind),
                    title=f"基准专利{index}",
                    holder=holder,
                    filing_date=filing,
                    grant_date=filing + datetime.timedelta(days=500),
                    expiry_date=derive_expiry(kind=kind, filing_date=filing, grant_date=None),
                    status="valid",
                    industry=industries[rng.randrange(len(industries))],
                    district=holder.district,
                )
            )
            amount = Decimal(rng.randrange(5_000_000, 500_000_000)) / 100  # ¥50k … ¥5m
            application = PledgeApplication(
                applicant=holder,
                bank=bank,
                requested_amount=amount,
                term_months=12,
                purpose="基准测试",
                approved_amount=amount,
                annual_rate=Decimal("3.65"),
                approved_term_months=12,
                registration_number=f"BENCH{index:09d}",
                registration_date=registered_on,
                secured_amount=amount,
                state_changed_at=now,
            )
            application.__dict__["state"] = PledgeState.REGISTERED  # protected FSM field
            applications.append(application)
            specs.append((holder, bank, registered_on, amount))
        with transaction.atomic():
            IPAsset.objects.bulk_create(assets, batch_size=BATCH)
            PledgeApplication.objects.bulk_create(applications, batch_size=BATCH)
            PledgedAsset.objects.bulk_create(
                [
                    PledgedAsset(application=application, asset=asset, active=True)
                    for application, asset in zip(applications, assets, strict=True)
                ],
                batch_size=BATCH,
            )
            PledgeLedgerEntry.objects.bulk_create(
                [
                    PledgeLedgerEntry(
                        application=application,
                        kind=LedgerEntryKind.REGISTRATION,
                        amount=amount,
                        registered_on=registered_on,
                        registration_number=application.registration_number,
                        bank=bank,
                        holder=holder,
                        district=holder.district,
                        asset_kind=asset.kind,
                        asset_kinds=[asset.kind],
                        industry=asset.industry,
                    )
                    for application, asset, (holder, bank, registered_on, amount) in zip(
                        applications, assets, specs, strict=True
                    )
                ],
                batch_size=BATCH,
            )
        print(f"\r  filled {indexes[-1] + 1:,} / {target:,}", end="", flush=True)
    print()
    rebuilt = time.perf_counter()
    drifts = ledger_verify(fix=True)  # rebuilds PledgeStat from the ledger
    print(
        f"  aggregates rebuilt from the ledger: {len(drifts):,} rows "
        f"in {time.perf_counter() - rebuilt:.1f} s"
    )
    assert ledger_verify() == [], "the rebuilt aggregates must equal the ledger"
    return time.perf_counter() - started


# --- measuring ----------------------------------------------------------------------------------


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def measure(call: Callable[[], Any], runs: int) -> dict[str, Any]:
    """The first (cold) call, then `runs` timed calls; a 404 stops after the first."""
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as cold:
        first_result = call()
    first = (time.perf_counter() - started) * 1000
    status = getattr(first_result, "status_code", None)
    result: dict[str, Any] = {"status": status, "first": first, "first_queries": len(cold)}
    if status == 404:
        return result
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as warm:
        call()
    result.update(
        queries=len(warm),
        p50=statistics.median(times),
        p95=percentile(times, 0.95),
        max=max(times),
    )
    return result


def targets(client: Client) -> list[tuple[str, Callable[[], Any] | None, str]]:
    """(label, call or None, note) of everything to measure."""

    def getter(url: str) -> Callable[[], Any]:
        return lambda: client.get(url)

    found: list[tuple[str, Callable[[], Any] | None, str]] = [
        (label, getter(url), "") for label, url in URLS
    ]
    try:
        progress = importlib.import_module("marketplace.pledges.progress")
    except ImportError:
        found.append(("pledge_progress(goal=…)", None, "module not available yet"))
    else:
        goal = progress.current_goal()
        if goal is None:
            found.append(("pledge_progress(goal=…)", None, "no goal"))
        else:
            found.append(
                ("pledge_progress(goal=…)", lambda: progress.pledge_progress(goal=goal), "")
            )
    return found


def report(size: int, rows: list[tuple[str, dict[str, Any] | None, str]]) -> None:
    print(f"\n{size:,} ledger entries")
    print(
        f"  {'target':38s} {'status':>6s} {'first ms':>9s} {'p50 ms':>8s} {'p95 ms':>8s} "
        f"{'max ms':>8s} queries"
    )
    for label, result, note in rows:
        if result is None:
            print(f"  {label:38s} {note}")
            continue
        status = result["status"] if result["status"] is not None else "-"
        if status == 404:
            print(f"  {label:38s} {status!s:>6s}  not available yet (404)")
            continue
        print(
            f"  {label:38s} {status!s:>6s} {result['first']:9.1f} {result['p50']:8.1f} "
            f"{result['p95']:8.1f} {result['max']:8.1f} "
            f"{result['queries']:>4d} ({result['first_queries']} cold)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 200_000])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--keepdb", action="store_true", help="Keep the benchmark database.")
    args = parser.parse_args()

    setup_test_environment()
    settings.DEBUG = False
    logging.getLogger("wagtail").setLevel(logging.WARNING)  # page-creation chatter
    old_name = create_database(keepdb=args.keepdb)
    try:
        ensure_portal_pages()
        rng = random.Random(args.seed)
        client = Client()
        for size in sorted(args.sizes):
            print(f"\nfilling the ledger to {size:,} entries")
            seconds = fill(size, rng)
            print(f"  filled in {seconds:.0f} s")
            rows: list[tuple[str, dict[str, Any] | None, str]] = []
            for label, call, note in targets(client):
                rows.append((label, measure(call, args.runs) if call else None, note))
            report(size, rows)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keepdb)
        teardown_test_environment()


if __name__ == "__main__":
    main()
