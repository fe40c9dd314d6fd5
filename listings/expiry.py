"""When each kind of right ends (Patent Law art. 42, Trademark Law art. 39-40,
Copyright Law art. 23, Regulations on Computer Software Protection art. 14)."""

import datetime

from marketplace.dates import add_months

# The 4th amendment of the Patent Law (in force 2021-06-01) extended designs to 15 years.
DESIGN_15_YEARS_FROM = datetime.date(2021, 6, 1)
TRADEMARK_RENEWAL_YEARS = 10


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` later; 29 February falls back to 28 February."""
    return add_months(day, 12 * years)


def term_end(start: datetime.date, years: int) -> datetime.date:
    """A term of N years counted from `start` ends the day before its N-th anniversary.

    The anniversary of 29 February in a common year is 1 March, so that term ends on
    28 February (add_years already lands there)."""
    anniversary = add_years(start, years)
    if anniversary.day != start.day:
        return anniversary
    return anniversary - datetime.timedelta(days=1)


def derive_expiry(
    *,
    kind: str,
    filing_date: datetime.date | None,
    grant_date: datetime.date | None,
    renewals: int = 0,
) -> datetime.date | None:
    """The last day of protection, or None where the law sets no fixed end (GI products)
    or the date it counts from is not known yet."""
    if kind == "invention":
        return term_end(filing_date, 20) if filing_date else None
    if kind == "utility_model":
        return term_end(filing_date, 10) if filing_date else None
    if kind == "design":
        if not filing_date:
            return None
        return term_end(filing_date, 15 if filing_date >= DESIGN_15_YEARS_FROM else 10)
    if kind == "trademark":
        if not grant_date:
            return None
        return term_end(grant_date, TRADEMARK_RENEWAL_YEARS * (1 + renewals))
    if kind in ("software_copyright", "copyright_work"):
        # A legal person's work: 50 years, ending 31 December of the 50th year after first
        # publication (we count from completion/registration, the date the platform holds).
        start = filing_date or grant_date
        return datetime.date(start.year + 50, 12, 31) if start else None
    return None
