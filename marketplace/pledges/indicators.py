"""The action plan's indicator board: each 2025 target with its current value and source.

Where the platform holds the facts it counts them itself (verified service institutions,
patent and trademark agencies in the directory; registered pledge financing in the ledger);
every other figure is the newest value staff entered, with its source and date. Who reports
each of those figures, and how often, is data here (`REPORTING`): the board says whom a
missing figure is waiting for and when the next one is expected.

`indicator_board` reads a fixed number of queries whatever the number of indicators and
values: the indicators, the newest value of every staff-entered one, one grouped count
over the organisations, and the ledger's maintained aggregates for the plan's period.
"""

import calendar
import datetime
import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from marketplace.dates import add_months
from marketplace.i18n import local_name, localized, reading_english, yuan_for_reader
from marketplace.money import CENT
from marketplace.parties.models import (
    SERVICE_INSTITUTION_KINDS,
    Organization,
    OrganizationKind,
    User,
    VerificationState,
)

from .indicator_models import Indicator, IndicatorSource, IndicatorValue
from .progress import registered_between

PLEDGE_FINANCING = "pledge_financing"
# 《郑州市知识产权服务业发展三年行动计划(2023-2025年)》: its targets are for 2025 and its
# pledge financing counts what is registered over the three years.
PLAN_START = datetime.date(2023, 1, 1)
PLAN_END = datetime.date(2025, 12, 31)

# Computed from the directory: how each indicator picks its verified organisations, and
# what the board says the figure is.
ORGANIZATION_COUNTS: dict[str, tuple[Q, Promise]] = {
    "service_institutions": (
        Q(kind__in=sorted(SERVICE_INSTITUTION_KINDS)),
        gettext_lazy(
            "Verified service institutions (appraisal firms, patent and trademark agencies, "
            "law firms) in the platform's directory"
        ),
    ),
    "patent_agencies": (
        Q(kind=OrganizationKind.PATENT_AGENCY),
        gettext_lazy("Verified patent agencies in the platform's directory"),
    ),
    "trademark_agencies": (
        Q(kind=OrganizationKind.TRADEMARK_AGENCY),
        gettext_lazy("Verified trademark agencies in the platform's directory"),
    ),
}
COMPUTED_CODES = frozenset({*ORGANIZATION_COUNTS, PLEDGE_FINANCING})


# --- who reports the figures the platform cannot count itself, and how often ---------------


class Cadence(enum.Enum):
    """How often the responsible department reports an indicator: the figure describes the
    last day of each period and is due within `lag_months` of it."""

    QUARTERLY = (3, 1)  # as of each quarter's last day, due by the end of the next month
    YEARLY = (12, 3)  # as of 31 December, due by the end of March

    def __init__(self, months: int, lag_months: int) -> None:
        self.months = months
        self.lag_months = lag_months

    @property
    def label(self) -> str:
        labels = {Cadence.QUARTERLY: _("Reported quarterly"), Cadence.YEARLY: _("Reported yearly")}
        return labels[self]

    def period_end_on_or_before(self, day: datetime.date) -> datetime.date:
        """The last day of the latest period that has ended by `day` (inclusive)."""
        month = (day.month // self.months) * self.months  # 0 … 12
        candidate = (
            datetime.date(day.year, month, calendar.monthrange(day.year, month)[1])
            if month
            else datetime.date(day.year - 1, 12, 31)
        )
        if candidate > day:  # only when day is inside that month: step back one period
            candidate = _month_end(add_months(candidate.replace(day=1), -self.months))
        return candidate

    def next_period_end(self, day: datetime.date) -> datetime.date:
        """The last day of the first period that ends after `day`."""
        return _month_end(add_months(self.period_end_on_or_before(day).replace(day=1), self.months))

    def due(self, period_end: datetime.date) -> datetime.date:
        """The day the figure as of `period_end` should be reported by."""
        return _month_end(add_months(period_end.replace(day=1), self.lag_months))


def _month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


# The departments that hold the figures (the names read in the reader's language; in
# Chinese the short forms a statistics table uses).
MARKET_REGULATION = pgettext_lazy(
    "reporting department",
    "Zhengzhou Administration for Market Regulation (Intellectual Property Office)",
)
COPYRIGHT_BUREAU = pgettext_lazy(
    "reporting department",
    "Zhengzhou Copyright Bureau (Publicity Department of the CPC Zhengzhou Committee)",
)
HUMAN_RESOURCES = pgettext_lazy(
    "reporting department", "Zhengzhou Human Resources and Social Security Bureau"
)


@dataclass(frozen=True)
class Reporting:
    """Who reports a staff-entered indicator and how often."""

    reporter: Promise
    cadence: Cadence


# Every staff-entered indicator of the plan (the codes of migration pledges.0005). The
# directory counts and the ledger are computed; copyright demonstration units are named
# by the copyright administration (the Publicity Department), talents by human resources,
# everything else by the market regulator, which runs the IP office.
REPORTING: dict[str, Reporting] = {
    "patent_navigation_bases": Reporting(MARKET_REGULATION, Cadence.YEARLY),
    "national_copyright_parks": Reporting(COPYRIGHT_BUREAU, Cadence.YEARLY),
    "provincial_copyright_units": Reporting(COPYRIGHT_BUREAU, Cadence.YEARLY),
    "protection_workstations": Reporting(MARKET_REGULATION, Cadence.QUARTERLY),
    "ip_strong_enterprises": Reporting(MARKET_REGULATION, Cadence.YEARLY),
    "national_brand_institutions": Reporting(MARKET_REGULATION, Cadence.YEARLY),
    "platforms_and_leaders": Reporting(MARKET_REGULATION, Cadence.YEARLY),
    "patent_attorneys": Reporting(MARKET_REGULATION, Cadence.QUARTERLY),
    "high_level_talents": Reporting(HUMAN_RESOURCES, Cadence.YEARLY),
    "entrepreneurs": Reporting(HUMAN_RESOURCES, Cadence.YEARLY),
}
# An indicator staff add later without an entry above: the IP office collects it yearly.
DEFAULT_REPORTING = Reporting(MARKET_REGULATION, Cadence.YEARLY)


@dataclass(frozen=True)
class NextReport:
    """The next figure expected of a staff-entered indicator: the date it will describe and
    the date it is due; `overdue` once that has passed without it."""

    period_end: datetime.date
    due: datetime.date
    overdue: bool


def next_report(
    cadence: Cadence, *, latest: datetime.date | None, today: datetime.date
) -> NextReport:
    """The figure for the first period after the latest one reported or, with none
    reported yet, for the latest period that has ended by today."""
    period_end = (
        cadence.period_end_on_or_before(today)
        if latest is None
        else cadence.next_period_end(latest)
    )
    due = cadence.due(period_end)
    return NextReport(period_end=period_end, due=due, overdue=due < today)


MONEY_UNIT = "元"
# The English units of pledges.0005 are plurals; one of them reads in the singular.
ENGLISH_SINGULAR = {
    "bases": "base",
    "parks": "park",
    "units": "unit",
    "workstations": "workstation",
    "enterprises": "enterprise",
    "institutions": "institution",
    "agencies": "agency",
    "platforms and enterprises": "platform or enterprise",
    "attorneys": "attorney",
    "professionals": "professional",
    "entrepreneurs": "entrepreneur",
}
TENTH = Decimal("0.1")
MAX_VALUE = Decimal(10) ** 16  # max_digits=18, decimal_places=2


@dataclass(frozen=True)
class IndicatorRow:
    """One line of the board. `current` is None when there is no figure yet (no value
    entered, no goal to count pledge financing toward); so is `progress` then."""

    indicator: Indicator
    target: Decimal
    current: Decimal | None
    progress: Decimal | None  # percent of the target, one decimal; above 100 when exceeded
    source: str
    as_of: datetime.date | None  # the date the current figure describes
    computed: bool
    reporting: Reporting | None = None  # staff-entered indicators: who reports, how often
    next_report: NextReport | None = None  # staff-entered indicators: the next figure due

    # --- what the templates show, in the language of the moment -------------------------

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def name(self) -> str:
        return local_name(self.indicator)

    @property
    def unit(self) -> str:
        return localized(self.indicator.unit, self.indicator.unit_en)

    @property
    def reporter(self) -> str:
        return "" if self.reporting is None else str(self.reporting.reporter)

    @property
    def cadence_label(self) -> str:
        return "" if self.reporting is None else self.reporting.cadence.label

    @property
    def is_money(self) -> bool:
        return self.indicator.unit == MONEY_UNIT

    def _quantity(self, amount: Decimal) -> str:
        if self.is_money:
            return yuan_for_reader(amount)
        number = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
        unit = self.unit
        if amount == 1 and reading_english():
            unit = ENGLISH_SINGULAR.get(unit, unit)  # "1 agency", not "1 agencies"
        return f"{number} {unit}"

    @property
    def target_display(self) -> str:
        return self._quantity(self.target)

    @property
    def current_display(self) -> str:
        return "" if self.current is None else self._quantity(self.current)

    @property
    def bar_value(self) -> Decimal:
        """The progress bar's fill: the percentage, capped at a full bar."""
        return min(self.progress or Decimal(0), Decimal(100))


def progress_percent(current: Decimal | None, target: Decimal) -> Decimal | None:
    if current is None or not target:
        return None
    return (current * 100 / target).quantize(TENTH, rounding=ROUND_HALF_UP)


def _latest_values(indicator_ids: list[int], as_of: datetime.date) -> dict[int, IndicatorValue]:
    """The newest value (by the date it describes, then by entry) of each indicator, in
    one query: a correlated subquery picks each row's newest sibling, which SQLite and
    PostgreSQL both run off the (indicator, as_of, created_at, id) index."""
    if not indicator_ids:
        return {}
    newest = (
        IndicatorValue.objects.filter(indicator=OuterRef("indicator"), as_of__lte=as_of)
        .order_by("-as_of", "-created_at", "-pk")
        .values("pk")[:1]
    )
    rows = IndicatorValue.objects.filter(
        indicator_id__in=indicator_ids, pk=Subquery(newest)
    ).order_by()
    return {row.indicator_id: row for row in rows}


def _organization_counts(codes: list[str], as_of: datetime.date | None) -> dict[str, int]:
    """Every directory count in one grouped query over the verified organisations."""
    if not codes:
        return {}
    verified = Organization.objects.filter(verification_state=VerificationState.VERIFIED)
    if as_of is not None:
        # A past date counts only those verified by then (rows verified before the
        # platform kept the time have none and count throughout).
        next_day = datetime.datetime.combine(
            as_of + datetime.timedelta(days=1),
            datetime.time(),
            tzinfo=timezone.get_current_timezone(),
        )
        verified = verified.filter(Q(verified_at__isnull=True) | Q(verified_at__lt=next_day))
    counts = verified.aggregate(
        **{code: Count("pk", filter=ORGANIZATION_COUNTS[code][0]) for code in codes}
    )
    return {code: int(counts[code] or 0) for code in codes}


def _pledge_financing(today: datetime.date) -> tuple[Decimal | None, str, datetime.date]:
    """The pledge financing registered in the action plan's period (up to today), from the
    ledger's maintained aggregates (never a sum over the ledger). The board measures the
    plan's 2025 targets, so a later goal staff add does not change this figure."""
    if today < PLAN_START:
        return None, _("The action plan's period has not started yet."), today
    end = min(PLAN_END, today)
    amount = registered_between(PLAN_START, end)
    source = _(
        "Registered pledge financing in the platform's pledge ledger, %(start)s to %(end)s"
    ) % {"start": PLAN_START.isoformat(), "end": end.isoformat()}
    return amount, source, end


def indicator_board(*, as_of: datetime.date | None = None) -> list[IndicatorRow]:
    """Every indicator in order with its target, current value, progress and source, as of
    a date (today by default)."""
    today = as_of or timezone.localdate()
    indicators = list(Indicator.objects.order_by("order", "pk"))
    manual_ids = [i.pk for i in indicators if not i.computed]
    latest = _latest_values(manual_ids, today)
    org_codes = [i.code for i in indicators if i.computed and i.code in ORGANIZATION_COUNTS]
    counts = _organization_counts(org_codes, as_of)
    pledge = (
        _pledge_financing(today)
        if any(i.computed and i.code == PLEDGE_FINANCING for i in indicators)
        else None
    )

    rows = []
    for indicator in indicators:
        current: Decimal | None = None
        day: datetime.date | None = today
        reporting: Reporting | None = None
        expected: NextReport | None = None
        if not indicator.computed:
            value = latest.get(indicator.pk)
            if value is None:
                source, day = "", None
            else:
                current, source, day = value.value, value.source, value.as_of
            reporting = REPORTING.get(indicator.code, DEFAULT_REPORTING)
            expected = next_report(reporting.cadence, latest=day, today=today)
        elif indicator.code in counts:
            current = Decimal(counts[indicator.code])
            source = str(ORGANIZATION_COUNTS[indicator.code][1])
        elif indicator.code == PLEDGE_FINANCING and pledge is not None:
            current, source, day = pledge
        else:
            source = _("No computation is defined for this indicator.")
        rows.append(
            IndicatorRow(
                indicator=indicator,
                target=indicator.target,
                current=current,
                progress=progress_percent(current, indicator.target),
                source=source,
                as_of=day,
                computed=indicator.computed,
                reporting=reporting,
                next_report=expected,
            )
        )
    return rows


def indicator_history(*, indicator: Indicator) -> QuerySet[IndicatorValue]:
    """Every value entered for the indicator, newest first, with who entered it."""
    return (
        IndicatorValue.objects.filter(indicator=indicator)
        .select_related("entered_by")
        .order_by("-as_of", "-created_at", "-pk")
    )


# --- writes ----------------------------------------------------------------------------------


def indicator_value_add(
    *,
    indicator: Indicator,
    by: User,
    value: Decimal,
    as_of: datetime.date,
    source: str,
    note: str = "",
) -> IndicatorValue:
    """Staff record a figure for an indicator the platform cannot count itself. Only active
    staff may; a computed indicator refuses (its figure comes from the platform's records);
    the value is not negative (and whole for a count), describes a date not in the future,
    and names its source. The figure becomes current if it is the newest by date; older
    ones stay as the history."""
    if not (by.is_active and by.is_staff):
        raise PermissionDenied(_("Only platform staff enter indicator values."))
    if indicator.source_kind != IndicatorSource.MANUAL:
        raise ValidationError(
            _(
                "“%(indicator)s” is computed from the platform's own records; "
                "its value cannot be entered by hand."
            )
            % {"indicator": indicator.name},
            code="computed",
        )
    errors: dict[str, list[str]] = {}
    source = (source or "").strip()
    note = (note or "").strip()
    try:
        amount = None if value is None else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        errors["value"] = [_("Enter the value as a number.")]
    elif amount < 0:
        errors["value"] = [_("The value cannot be negative.")]
    elif amount >= MAX_VALUE:
        errors["value"] = [_("The value is too large.")]
    elif amount != amount.quantize(CENT):
        errors["value"] = [_("Enter at most two decimal places.")]
    elif indicator.whole_number and amount != amount.to_integral_value():
        errors["value"] = [_("This indicator counts whole units; enter a whole number.")]
    if as_of is None:
        errors["as_of"] = [_("Enter the date the figure describes.")]
    elif as_of > timezone.localdate():
        errors["as_of"] = [_("The date cannot be in the future.")]
    if not source:
        errors["source"] = [
            _("Say where the figure comes from (a report, a notice, a statistics release).")
        ]
    elif len(source) > 300:
        errors["source"] = [_("Keep the source under 300 characters.")]
    if len(note) > 500:
        errors["note"] = [_("Keep the note under 500 characters.")]
    if errors:
        raise ValidationError(errors)
    assert amount is not None
    return IndicatorValue.objects.create(
        indicator=indicator,
        value=amount.quantize(CENT),
        as_of=as_of,
        source=source,
        note=note,
        entered_by=by,
    )
