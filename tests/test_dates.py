"""Calendar arithmetic: loan terms in months (clamped to the month's end) and working days
(Monday–Friday) for the review SLA; examples and hypothesis properties."""

import calendar
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.dates import add_months, working_days_between

D = datetime.date

pytestmark = pytest.mark.date_sensitive
days = st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31))
months = st.integers(min_value=-1200, max_value=1200)


# --- add_months ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (D(2026, 1, 15), 1, D(2026, 2, 15)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # clamped to the month's last day
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 11, 30), 2, D(2027, 1, 30)),  # across the year
        (D(2026, 12, 31), 1, D(2027, 1, 31)),
        (D(2026, 5, 10), 0, D(2026, 5, 10)),
        (D(2026, 5, 10), 120, D(2036, 5, 10)),  # the longest loan term
        (D(2026, 1, 31), -1, D(2025, 12, 31)),  # backwards too
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 1, 1), -13, D(2024, 12, 1)),
    ],
)
def test_add_months_examples(day, n, expected):
    assert add_months(day, n) == expected


@given(day=days, n=months)
def test_add_months_lands_in_the_right_month(day, n):
    result = add_months(day, n)
    assert result.year * 12 + result.month == day.year * 12 + day.month + n


@given(day=days, n=months)
def test_add_months_keeps_the_day_or_clamps_to_the_months_end(day, n):
    result = add_months(day, n)
    last = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(day.day, last)
    if day.day <= 28:
        assert result.day == day.day


@given(day=days, a=months, b=months)
def test_add_months_is_monotonic(day, a, b):
    low, high = sorted((a, b))
    assert add_months(day, low) <= add_months(day, high)


@given(day=days, n=st.integers(min_value=1, max_value=1200))
def test_a_term_always_ends_later(day, n):
    assert add_months(day, n) > day
    assert add_months(day, -n) < day


@given(day=days.filter(lambda d: d.day <= 28), a=months, b=months)
def test_add_months_composes_when_no_clamping_happens(day, a, b):
    assert add_months(add_months(day, a), b) == add_months(day, a + b)


@given(day=days, n=months)
def test_add_months_undoes_when_the_day_fits_every_month(day, n):
    result = add_months(day, n)
    if result.day == day.day:
        assert add_months(result, -n) == day


# --- working_days_between ------------------------------------------------------------------


def brute_force(start: datetime.date, end: datetime.date) -> int:
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        count += day.weekday() < 5
    return count


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 3, 2), D(2026, 3, 2), 0),  # Monday → the same Monday
        (D(2026, 3, 2), D(2026, 3, 3), 1),  # Monday → Tuesday
        (D(2026, 3, 6), D(2026, 3, 9), 1),  # Friday → Monday: the weekend does not count
        (D(2026, 3, 6), D(2026, 3, 8), 0),  # Friday → Sunday
        (D(2026, 3, 7), D(2026, 3, 8), 0),  # Saturday → Sunday
        (D(2026, 3, 2), D(2026, 3, 9), 5),  # a whole week
        (D(2026, 3, 2), D(2026, 3, 30), 20),
        (D(2026, 3, 9), D(2026, 3, 2), 0),  # end before start
        (D(2025, 12, 31), D(2026, 1, 2), 2),  # across the year (holidays not modelled)
    ],
)
def test_working_days_examples(start, end, expected):
    assert working_days_between(start, end) == expected


spans = st.integers(min_value=-60, max_value=800)


@given(start=days, span=spans)
def test_working_days_agree_with_counting_them_one_by_one(start, span):
    end = start + datetime.timedelta(days=span)
    assert working_days_between(start, end) == brute_force(start, end)


@given(start=days, a=st.integers(0, 400), b=st.integers(0, 400))
def test_working_days_add_up(start, a, b):
    middle = start + datetime.timedelta(days=a)
    end = middle + datetime.timedelta(days=b)
    assert working_days_between(start, end) == (
        working_days_between(start, middle) + working_days_between(middle, end)
    )


@given(start=days, span=st.integers(0, 2000))
def test_working_days_are_five_a_week(start, span):
    end = start + datetime.timedelta(days=span)
    count = working_days_between(start, end)
    weeks = span // 7
    assert 5 * weeks <= count <= 5 * weeks + 5
    assert count <= span
    assert working_days_between(start, start + datetime.timedelta(weeks=weeks)) == 5 * weeks


@given(start=days, span=st.integers(1, 400))
def test_working_days_never_decrease_as_the_end_moves_on(start, span):
    end = start + datetime.timedelta(days=span)
    before = working_days_between(start, end - datetime.timedelta(days=1))
    after = working_days_between(start, end)
    assert after - before == (1 if end.weekday() < 5 else 0)
