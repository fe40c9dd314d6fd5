"""Calendar arithmetic the domain needs: loan terms in months, working days for SLAs."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus whole months, clamped to the month's last day (31 Jan + 1 → 28/29 Feb),
    as loan contracts count a term in months."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Monday–Friday days after `start` up to and including `end` (0 if end ≤ start).

    Public holidays and the make-up working weekends of the Chinese calendar are not
    modelled: the SLA highlight errs by a day around them."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    weekday = start.weekday()
    for offset in range(1, rest + 1):
        if (weekday + offset) % 7 < 5:
            count += 1
    return count
