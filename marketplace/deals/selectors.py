"""Reads for deals: a party sees its deals; anybody else gets DoesNotExist (→ 404)."""

from django.db.models import Q, QuerySet

from marketplace.parties.models import User
from marketplace.parties.selectors import acting_organization_ids

from .models import Deal


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
