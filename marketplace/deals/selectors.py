"""Reads for deals: a party sees its deals; anybody else gets DoesNotExist (→ 404)."""

from django.db.models import Q, QuerySet

from marketplace.parties.models import User
from marketplace.parties.selectors import acting_organization_ids

from .models import Deal, DealState


def deals_for_user(*, user: User) -> QuerySet[Deal]:
    if not user.is_authenticated:
        return Deal.objects.none()
    orgs = acting_organization_ids(user=user)
    return (
        Deal.objects.filter(Q(buyer_id__in=orgs) | Q(seller_id__in=orgs))
        .exclude(state="new")
        .select_related("listing", "buyer", "seller")
        .order_by("-created_at", "-pk")
    )


def deal_for_party(*, user: User, pk: int) -> Deal:
    return deals_for_user(user=user).get(pk=pk)


def completed_deal_for_listing(*, listing_id: int) -> Deal | None:
    """The deal that completed on the listing (and so closed it), if any: one query. Its
    kind, licence type and completion time are what the public result says; its price and
    parties are not read here."""
    return (
        Deal.objects.filter(listing_id=listing_id, state=DealState.COMPLETED)
        .only("pk", "listing_id", "kind", "licence_type", "completed_at", "state")
        .order_by("-completed_at", "-pk")
        .first()
    )
