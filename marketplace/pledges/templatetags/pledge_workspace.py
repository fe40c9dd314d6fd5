"""Template helpers for the holder's side of pledge financing: what the holder does next,
the transitions offered as buttons, money and rates as people read them. No queries.

The names carry "pledge"/"holder" so that a page loading listing_workspace or pledge_bank
too (the workspace home) gets each library's own `next_step`, `holder_actions`, `yuan`."""

from dataclasses import dataclass
from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from marketplace.money import format_yuan_or_dash

from ..models import PledgeApplication, PledgeState
from ..services import EDITABLE_STATES

register = template.Library()

# What the holder does (or waits for) next, by state; approved, disbursed and overdue name
# the bank's figures and are written out in `next_step`. Finished files have none.
NEXT_STEPS: dict[str, Promise] = {
    PledgeState.DRAFT: gettext_lazy("Complete the application and submit it to the bank"),
    PledgeState.SUBMITTED: gettext_lazy("Waiting for the bank to start its review"),
    PledgeState.UNDER_REVIEW: gettext_lazy("The bank is reviewing the application"),
    PledgeState.RETURNED: gettext_lazy("Answer the bank's questions and resubmit"),
    PledgeState.CONTRACT_SIGNED: gettext_lazy("Waiting for the bank to register the pledge"),
    PledgeState.REGISTERED: gettext_lazy("Waiting for the bank to disburse the loan"),
    PledgeState.REPAID: gettext_lazy("Waiting for the bank to release the pledge"),
    PledgeState.DEFAULTED: gettext_lazy(
        "The bank declared the loan in default; contact the bank about the pledged assets"
    ),
}

# The transitions a member of the applicant runs from the workspace, in button order.
HOLDER_ACTIONS: tuple[tuple[str, Promise], ...] = (
    ("submit", gettext_lazy("Submit to the bank")),
    ("resubmit", gettext_lazy("Resubmit to the bank")),
    ("withdraw", gettext_lazy("Withdraw the application")),
    ("cancel", gettext_lazy("Cancel the loan")),
)


@dataclass(frozen=True)
class HolderAction:
    name: str
    label: str
    url: str


@register.filter
def pledge_yuan(amount: Decimal | None) -> str:
    """¥1,234,567.00, or a dash when there is no amount (yet)."""
    return format_yuan_or_dash(amount)


@register.filter
def pledge_rate(annual_rate: Decimal | None) -> str:
    """3.85%, or a dash."""
    return "—" if annual_rate is None else f"{annual_rate}%"


@register.filter
def holder_next_step(application: PledgeApplication) -> str:
    """The holder's next step in the application's state ("" once it is finished)."""
    state = application.state
    if state == PledgeState.APPROVED:
        return _(
            "The bank offered %(amount)s at %(rate)s a year for %(months)s months; "
            "sign the loan and pledge contracts with the bank"
        ) % {
            "amount": format_yuan_or_dash(application.approved_amount),
            "rate": pledge_rate(application.annual_rate),
            "months": application.loan_term_months,
        }
    if state == PledgeState.DISBURSED:
        if application.maturity_date is None:
            return _("Repay the loan when it matures")
        return _("Repay by %(date)s") % {"date": application.maturity_date.isoformat()}
    if state == PledgeState.OVERDUE:
        return _("The loan is overdue: repay it and contact the bank")
    return str(NEXT_STEPS.get(state, ""))


@register.filter
def pledge_holder_actions(application: PledgeApplication) -> list[HolderAction]:
    """The holder transitions possible from the application's state (no query)."""
    return [
        HolderAction(
            name=name,
            label=str(label),
            url=reverse(f"pledges:workspace_{name}", args=[application.pk]),
        )
        for name, label in HOLDER_ACTIONS
        if can_proceed(getattr(application, name))
    ]


@register.filter
def pledge_editable(application: PledgeApplication) -> bool:
    """A draft, or a file the bank returned for information."""
    return application.state in EDITABLE_STATES
