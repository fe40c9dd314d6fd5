"""Running the demo's history on its own days.

Each step of the demo (an organisation verified, a listing published, a loan disbursed)
runs through the same services a user's request does, on the day the demo says it
happened: the clock is moved there for the step, so every timestamp the services write
(created, submitted, audit rows, notices, the ledger's entry) and every date rule they
check ("not in the future", "after the contract") holds as it would have on that day.
"""

import datetime
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.utils import timezone

DAY_STARTS = datetime.time(9, 0)
STEP = datetime.timedelta(seconds=20)  # between two steps of one day, in the order they run


class DemoClock:
    """Moves the clock to a demo day for each step. The steps of one day are stamped 09:00,
    09:00:20, … in the order they run, so histories read in order; a moment that has not
    come yet runs now (the demo never writes the future)."""

    def __init__(self) -> None:
        self._steps: Counter[datetime.date] = Counter()

    @contextmanager
    def on(self, day: datetime.date) -> Iterator[None]:
        moment = datetime.datetime.combine(day, DAY_STARTS, tzinfo=ZoneInfo(settings.TIME_ZONE))
        moment += self._steps[day] * STEP
        self._steps[day] += 1
        if moment >= timezone.now():
            yield
            return
        with time_machine.travel(moment, tick=True):
            yield
