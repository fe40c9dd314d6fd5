"""The pledge dashboard's figures as server-rendered SVG: readable without JavaScript,
with no chart library at all (nothing to vendor). Each chart carries <title> and <desc>
for screen readers, and the page puts its numbers in a table under it.

Geometry is computed in floats (pixels); the amounts shown are formatted from the
Decimals (`marketplace.money.format_yuan`: 亿元/万元 in Chinese, yuan in English).
"""

import math
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marketplace.i18n import yuan_for_reader

register = template.Library()

CENT = Decimal("0.01")


def _px(value: float) -> str:
    return f"{value:.1f}"


def _join(parts: Iterable[str]) -> SafeString:
    # Every part is built with format_html (its values escaped).
    return mark_safe("".join(parts))  # noqa: S308


# --- small filters the progress fragment uses ------------------------------------------


@register.filter
def bar_percent(percent: Decimal | None) -> str:
    """The share of the bar that is filled, 0–100 with two decimals: a goal exceeded
    fills the bar, the text says by how much."""
    value = min(max(percent or Decimal(0), Decimal(0)), Decimal(100))
    return f"{value.quantize(CENT, ROUND_HALF_UP):f}"


@register.filter
def percent_text(percent: Decimal | None) -> str:
    """12.34% — the figure as computed, never localised into 12,34."""
    return f"{(percent or Decimal(0)).quantize(CENT, ROUND_HALF_UP):f}%"


# --- axes -------------------------------------------------------------------------------


def nice_ticks(maximum: Decimal, *, count: int = 4) -> list[Decimal]:
    """0 and about `count` round steps (1, 2, 2.5 or 5 × 10ⁿ) up to at least `maximum`:
    ¥1.2bn → 0, 0.3, 0.6, 0.9, 1.2 亿 × 4."""
    if maximum <= 0:
        return [Decimal(0), Decimal(1)]
    raw = maximum / count
    magnitude = Decimal(10) ** math.floor(math.log10(float(raw)))
    step = next(
        m * magnitude
        for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(3), Decimal(5), Decimal(10))
        if m * magnitude >= raw
    )
    ticks = [Decimal(0)]
    while ticks[-1] < maximum:
        ticks.append(ticks[-1] + step)
    return ticks


def _every(n: int, *, labels: int) -> int:
    return max(1, math.ceil(n / labels))


# --- the cumulative trend against the path to the goal ------------------------------------

LINE_W, LINE_H = 760, 360
LINE_LEFT, LINE_RIGHT, LINE_TOP, LINE_BOTTOM = 124, 24, 56, 64


@register.simple_tag
def cumulative_chart(progress: dict[str, Any], *, chart_id: str = "trend") -> SafeString:
    """A line chart of the cumulative registered amount by month (solid, with dots) against
    the straight-line path to the goal (dashed), the goal as a dotted rule, a legend that
    tells the lines apart by pattern as well as colour."""
    rows: Sequence[dict[str, Any]] = progress["by_month"]
    target: Decimal = progress["goal"].target
    if not rows:
        return SafeString("")
    actual = [row["cumulative"] for row in rows if row["cumulative"] is not None]
    ticks = nice_ticks(max([target, *actual]))
    top_value = ticks[-1]
    plot_w = LINE_W - LINE_LEFT - LINE_RIGHT
    plot_h = LINE_H - LINE_TOP - LINE_BOTTOM
    n = len(rows)

    def x(index: int) -> float:
        return LINE_LEFT + (plot_w * index / (n - 1) if n > 1 else plot_w / 2)

    def y(value: Decimal) -> float:
        return LINE_TOP + plot_h * (1 - float(value / top_value))

    parts: list[str] = []
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    title = _("Cumulative registered pledge financing by month, against the path to the goal")
    last = next((row for row in reversed(rows) if row["cumulative"] is not None), None)
    if last is None:
        desc = _(
            "No month of the period %(start)s to %(end)s has started yet; the path rises "
            "evenly to %(target)s."
        ) % {"start": rows[0]["month"], "end": rows[-1]["month"], "target": yuan_for_reader(target)}
    else:
        desc = _(
            "From %(start)s to %(end)s. Registered by %(month)s: %(actual)s; the straight-line "
            "path to the goal of %(target)s stood at %(path)s that month."
        ) % {
            "start": rows[0]["month"],
            "end": rows[-1]["month"],
            "month": last["month"],
            "actual": yuan_for_reader(last["cumulative"]),
            "target": yuan_for_reader(target),
            "path": yuan_for_reader(last["path"]),
        }
    parts.append(
        format_html(
            '<svg class="chart chart-line" viewBox="0 0 {} {}" role="img" '
            'aria-labelledby="{} {}" xmlns="http://www.w3.org/2000/svg">'
            '<title id="{}">{}</title><desc id="{}">{}</desc>',
            LINE_W,
            LINE_H,
            title_id,
            desc_id,
            title_id,
            title,
            desc_id,
            desc,
        )
    )
    # Legend, above the plot.
    parts.append(
        format_html(
            '<g class="legend" transform="translate({} 18)">'
            '<line class="series-actual" x1="0" y1="0" x2="28" y2="0"/>'
            '<circle class="series-actual-dot" cx="14" cy="0" r="3.5"/>'
            '<text x="36" y="4">{}</text>'
            '<line class="series-path" x1="260" y1="0" x2="288" y2="0"/>'
            '<text x="296" y="4">{}</text>'
            '<line class="goal-rule" x1="0" y1="22" x2="28" y2="22"/>'
            '<text x="36" y="26">{}</text>'
            "</g>",
            LINE_LEFT,
            _("Registered, cumulative (solid)"),
            _("Straight-line path to the goal (dashed)"),
            _("Goal: %(target)s (dotted)") % {"target": yuan_for_reader(target)},
        )
    )
    # Y axis: gridlines and amounts.
    parts.append(
        format_html(
            '<text class="axis-title" x="{}" y="{}" text-anchor="end">{}</text>',
            LINE_LEFT - 8,
            LINE_TOP - 10,
            _("Amount"),
        )
    )
    for tick in ticks:
        parts.append(
            format_html(
                '<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"/>'
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>',
                LINE_LEFT,
                _px(y(tick)),
                LINE_W - LINE_RIGHT,
                _px(y(tick)),
                LINE_LEFT - 8,
                _px(y(tick) + 4),
                yuan_for_reader(tick),
            )
        )
    # X axis: every few months, and the last.
    step = _every(n, labels=7)
    base = LINE_TOP + plot_h
    parts.append(
        format_html(
            '<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>',
            LINE_LEFT,
            base,
            LINE_W - LINE_RIGHT,
            base,
        )
    )
    for index, row in enumerate(rows):
        if index % step and index != n - 1:
            continue
        parts.append(
            format_html(
                '<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>'
                '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                _px(x(index)),
                base,
                _px(x(index)),
                base + 5,
                _px(x(index)),
                base + 20,
                row["month"],
            )
        )
    parts.append(
        format_html(
            '<text class="axis-title" x="{}" y="{}" text-anchor="middle">{}</text>',
            _px(LINE_LEFT + plot_w / 2),
            LINE_H - 12,
            _("Month"),
        )
    )
    # The goal, the path, the registered amount.
    parts.append(
        format_html(
            '<line class="goal-rule" x1="{}" y1="{}" x2="{}" y2="{}"/>',
            LINE_LEFT,
            _px(y(target)),
            LINE_W - LINE_RIGHT,
            _px(y(target)),
        )
    )
    path_points = " ".join(f"{_px(x(i))},{_px(y(row['path']))}" for i, row in enumerate(rows))
    parts.append(format_html('<polyline class="series-path" points="{}"/>', path_points))
    measured = [(i, row) for i, row in enumerate(rows) if row["cumulative"] is not None]
    if measured:
        points = " ".join(f"{_px(x(i))},{_px(y(row['cumulative']))}" for i, row in measured)
        parts.append(format_html('<polyline class="series-actual" points="{}"/>', points))
        parts.append(
            format_html_join(
                "",
                '<circle class="series-actual-dot" cx="{}" cy="{}" r="3"/>',
                ((_px(x(i)), _px(y(row["cumulative"]))) for i, row in measured),
            )
        )
    parts.append("</svg>")
    return _join(parts)


# --- breakdowns: horizontal bars ----------------------------------------------------------

BAR_W = 760
BAR_LEFT, BAR_RIGHT = 8, 220
BAR_ROW, BAR_THICK = 46, 16
BAR_LEGEND = 52


@register.simple_tag
def bar_chart(
    rows: Sequence[dict[str, Any]],
    *,
    chart_id: str,
    title: str,
    highlight: bool = False,
) -> SafeString:
    """Horizontal bars, one a row (its label above the bar, the amount and the number of
    pledges after it), longest first as given. With `highlight`, rows whose `in_l_belt`
    is true are hatched and marked ◆, and a legend says what that means."""
    if not rows:
        return SafeString("")
    top = max((row["amount"] for row in rows), default=Decimal(0))
    top = top if top > 0 else Decimal(1)
    legend_h = BAR_LEGEND if highlight else 0
    height = legend_h + BAR_ROW * len(rows) + 8
    plot_w = BAR_W - BAR_LEFT - BAR_RIGHT
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    leader = rows[0]
    desc = ngettext(
        "%(n)s row; the largest is %(label)s with %(amount)s.",
        "%(n)s rows; the largest is %(label)s with %(amount)s.",
        len(rows),
    ) % {"n": len(rows), "label": leader["label"], "amount": yuan_for_reader(leader["amount"])}
    if highlight:
        belt = sum(1 for row in rows if row.get("in_l_belt"))
        desc += " " + ngettext(
            "%(n)s of them is in the L-shaped IP service belt (marked ◆).",
            "%(n)s of them are in the L-shaped IP service belt (marked ◆).",
            belt,
        ) % {"n": belt}
    parts: list[str] = [
        format_html(
            '<svg class="chart chart-bars" viewBox="0 0 {} {}" role="img" '
            'aria-labelledby="{} {}" xmlns="http://www.w3.org/2000/svg">'
            '<title id="{}">{}</title><desc id="{}">{}</desc>',
            BAR_W,
            height,
            title_id,
            desc_id,
            title_id,
            title,
            desc_id,
            desc,
        )
    ]
    hatch = f"{chart_id}-hatch"
    if highlight:
        parts.append(
            format_html(
                '<defs><pattern id="{}" width="8" height="8" patternUnits="userSpaceOnUse" '
                'patternTransform="rotate(45)">'
                '<rect class="bar-belt" width="8" height="8"/>'
                '<line class="hatch" x1="0" y1="0" x2="0" y2="8"/></pattern></defs>'
                '<g class="legend" transform="translate({} 14)">'
                '<rect class="bar-belt-swatch" x="0" y="-10" width="24" height="14" '
                'fill="url(#{})"/>'
                '<text x="32" y="2">{}</text>'
                '<rect class="bar" x="0" y="14" width="24" height="14"/>'
                '<text x="32" y="26">{}</text>'
                "</g>",
                hatch,
                BAR_LEFT,
                hatch,
                _("◆ In the L-shaped IP service belt (hatched)"),
                _("Other districts (plain)"),
            )
        )
    for index, row in enumerate(rows):
        y0 = legend_h + index * BAR_ROW
        width = max(plot_w * float(row["amount"] / top), 1.0) if row["amount"] > 0 else 0.0
        belt = bool(highlight and row.get("in_l_belt"))
        label = f"◆ {row['label']}" if belt else str(row["label"])
        value = ngettext(
            "%(amount)s · %(count)s pledge", "%(amount)s · %(count)s pledges", row["count"]
        ) % {"amount": yuan_for_reader(row["amount"]), "count": row["count"]}
        parts.append(
            format_html(
                '<g class="bar-row{}">'
                '<text class="bar-label" x="{}" y="{}">{}</text>'
                '<rect class="{}" x="{}" y="{}" width="{}" height="{}"{}/>'
                '<text class="bar-value" x="{}" y="{}">{}</text>'
                "</g>",
                " in-l-belt" if belt else "",
                BAR_LEFT,
                y0 + 16,
                label,
                # not "bar": the stylesheet's fill for plain bars would hide the hatching
                "bar-belt-bar" if belt else "bar",
                BAR_LEFT,
                y0 + 22,
                _px(width),
                BAR_THICK,
                format_html(' fill="url(#{})"', hatch) if belt else "",
                _px(BAR_LEFT + width + 8),
                y0 + 22 + BAR_THICK - 3,
                value,
            )
        )
    parts.append("</svg>")
    return _join(parts)
