"""Reads for parties: querysets with what their pages need."""

from typing import Any

from django.db.models import QuerySet

from .models import Membership, MembershipRole, Organization, OrganizationKind, User


def organizations_for_user(*, user: User) -> QuerySet[Organization]:
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user).distinct()


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
    )


def acting_memberships(*, user: User) -> QuerySet[Membership]:
    """`user`'s memberships as owner or member: a bank's reviewer reviews for the bank,
    they do not borrow, buy or sell for it."""
    return Membership.objects.filter(user=user).exclude(role=MembershipRole.REVIEWER)


def acting_organization_ids(*, user: User) -> QuerySet[Membership, Any]:
    """Ids (a subquery) of the organisations `user` acts for (see acting_memberships)."""
    return acting_memberships(user=user).values("organization_id")


def bank_reviewer_memberships() -> QuerySet[Membership]:
    """Memberships as a reviewer of a bank (filter by user, or by OuterRef in a subquery)."""
    return Membership.objects.filter(
        role=MembershipRole.REVIEWER, organization__kind=OrganizationKind.BANK
    )


def is_bank_reviewer(*, user: User) -> bool:
    return bank_reviewer_memberships().filter(user=user).exists()


def organizations_pending_verification() -> QuerySet[Organization]:
    return Organization.objects.filter(verification_state="pending").order_by("created_at")
