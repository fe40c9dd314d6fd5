"""Template helpers for the holder's workspace: next steps and action buttons of a listing."""

from dataclasses import dataclass
from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from marketplace.money import format_price_exact

from ..models import Listing, ListingState

register = template.Library()

# What the holder does next, by state (the staff and the daily job do the rest).
NEXT_STEPS: dict[str, Promise] = {
    ListingState.DRAFT: _("Complete it and submit it for review"),
    ListingState.PENDING_REVIEW: _("Waiting for review by platform staff"),
    ListingState.PUBLISHED: _("Live on the portal"),
    ListingState.REJECTED: _("Correct it as the review note asks, then resubmit"),
}

# The transitions a member of the holder runs from the workspace, in button order.
HOLDER_ACTIONS: tuple[tuple[str, Promise], ...] = (
    ("submit", _("Submit for review")),
    ("resubmit", _("Resubmit for review")),
    ("withdraw", _("Withdraw from the portal")),
)


@dataclass(frozen=True)
class HolderAction:
    name: str
    label: str
    url: str


@register.filter
def next_step(listing: Listing) -> str:
    return str(NEXT_STEPS.get(listing.state, ""))


@register.filter
def holder_actions(listing: Listing) -> list[HolderAction]:
    """The holder transitions possible from the listing's state (no query)."""
    return [
        HolderAction(
            name=name,
            label=str(label),
            url=reverse(f"listings:workspace_listing_{name}", args=[listing.pk]),
        )
        for name, label in HOLDER_ACTIONS
        if can_proceed(getattr(listing, name))
    ]


@register.filter
def yuan(amount: Decimal | None) -> str:
    """¥1,234,567.00, or “Negotiable” (面议) for no price."""
    return format_price_exact(amount)
