"""Template helpers for the bank's review pages: time in state, the review SLA, the bank's
next step, money. None of them queries the database.

The filters take today's date as an optional argument (`app|sla_breached:today`): a page
computes it once, so every row of a queue is measured against the same day.
"""

import datetime
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketplace.dates import working_days_between
from marketplace.money import format_yuan_or_dash

from ..models import REVIEW_STATES, PledgeApplication, PledgeState

register = template.Library()

# A file waiting for the bank (submitted) or in review longer than this many working days
# is highlighted in the queue.
SLA_WORKING_DAYS = 5

# What the bank does next, by state; finished states have none.
BANK_NEXT_STEPS: dict[str, Promise] = {
    PledgeState.SUBMITTED: _("Claim it to start the review."),
    PledgeState.UNDER_REVIEW: _(
        "Review the file: approve an offer, reject it, or ask the holder for more information."
    ),
    PledgeState.RETURNED: _("Waiting for the holder to answer your questions."),
    PledgeState.APPROVED: _("Record the signed loan and pledge contracts."),
    PledgeState.CONTRACT_SIGNED: _("Register the pledge with the registry and record it here."),
    PledgeState.REGISTERED: _("Record the disbursement of the loan."),
    PledgeState.DISBURSED: _("Record the repayment when the loan is paid back."),
    PledgeState.OVERDUE: _("Record the repayment, or declare the borrower in default."),
    PledgeState.DEFAULTED: _("Dispose of the pledged assets and record it."),
    PledgeState.REPAID: _("Record the release of the pledge registration."),
}


def _today(today: datetime.date | None) -> datetime.date:
    return today if isinstance(today, datetime.date) else timezone.localdate()


def state_since(application: PledgeApplication) -> datetime.date | None:
    """The local date the application entered its state."""
    moment = application.state_changed_at or application.submitted_at or application.created_at
    return timezone.localdate(moment) if moment is not None else None


@register.filter
def days_in_state(application: PledgeApplication, today: datetime.date | None = None) -> int | None:
    """Calendar days since the application entered its state (0 on the day itself)."""
    since = state_since(application)
    return None if since is None else max((_today(today) - since).days, 0)


def working_days_in_state(
    application: PledgeApplication, today: datetime.date | None = None
) -> int | None:
    since = state_since(application)
    return None if since is None else working_days_between(since, _today(today))


@register.filter
def sla_breached(application: PledgeApplication, today: datetime.date | None = None) -> bool:
    """Waiting for the bank (submitted or under review) more than SLA_WORKING_DAYS working
    days (Monday–Friday; holidays are not modelled, see marketplace.dates)."""
    if application.state not in REVIEW_STATES:
        return False
    working = working_days_in_state(application, today)
    return working is not None and working > SLA_WORKING_DAYS


@register.simple_tag
def sla_working_days() -> int:
    return SLA_WORKING_DAYS


@register.filter
def bank_next_step(application: PledgeApplication) -> str:
    return str(BANK_NEXT_STEPS.get(application.state, ""))


@register.filter
def yuan(amount: Decimal | None) -> str:
    """¥1,234,567.00 to the fen, as the bank entered it; a dash when there is none."""
    return format_yuan_or_dash(amount)
