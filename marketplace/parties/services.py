"""Every write to parties goes through here."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from .models import Membership, MembershipRole, Organization, OrganizationKind, User
from .validators import normalize_credit_code, validate_credit_code


def user_create(*, email: str, password: str | None, name: str = "", **extra: Any) -> User:
    user = User.objects.create_user(email=email, password=password, name=name, **extra)
    return user


def organization_register(
    *,
    by: User,
    name: str,
    kind: str,
    credit_code: str,
    district: str,
    name_en: str = "",
    address: str = "",
    contact_phone: str = "",
    website: str = "",
    description: str = "",
) -> Organization:
    """A user registers their organisation; it starts pending and the user is its owner.

    The credit code must pass GB 32100-2015 and be new to the platform. Regulators are
    created by staff, not by sign-up.
    """
    if kind == OrganizationKind.REGULATOR and not by.is_staff:
        raise PermissionDenied(_("Only platform staff can register a regulator."))
    code = validate_credit_code(credit_code)
    if Organization.objects.filter(credit_code=code).exists():
        raise ValidationError(
            {"credit_code": _("An organisation with this credit code is already registered.")}
        )
    organization = Organization(
        name=name.strip(),
        name_en=name_en.strip(),
        kind=kind,
        credit_code=code,
        district=district,
        address=address,
        contact_phone=contact_phone,
        website=website,
        description=description,
    )
    organization.full_clean()
    with transaction.atomic():
        organization.save()
        Membership.objects.create(user=by, organization=organization, role=MembershipRole.OWNER)
    return organization


def organization_override_credit_code(
    *, organization: Organization, by: User, credit_code: str, reason: str
) -> Organization:
    """Staff accept a credit code that fails the check digit, recording why."""
    if not by.is_staff:
        raise PermissionDenied(_("Only platform staff can override a credit code."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for accepting this credit code.")})
    # Normalise first (spaces, hyphens, case) so a pasted code is not refused for its length.
    organization.credit_code = normalize_credit_code(credit_code)
    organization.credit_code_override_reason = reason.strip()
    organization.full_clean()
    organization.save(update_fields=["credit_code", "credit_code_override_reason", "updated_at"])
    return organization


def _transition(*, organization: Organization, by: User, name: str, note: str = "") -> Organization:
    """Lock the row, check the transition may run, run it, save; django-fsm-log writes the
    audit row on the same transaction, so a rollback leaves no log row behind."""
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        method = getattr(locked, name)
        if not can_proceed(method):
            raise ValidationError(
                _("This organisation is “%(state)s”, so that step is not possible now.")
                % {"state": locked.get_verification_state_display()},
                code="invalid_transition",
            )
        method(by=by, description=note)
        if name == "verify":
            locked.verified_at = timezone.now()
        elif name in ("reject", "revoke"):
            locked.verified_at = None
        locked.save()
    return locked


def _require_staff(by: User) -> None:
    if not by.is_staff:
        raise PermissionDenied(_("Only platform staff can verify organisations."))


def organization_verify(*, organization: Organization, by: User, note: str = "") -> Organization:
    """Staff confirm the organisation's identity (credit code, licence)."""
    _require_staff(by)
    return _transition(organization=organization, by=by, name="verify", note=note)


def organization_reject(*, organization: Organization, by: User, reason: str) -> Organization:
    """Staff refuse verification; a reason is required so the applicant can correct it."""
    _require_staff(by)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the rejection.")})
    return _transition(organization=organization, by=by, name="reject", note=reason.strip())


def organization_revoke(*, organization: Organization, by: User, reason: str) -> Organization:
    """Staff withdraw an earlier verification; the organisation goes back to review."""
    _require_staff(by)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for revoking the verification.")})
    return _transition(organization=organization, by=by, name="revoke", note=reason.strip())


def organization_resubmit(*, organization: Organization, by: User) -> Organization:
    """An owner sends a rejected organisation back for review after correcting it."""
    if not Membership.objects.filter(
        user=by, organization=organization, role=MembershipRole.OWNER
    ).exists():
        raise PermissionDenied(_("Only an owner of the organisation can resubmit it."))
    return _transition(organization=organization, by=by, name="resubmit")


def membership_add(*, organization: Organization, by: User, user: User, role: str) -> Membership:
    """An owner (or staff) adds a member; reviewers exist only at banks."""
    is_owner = Membership.objects.filter(
        user=by, organization=organization, role=MembershipRole.OWNER
    ).exists()
    if not (is_owner or by.is_staff):
        raise PermissionDenied(_("Only an owner of the organisation can add members."))
    if role not in MembershipRole.values:
        raise ValidationError({"role": _("Choose a role: owner, member or reviewer.")})
    if role == MembershipRole.REVIEWER and organization.kind != OrganizationKind.BANK:
        raise ValidationError({"role": _("Only a bank can have reviewers.")})
    if Membership.objects.filter(user=user, organization=organization).exists():
        raise ValidationError({"user": _("This user is already a member.")})
    return Membership.objects.create(user=user, organization=organization, role=role)
