"""Template helpers for deals: the listing page's call to action, a deal's next step for
the party looking at it, money, and the workspace home's "My deals" section."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from listings.models import Listing, ListingIntent
from marketplace.money import format_yuan_or_dash
from marketplace.parties.models import User, VerificationState
from marketplace.parties.selectors import acting_memberships

from ..models import OPEN_DEAL_STATES, Deal, DealState, EvidenceState
from ..selectors import deals_for_user

register = template.Library()

MY_DEALS_ON_HOME = 5


# --- who the user acts for ---------------------------------------------------------------


def party_organizations(user: Any) -> dict[int, str]:
    """The organisations `user` acts for (not as a bank reviewer), with their verification
    state, in one query; none for an anonymous visitor (no query)."""
    if user is None or not user.is_authenticated:
        return {}
    return dict(
        acting_memberships(user=user).values_list(
            "organization_id", "organization__verification_state"
        )
    )


def role_in(deal: Deal, organization_ids: set[int] | dict[int, str]) -> str:
    """ "seller" or "buyer", as the services decide (the seller's side first, should a user
    belong to both organisations)."""
    return "seller" if deal.seller_id in organization_ids else "buyer"


# --- the listing page's call to action ---------------------------------------------------


@dataclass(frozen=True)
class ListingCta:
    """What the listing page offers this visitor. `kind` is one of: login, own, offered,
    offer, unverified, no_organization (transfer and licence listings); pledge_apply,
    pledge_note (pledge listings)."""

    kind: str
    url: str = ""
    open_offers: int = 0


def pledge_create_url(listing: Listing) -> str:
    base = reverse("pledges:workspace_create")
    return f"{base}?{urlencode({'listing': listing.pk})}"


@register.simple_tag
def listing_cta(listing: Listing, user: Any) -> ListingCta:
    """Decide the call to action of a published listing for `user`: no query for an
    anonymous visitor, at most two for a signed-in one, whatever the listing."""
    if user is None or not user.is_authenticated:
        if listing.intent == ListingIntent.PLEDGE:
            return ListingCta(kind="pledge_note")
        login = reverse("account_login") + "?" + urlencode({"next": listing.get_absolute_url()})
        return ListingCta(kind="login", url=login)
    organizations = party_organizations(user)
    is_holder = listing.holder_id in organizations
    if listing.intent == ListingIntent.PLEDGE:
        if is_holder:
            return ListingCta(kind="pledge_apply", url=pledge_create_url(listing))
        return ListingCta(kind="pledge_note")
    if is_holder:
        offers = Deal.objects.filter(listing=listing, state__in=OPEN_DEAL_STATES).count()
        url = reverse("deals:list") + "?" + urlencode({"role": "selling", "listing": listing.pk})
        return ListingCta(kind="own", url=url, open_offers=offers)
    verified = [pk for pk, state in organizations.items() if state == VerificationState.VERIFIED]
    if not verified:
        if organizations:
            return ListingCta(kind="unverified", url=reverse("parties:workspace"))
        return ListingCta(kind="no_organization", url=reverse("parties:organization_register"))
    open_deal = (
        Deal.objects.filter(listing=listing, buyer_id__in=verified, state__in=OPEN_DEAL_STATES)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if open_deal is not None:
        return ListingCta(kind="offered", url=reverse("deals:detail", args=[open_deal]))
    url = reverse("deals:propose") + "?" + urlencode({"listing": listing.pk})
    return ListingCta(kind="offer", url=url)


# --- a deal as one party sees it ---------------------------------------------------------

# (state, role) → what that party does next; a state missing here is finished.
NEXT_STEPS: dict[tuple[str, str], Promise] = {
    (DealState.PROPOSED, "seller"): _("Accept or decline the offer"),
    (DealState.PROPOSED, "buyer"): _("Waiting for the seller's answer"),
    (DealState.ACCEPTED, "seller"): _("Waiting for the buyer's deposit"),
    (DealState.ACCEPTED, "buyer"): _("Pay the deposit"),
    (DealState.CONTRACT_SIGNED, "seller"): _("Waiting for the buyer's balance"),
    (DealState.CONTRACT_SIGNED, "buyer"): _("Pay the balance"),
    (DealState.BALANCE_PAID, "seller"): _("File the recordal with the authority"),
    (DealState.BALANCE_PAID, "buyer"): _("File the recordal with the authority"),
}
SIGN_STEP = _("Sign the contract")
AWAIT_SIGNATURE_STEP = _("Waiting for the other party's signature")
UPLOAD_EVIDENCE_STEP = _("Upload the authority's evidence of the recordal")
AWAIT_EVIDENCE_CHECK_STEP = _("Waiting for platform staff to check the recordal evidence")


def has_signed(deal: Deal, role: str) -> bool:
    signed_at = deal.seller_signed_at if role == "seller" else deal.buyer_signed_at
    return signed_at is not None


@register.filter
def next_step_for(deal: Deal, role: str) -> str:
    """What `role` ("seller" or "buyer") does next on the deal; "" once it is finished.
    Once the recordal is filed it depends on the newest evidence (`evidence_state`, which
    deals_for_user annotates)."""
    if deal.state == DealState.DEPOSIT_PAID:
        return str(AWAIT_SIGNATURE_STEP if has_signed(deal, role) else SIGN_STEP)
    if deal.state == DealState.RECORDAL_FILED:
        waiting = getattr(deal, "evidence_state", None) == EvidenceState.SUBMITTED
        return str(AWAIT_EVIDENCE_CHECK_STEP if waiting else UPLOAD_EVIDENCE_STEP)
    return str(NEXT_STEPS.get((deal.state, role), ""))


@register.filter
def money(amount: Decimal | None) -> str:
    """¥1,234,567.00 (to the fen: these are sums people pay); "—" for none."""
    return format_yuan_or_dash(amount)


@dataclass(frozen=True)
class DealRow:
    deal: Deal
    role: str

    @property
    def counterparty(self) -> Any:
        return self.deal.buyer if self.role == "seller" else self.deal.seller

    @property
    def role_label(self) -> str:
        return str(_("Selling") if self.role == "seller" else _("Buying"))

    @property
    def next_step(self) -> str:
        return next_step_for(self.deal, self.role)


def deal_rows(deals: Any, organization_ids: set[int] | dict[int, str]) -> list[DealRow]:
    return [DealRow(deal=deal, role=role_in(deal, organization_ids)) for deal in deals]


@register.inclusion_tag("deals/_my_deals.html")
def my_deals(user: User) -> dict[str, Any]:
    """The workspace home's newest deals of the user's organisations (two queries)."""
    organizations = party_organizations(user)
    deals = list(deals_for_user(user=user)[:MY_DEALS_ON_HOME]) if organizations else []
    return {"rows": deal_rows(deals, organizations)}
