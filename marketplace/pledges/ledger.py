"""The pledge ledger: writes (in the register transaction, or a staff reversal) and the
maintained aggregates the dashboard and the public JSON read.

Every entry updates its `PledgeStat` rows in the same transaction (one row per dimension for
the entry's month), so a reader sums a number of rows bounded by months × keys, never the
ledger. What is not additive (the median loan) is read from the ledger once and cached until
the next entry commits (`LEDGER_VERSION_KEY`). `ledger_verify` recomputes every aggregate
from the ledger and reports (and can repair) drift.
"""

import datetime
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.utils.translation import gettext as _
from django_fsm_log.models import StateLog

from marketplace.money import CENT
from marketplace.parties.models import User

from .models import (
    LedgerEntryKind,
    PledgeApplication,
    PledgeLedgerEntry,
    PledgeStat,
)

LEDGER_VERSION_KEY = "pledges:ledger-version"
# Additive breakdowns kept per month. Holders financed is not additive over months (a holder
# financed in March and in May counts once) and would need a row per holder per month:
# it is counted from the ledger with the median, once per ledger version (`ledger_figures`).
DIMENSIONS = ("total", "district", "bank", "kind", "industry")


def month_of(day: datetime.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _keys_of(*, district: str, bank_id: int, asset_kind: str, industry: str) -> dict[str, str]:
    """The stat row key of each dimension for an entry with these facts."""
    return {
        "total": "",
        "district": district,
        "bank": str(bank_id),
        "kind": asset_kind,
        "industry": industry,
    }


def _keys(entry: PledgeLedgerEntry) -> dict[str, str]:
    return _keys_of(
        district=entry.district,
        bank_id=entry.bank_id,
        asset_kind=entry.asset_kind,
        industry=entry.industry,
    )


def _apply_to_stats(entry: PledgeLedgerEntry) -> None:
    """Add the entry to its month's rows: create the missing ones (a conflict means a
    concurrent transaction created it: fine), then increment under the row lock."""
    month = month_of(entry.registered_on)
    keys = _keys(entry)
    PledgeStat.objects.bulk_create(
        [PledgeStat(month=month, dimension=d, key=k) for d, k in keys.items()],
        ignore_conflicts=True,
    )
    step = 1 if entry.kind == LedgerEntryKind.REGISTRATION else -1
    for dimension, key in keys.items():
        PledgeStat.objects.filter(month=month, dimension=dimension, key=key).update(
            amount=F("amount") + entry.amount, count=F("count") + step
        )


def _fresh_version() -> int:
    """A version no earlier one can have had: when the version key is lost (evicted, the
    cache restarted) while keys derived from it survive, restarting the count at 1 would
    bring back a median cached under an old "1"."""
    return time.time_ns() // 1000


def _bump_version() -> None:
    """Readers' caches (median, dashboard) are keyed by this version; a new entry makes
    them stale once it commits."""
    try:
        cache.incr(LEDGER_VERSION_KEY)
    except ValueError:
        cache.set(LEDGER_VERSION_KEY, _fresh_version(), None)


def ledger_version() -> int:
    version = cache.get(LEDGER_VERSION_KEY)
    if version is None:
        cache.add(LEDGER_VERSION_KEY, _fresh_version(), None)
        version = cache.get(LEDGER_VERSION_KEY)
        if version is None:  # a cache that keeps nothing (the dummy cache)
            return _fresh_version()
    return int(version)


def ledger_record_registration(
    *, application: PledgeApplication, by: User | None
) -> PledgeLedgerEntry:
    """Called by `pledge_register` inside its transaction (never on its own): the secured
    amount counts toward the goal from the registration date."""
    assets = list(application.assets.order_by("pk"))
    leading = assets[0]
    assert application.registration_date is not None
    assert application.secured_amount is not None
    entry = PledgeLedgerEntry.objects.create(
        application=application,
        kind=LedgerEntryKind.REGISTRATION,
        amount=application.secured_amount,
        currency=application.currency,
        registered_on=application.registration_date,
        registration_number=application.registration_number,
        bank_id=application.bank_id,
        holder_id=application.applicant_id,
        district=application.applicant.district,
        asset_kind=leading.kind,
        asset_kinds=sorted({asset.kind for asset in assets}),
        industry=leading.industry,
        created_by=by,
    )
    _apply_to_stats(entry)
    transaction.on_commit(_bump_version)
    return entry


def ledger_reverse(*, entry: PledgeLedgerEntry, by: User, reason: str) -> PledgeLedgerEntry:
    """Staff correct a registration recorded in error: a reversing entry of the opposite
    amount in the same month, with the reason, written in the audit trail too."""
    if not (by.is_active and by.is_staff):
        raise PermissionDenied(_("Only platform staff correct the pledge ledger."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the correction.")]})
    with transaction.atomic():
        original = PledgeLedgerEntry.objects.select_for_update().get(pk=entry.pk)
        if original.kind != LedgerEntryKind.REGISTRATION:
            raise ValidationError(_("Only a registration can be reversed."), code="not_reversible")
        if PledgeLedgerEntry.objects.filter(reverses=original).exists():
            raise ValidationError(_("This entry is already reversed."), code="already_reversed")
        reversal = PledgeLedgerEntry.objects.create(
            application_id=original.application_id,
            kind=LedgerEntryKind.REVERSAL,
            reverses=original,
            amount=-original.amount,
            currency=original.currency,
            registered_on=original.registered_on,
            registration_number=original.registration_number,
            bank_id=original.bank_id,
            holder_id=original.holder_id,
            district=original.district,
            asset_kind=original.asset_kind,
            asset_kinds=original.asset_kinds,
            industry=original.industry,
            reason=reason.strip()[:500],
            created_by=by,
        )
        _apply_to_stats(reversal)
        # The audit trail of the application shows the correction too.
        StateLog.objects.create(
            content_object=original.application,
            by=by,
            source_state=original.application.state,
            state=original.application.state,
            transition="ledger_reversal",
            description=reason.strip()[:500],
        )
        transaction.on_commit(_bump_version)
    return reversal


# --- reading the aggregates -----------------------------------------------------------


def stats_between(start: datetime.date, end: datetime.date) -> dict[str, dict[str, Any]]:
    """{dimension: {key: (amount, count)}} summed over the months of [start, end], plus
    "month": {month: (amount, count)} of the total; two queries.

    The sums are rounded to the fen: SQLite adds decimals as binary floats and hands an
    aggregate back unrounded (123.450000000186), which would reach the JSON as such."""
    rows = (
        PledgeStat.objects.filter(month__gte=month_of(start), month__lte=month_of(end))
        .values("dimension", "key")
        .annotate(total=Sum("amount"), n=Sum("count"))
        .order_by()
    )
    result: dict[str, dict[str, Any]] = defaultdict(dict)
    for row in rows:
        total = Decimal(row["total"] or 0).quantize(CENT, ROUND_HALF_UP)
        result[row["dimension"]][row["key"]] = (total, row["n"] or 0)
    months = (
        PledgeStat.objects.filter(
            dimension="total", month__gte=month_of(start), month__lte=month_of(end)
        )
        .values_list("month", "amount", "count")
        .order_by("month")
    )
    result["month"] = {month: (amount, count) for month, amount, count in months}
    return result


@dataclass(frozen=True)
class LedgerFigures:
    """What is not additive over months, read from the ledger itself."""

    median: Decimal | None  # the median secured amount of the standing registrations
    holders: int  # holders with at least one standing registration


def ledger_figures(start: datetime.date, end: datetime.date) -> LedgerFigures:
    """The median loan and the number of holders financed over the registrations of the
    period that stand (not reversed): two queries over the ledger once per ledger version,
    then cached until the next entry commits."""
    key = f"pledges:figures:{ledger_version()}:{start}:{end}"
    cached = cache.get(key)
    if cached is not None:
        median_text, holders = cached
        return LedgerFigures(None if median_text == "" else Decimal(median_text), holders)
    standing = PledgeLedgerEntry.objects.filter(
        kind=LedgerEntryKind.REGISTRATION,
        registered_on__gte=start,
        registered_on__lte=end,
        reversed_by__isnull=True,
    )
    counted = standing.aggregate(entries=Count("pk"), holders=Count("holder_id", distinct=True))
    count = counted["entries"]
    median: Decimal | None = None
    if count:
        ordered = standing.order_by("amount").values_list("amount", flat=True)
        if count % 2:
            median = ordered[count // 2]
        else:
            low, high = list(ordered[count // 2 - 1 : count // 2 + 1])
            median = ((low + high) / 2).quantize(CENT)
    figures = LedgerFigures(median=median, holders=counted["holders"])
    cache.set(key, ("" if median is None else str(median), figures.holders), 24 * 3600)
    return figures


def median_loan(start: datetime.date, end: datetime.date) -> Decimal | None:
    """The median secured amount of the period's standing registrations (cached)."""
    return ledger_figures(start, end).median


# --- verification -----------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    month: str
    dimension: str
    key: str
    stored: tuple[Decimal, int]
    expected: tuple[Decimal, int]


def _lock_stats_for_verify(*, fix: bool) -> None:
    """Hold off ledger writers while the ledger is summed and compared with the stored rows.

    A writer inserts its entry, then updates the stat rows, then commits. Without a lock a
    verify could sum the ledger before a writer commits and read the rows after, report a
    drift that is not there and, with `fix`, write the stale sum over the right one. With
    this table lock (PostgreSQL) the verify waits for writers that have touched the rows to
    commit, and later writers wait for the verify at their first stat write, with their
    entry still invisible to it. SHARE lets two verifies read at once; a fix takes the
    self-exclusive SHARE ROW EXCLUSIVE. (SQLite: a transaction reads one snapshot and
    writers are serialised anyway.)"""
    if connection.vendor != "postgresql":
        return
    mode = "SHARE ROW EXCLUSIVE" if fix else "SHARE"
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {PledgeStat._meta.db_table} IN {mode} MODE")


def ledger_verify(*, fix: bool = False) -> list[Drift]:
    """Recompute every aggregate from the ledger and compare with the stored rows; with
    `fix`, rewrite the drifting rows. Ledger writers wait while it runs (see
    `_lock_stats_for_verify`), so what it reports and repairs is one consistent state."""
    with transaction.atomic():
        _lock_stats_for_verify(fix=fix)
        expected: dict[tuple[str, str, str], list[Any]] = defaultdict(lambda: [Decimal(0), 0])
        entries = (
            PledgeLedgerEntry.objects.order_by()
            .values_list(
                "registered_on",
                "kind",
                "amount",
                "district",
                "bank_id",
                "asset_kind",
                "industry",
            )
            .iterator(chunk_size=5000)
        )
        for day, kind, amount, district, bank_id, asset_kind, industry in entries:
            month = month_of(day)
            step = 1 if kind == LedgerEntryKind.REGISTRATION else -1
            keys = _keys_of(
                district=district,
                bank_id=bank_id,
                asset_kind=asset_kind,
                industry=industry,
            )
            for dimension, key in keys.items():
                cell = expected[(month, dimension, key)]
                cell[0] += amount
                cell[1] += step
        stored = {(row.month, row.dimension, row.key): row for row in PledgeStat.objects.order_by()}
        drifts: list[Drift] = []
        for cell_key in sorted(set(expected) | set(stored)):
            want = tuple(expected.get(cell_key, [Decimal(0), 0]))
            row = stored.get(cell_key)
            have = (row.amount, row.count) if row else (Decimal(0), 0)
            if Decimal(have[0]) != Decimal(want[0]) or have[1] != want[1]:
                drifts.append(Drift(*cell_key, stored=have, expected=(want[0], want[1])))
        if fix and drifts:
            # In bulk: rebuilding from nothing (a restore, the benchmark) rewrites every row.
            # The lock keeps writers from creating any of the missing rows meanwhile.
            changed, missing = [], []
            for drift in drifts:
                row = stored.get((drift.month, drift.dimension, drift.key))
                if row is None:
                    row = PledgeStat(month=drift.month, dimension=drift.dimension, key=drift.key)
                    missing.append(row)
                else:
                    changed.append(row)
                row.amount, row.count = drift.expected
            PledgeStat.objects.bulk_update(changed, ["amount", "count"], batch_size=1000)
            PledgeStat.objects.bulk_create(missing, batch_size=1000)
            transaction.on_commit(_bump_version)
    return drifts
