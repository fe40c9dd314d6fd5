"""The action plan's indicator board: each 2025 target with its current value and source.

Where the platform holds the facts it counts them itself (verified service institutions,
patent and trademark agencies in the directory; registered pledge financing in the ledger);
every other figure is the newest value staff entered, with its source and date.

`indicator_board` reads a fixed number of queries whatever the number of indicators and
values: the indicators, the newest value of every staff-entered one, one grouped count
over the organisations, and the ledger's maintained aggregates for the plan's period.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.i18n import local_name, localized, yuan_for_reader
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

MONEY_UNIT = "元"
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
    def is_money(self) -> bool:
        return self.indicator.unit == MONEY_UNIT

    def _quantity(self, amount: Decimal) -> str:
        if self.is_money:
            return yuan_for_reader(amount)
        number = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
        return f"{number} {self.unit}"

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
        if not indicator.computed:
            value = latest.get(indicator.pk)
            if value is None:
                source, day = "", None
            else:
                current, source, day = value.value, value.source, value.as_of
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
