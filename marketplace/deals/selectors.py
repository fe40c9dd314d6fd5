"""Reads for deals: a party sees its deals; anybody else gets DoesNotExist (→ 404)."""

from typing import Any

from django.db.models import Q, QuerySet

from marketplace.parties.models import Membership, MembershipRole, User

from .models import Deal, Licence


def _party_org_ids(user: User) -> QuerySet[Membership, Any]:
    return (
        Membership.objects.filter(user=user)
        .exclude(role=MembershipRole.REVIEWER)
        .values("organization_id")
    )


def deals_for_user(*, user: User) -> QuerySet[Deal]:
    if not user.is_authenticated:
        return Deal.objects.none()
    orgs = _party_org_ids(user)
    return (
        Deal.objects.filter(Q(buyer_id__in=orgs) | Q(seller_id__in=orgs))
        .exclude(state="new")
        .select_related("listing", "buyer", "seller")
        .order_by("-created_at", "-pk")
    )


def deal_for_party(*, user: User, pk: int) -> Deal:
    return deals_for_user(user=user).get(pk=pk)


def deal_for_staff(*, pk: int) -> Deal:
    return Deal.objects.select_related("listing", "buyer", "seller").get(pk=pk)


def licences_of_assets(*, asset_ids: list[int]) -> QuerySet[Licence]:
    return Licence.objects.filter(asset_id__in=asset_ids).select_related("licensee", "asset")
