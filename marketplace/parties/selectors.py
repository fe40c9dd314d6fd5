"""Reads for parties: querysets with what their pages need."""

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


def is_bank_reviewer(*, user: User) -> bool:
    return Membership.objects.filter(
        user=user, role=MembershipRole.REVIEWER, organization__kind=OrganizationKind.BANK
    ).exists()


def organizations_pending_verification() -> QuerySet[Organization]:
    return Organization.objects.filter(verification_state="pending").order_by("created_at")
