"""How far the city is toward its pledge-financing goal: one read of the maintained
aggregates (marketplace.pledges.ledger), shared by the dashboard page and the public JSON.

The cost is a fixed handful of queries over rows bounded by months × keys (the goal, the
aggregates, the bank names, the latest entry) plus the median and the holders financed,
cached per ledger version: it does not grow with the number of ledger entries.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from listings.models import AssetKind, Industry
from marketplace.dates import add_months
from marketplace.i18n import localized
from marketplace.money import CENT
from marketplace.parties.districts import District, in_l_belt
from marketplace.parties.models import Organization

from .ledger import ledger_figures, month_of, stats_between
from .models import Goal, PledgeLedgerEntry, PledgeStat


def choose_current_goal(goals: list[Goal], *, today: datetime.date) -> Goal | None:
    """Of `goals` (newest start first): the one whose period contains today; else the
    latest that has started (the action plan's 2023–2025 goal until staff add the next);
    else the first one to come."""
    return (
        next((g for g in goals if g.start <= today <= g.end), None)
        or next((g for g in goals if g.start <= today), None)
        or (goals[-1] if goals else None)
    )


def all_goals() -> list[Goal]:
    """Every goal, newest start first (staff add a few over the years: one short query)."""
    return list(Goal.objects.order_by("-start", "-pk"))


def current_goal(*, today: datetime.date | None = None) -> Goal | None:
    """The goal the home page and the dashboard show by default (see choose_current_goal)."""
    return choose_current_goal(all_goals(), today=today or timezone.localdate())


def registered_between(start: datetime.date, end: datetime.date) -> Decimal:
    """The registered pledge financing of the months of [start, end], from the maintained
    "total" aggregate rows (one query, at most one row a month), rounded to the fen."""
    total = PledgeStat.objects.filter(
        dimension="total", month__gte=month_of(start), month__lte=month_of(end)
    ).aggregate(amount=Sum("amount"))["amount"]
    return Decimal(total or 0).quantize(CENT, ROUND_HALF_UP)


def percent_of(amount: Decimal, target: Decimal) -> Decimal:
    return (amount * 100 / target).quantize(CENT, ROUND_HALF_UP)


def goal_headline(*, goal: Goal) -> dict[str, Any]:
    """What the home page's bar shows (the goal, the amount registered, the percentage):
    one query, where `pledge_progress` reads everything the dashboard shows."""
    registered = registered_between(goal.start, goal.end)
    return {
        "goal": goal,
        "registered_amount": registered,
        "percent": percent_of(registered, goal.target),
    }


def months_between(start: datetime.date, end: datetime.date) -> list[str]:
    """ "YYYY-MM" of every month from start's to end's, inclusive."""
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(month_of(day))
        day = add_months(day, 1)
    return months


@dataclass(frozen=True)
class Projection:
    """Where the goal ends at the pace so far (a straight line through the months elapsed)."""

    monthly_pace: Decimal  # yuan per month so far
    projected_total: Decimal  # at the end of the period, at that pace
    will_reach: bool
    reach_month: str | None  # "YYYY-MM" the cumulative sum reaches the target, at that pace


def project(
    *,
    target: Decimal,
    registered: Decimal,
    months_elapsed: int,
    months_total: int,
    start: datetime.date,
) -> Projection:
    """Linear projection: pace = registered / months elapsed; the target is reached in
    month ⌈target / pace⌉ counted from the period's first month (1 = the first month).
    Worked example: ¥1.2bn over 36 months, ¥400m after 12 → pace ¥33.33m, projected
    ¥1.2bn at month 36: reached in 2025-12 for a 2023-01 start."""
    if months_elapsed <= 0 or registered <= 0:
        return Projection(Decimal(0), Decimal(0), False, None)
    pace = registered / months_elapsed
    projected = (pace * months_total).quantize(CENT, ROUND_HALF_UP)
    if registered >= target:
        needed = months_elapsed
        # reached already: find nothing finer without the monthly series; the caller
        # replaces it with the actual month.
    else:
        needed = int(
            (target * months_elapsed / registered).to_integral_value(rounding="ROUND_CEILING")
        )
    reach = month_of(add_months(start.replace(day=1), needed - 1))
    return Projection(
        monthly_pace=pace.quantize(CENT, ROUND_HALF_UP),
        projected_total=projected,
        will_reach=needed <= months_total,
        reach_month=reach,
    )


def _rows(cells: dict[str, tuple[Decimal, int]], labels: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [
        {"key": key, "label": str(labels.get(key, key)), "amount": amount, "count": count}
        for key, (amount, count) in cells.items()
        if count or amount
    ]
    return sorted(rows, key=lambda row: (-row["amount"], row["key"]))


def pledge_progress(*, goal: Goal, today: datetime.date | None = None) -> dict[str, Any]:
    """Everything the dashboard and /api/v1/stats/pledge-progress/ show, as Decimals
    and plain values (the API turns amounts into strings)."""
    today = today or timezone.localdate()
    stats = stats_between(goal.start, goal.end)
    registered, count = stats.get("total", {}).get("", (Decimal(0), 0))
    registered = Decimal(registered)
    target = goal.target
    months = months_between(goal.start, goal.end)
    # Months that have started (all of them once the period is over).
    current = month_of(min(today, goal.end))
    elapsed = len([m for m in months if m <= current]) if today >= goal.start else 0

    by_month, cumulative = [], Decimal(0)
    monthly = stats.get("month", {})
    for index, month in enumerate(months, start=1):
        amount, n = monthly.get(month, (Decimal(0), 0))
        cumulative += amount
        path = (target * index / len(months)).quantize(CENT, ROUND_HALF_UP)
        by_month.append(
            {
                "month": month,
                "amount": Decimal(amount),
                "count": n,
                "cumulative": cumulative if month <= current else None,
                "path": path,
            }
        )
    projection = project(
        target=target,
        registered=registered,
        months_elapsed=elapsed,
        months_total=len(months),
        start=goal.start,
    )
    if registered >= target:
        reached = next(
            (row["month"] for row in by_month if (row["cumulative"] or 0) >= target), None
        )
        projection = Projection(projection.monthly_pace, projection.projected_total, True, reached)

    bank_cells = stats.get("bank", {})
    banks = Organization.objects.filter(
        pk__in=[int(k) for k in bank_cells if k.isdigit()]
    ).values_list("pk", "name", "name_en")
    # In the reader's language, as the district, kind and industry labels are.
    by_bank = _rows(bank_cells, {str(pk): localized(name, en) for pk, name, en in banks})
    by_district = _rows(stats.get("district", {}), dict(District.choices))
    for row in by_district:
        row["in_l_belt"] = in_l_belt(row["key"])
    figures = ledger_figures(goal.start, goal.end)
    latest = PledgeLedgerEntry.objects.order_by("-pk").values_list("created_at", flat=True).first()
    return {
        "goal": goal,
        "registered_amount": registered,
        "percent": percent_of(registered, target),
        "remaining": max(target - registered, Decimal(0)),
        "count": count,
        "holders": figures.holders,
        "average": (registered / count).quantize(CENT, ROUND_HALF_UP) if count else None,
        "median": figures.median,
        "by_month": by_month,
        "by_district": by_district,
        "by_bank": by_bank,
        "by_kind": _rows(stats.get("kind", {}), dict(AssetKind.choices)),
        "by_industry": _rows(stats.get("industry", {}), dict(Industry.choices)),
        "projection": projection,
        "months_elapsed": elapsed,
        "started": today >= goal.start,
        "period_over": today > goal.end,
        "as_of": latest,
    }
