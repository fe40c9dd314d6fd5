"""Reads for IP assets."""

from collections.abc import Iterable

from django.db.models import QuerySet

from marketplace.parties.models import Organization, User

from .models import IPAsset


def assets_for_organizations(*, organizations: Iterable[Organization]) -> QuerySet[IPAsset]:
    return (
        IPAsset.objects.filter(holder__in=list(organizations))
        .select_related("holder")
        .order_by("-created_at")
    )


def asset_for_member(*, user: User, pk: int) -> IPAsset:
    """The asset if `user` belongs to its holder; otherwise DoesNotExist (→ 404)."""
    return IPAsset.objects.select_related("holder").get(pk=pk, holder__memberships__user=user)
