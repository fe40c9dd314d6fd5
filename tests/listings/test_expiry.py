"""When each kind of right ends."""

import datetime

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from listings.expiry import add_years, derive_expiry, term_end

D = datetime.date

pytestmark = pytest.mark.date_sensitive


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (D(2003, 5, 10), 20, D(2023, 5, 10)),
        (D(2020, 1, 1), 0, D(2020, 1, 1)),
        (D(2024, 2, 29), 4, D(2028, 2, 29)),
        (D(2024, 2, 29), 1, D(2025, 2, 28)),
        (D(2023, 2, 28), 1, D(2024, 2, 28)),
        (D(2023, 12, 31), 50, D(2073, 12, 31)),
    ],
)
def test_add_years(day: datetime.date, years: int, expected: datetime.date) -> None:
    assert add_years(day, years) == expected


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (D(2003, 5, 10), 20, D(2023, 5, 9)),
        (D(1999, 9, 6), 20, D(2019, 9, 5)),
        (D(2020, 1, 1), 10, D(2029, 12, 31)),
        # The anniversary of 1 March is 1 March, also in a leap year.
        (D(2003, 3, 1), 1, D(2004, 2, 29)),
        (D(2004, 3, 1), 10, D(2014, 2, 28)),
        # 29 February: in a common year the anniversary is 1 March, the term ends 28 February
        # (not 27 February, which would cut the term one day short).
        (D(2004, 2, 29), 10, D(2014, 2, 28)),
        (D(2004, 2, 29), 20, D(2024, 2, 28)),
        (D(2004, 2, 29), 1, D(2005, 2, 28)),
        (D(2004, 2, 28), 10, D(2014, 2, 27)),
    ],
)
def test_term_end(start: datetime.date, years: int, expected: datetime.date) -> None:
    assert term_end(start, years) == expected


@pytest.mark.parametrize(
    ("kind", "filing_date", "grant_date", "renewals", "expected"),
    [
        # Invention: 20 years from filing, whatever the grant date.
        ("invention", D(2003, 5, 10), None, 0, D(2023, 5, 9)),
        ("invention", D(2003, 5, 10), D(2006, 8, 1), 0, D(2023, 5, 9)),
        ("invention", D(2004, 2, 29), None, 0, D(2024, 2, 28)),
        ("invention", None, D(2006, 8, 1), 0, None),
        # Utility model: 10 years from filing.
        ("utility_model", D(2015, 7, 1), D(2016, 1, 5), 0, D(2025, 6, 30)),
        ("utility_model", D(2004, 2, 29), None, 0, D(2014, 2, 28)),
        ("utility_model", None, None, 0, None),
        # Design: 10 years if filed before 2021-06-01, 15 years from then on.
        ("design", D(2021, 5, 31), None, 0, D(2031, 5, 30)),
        ("design", D(2021, 6, 1), None, 0, D(2036, 5, 31)),
        ("design", D(2016, 2, 29), None, 0, D(2026, 2, 28)),
        ("design", D(2024, 2, 29), None, 0, D(2039, 2, 28)),
        ("design", None, None, 0, None),
        # Trademark: 10 years from registration, plus 10 per renewal; filing date irrelevant.
        ("trademark", D(2010, 1, 1), D(2012, 3, 7), 0, D(2022, 3, 6)),
        ("trademark", None, D(2012, 3, 7), 1, D(2032, 3, 6)),
        ("trademark", None, D(2012, 3, 7), 2, D(2042, 3, 6)),
        ("trademark", None, D(2012, 2, 29), 0, D(2022, 2, 28)),
        ("trademark", D(2010, 1, 1), None, 0, None),
        # Software and other works: 31 December of the 50th year.
        ("software_copyright", D(2023, 3, 15), None, 0, D(2073, 12, 31)),
        ("software_copyright", D(2023, 1, 1), D(2024, 6, 1), 0, D(2073, 12, 31)),
        ("software_copyright", None, D(2024, 6, 1), 0, D(2074, 12, 31)),
        ("copyright_work", D(2020, 2, 29), None, 0, D(2070, 12, 31)),
        ("copyright_work", None, None, 0, None),
        # Geographical indications have no fixed end.
        ("geographical_indication", D(2010, 1, 1), D(2011, 1, 1), 0, None),
        ("unknown", D(2010, 1, 1), D(2011, 1, 1), 0, None),
    ],
)
def test_derive_expiry(
    kind: str,
    filing_date: datetime.date | None,
    grant_date: datetime.date | None,
    renewals: int,
    expected: datetime.date | None,
) -> None:
    assert (
        derive_expiry(kind=kind, filing_date=filing_date, grant_date=grant_date, renewals=renewals)
        == expected
    )


def test_renewals_default_to_zero() -> None:
    assert derive_expiry(kind="trademark", filing_date=None, grant_date=D(2012, 3, 7)) == D(
        2022, 3, 6
    )


@settings(max_examples=200, deadline=None)
@given(start=st.dates(D(1985, 1, 1), D(2100, 12, 31)), years=st.integers(1, 60))
@example(start=D(2004, 2, 29), years=10)
@example(start=D(2004, 2, 29), years=20)
def test_term_ends_the_day_before_the_anniversary(start: datetime.date, years: int) -> None:
    """The day after the term's end is the anniversary: same month and day N years on,
    or 1 March for a 29 February start in a common year."""
    next_day = term_end(start, years) + datetime.timedelta(days=1)

    assert next_day.year == start.year + years
    if (start.month, start.day) == (2, 29) and next_day.month == 3:
        assert next_day.day == 1
    else:
        assert (next_day.month, next_day.day) == (start.month, start.day)
