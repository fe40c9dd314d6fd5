from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from marketplace import i18n

from .districts import District, in_l_belt
from .validators import validate_credit_code


class EmailUserManager(UserManager["User"]):
    """Users sign in with their e-mail address; there is no username."""

    use_in_migrations = True

    def _create_user_object(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        user = self._create_user_object(email, password, **extra)
        user.save(using=self._db)
        return user

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[EmailUserManager] = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or super().get_full_name() or self.email

    def get_short_name(self) -> str:
        return self.name or self.email


class OrganizationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    UNIVERSITY = "university", _("University")
    INSTITUTE = "institute", _("Research institute")
    INDIVIDUAL = "individual", _("Individual")
    ASSOCIATION = "association", _("Association")  # holds geographical indications
    BANK = "bank", _("Bank")
    APPRAISAL_FIRM = "appraisal_firm", _("Appraisal firm")
    PATENT_AGENCY = "patent_agency", _("Patent agency")
    TRADEMARK_AGENCY = "trademark_agency", _("Trademark agency")
    LAW_FIRM = "law_firm", _("Law firm")
    REGULATOR = "regulator", _("Regulator")


SERVICE_INSTITUTION_KINDS = frozenset(
    {
        OrganizationKind.APPRAISAL_FIRM,
        OrganizationKind.PATENT_AGENCY,
        OrganizationKind.TRADEMARK_AGENCY,
        OrganizationKind.LAW_FIRM,
    }
)


class VerificationState(models.TextChoices):
    PENDING = "pending", _("Pending verification")  # registered, waiting for staff
    VERIFIED = "verified", _("Verified")  # staff checked the credit code and documents
    REJECTED = "rejected", _("Rejected")  # staff gave a reason; the organisation may resubmit


class Organization(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        help_text=_("18 characters, GB 32100-2015."),
    )
    # Staff may accept a code that fails the check (an old licence, a registry typo) but
    # must say why; the reason is kept with the record.
    credit_code_override_reason = models.CharField(
        _("reason for accepting a non-conforming credit code"), max_length=300, blank=True
    )
    district = models.CharField(_("district"), max_length=20, choices=District.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    verification_state = FSMField(
        _("verification"),
        default=VerificationState.PENDING,
        choices=VerificationState.choices,
        protected=True,
    )
    verification_note = models.CharField(_("verification note"), max_length=500, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organizations"
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["kind", "district"]),
            models.Index(fields=["verification_state"]),
        ]

    def __str__(self) -> str:
        # In the reader's language: choice lists, admin columns and messages that name an
        # organisation read in English for English readers (the registered Chinese name is
        # `name`, for exports and documents).
        return self.local_name

    @property
    def local_name(self) -> str:
        """The English name for English readers when there is one, else the name."""
        return i18n.local_name(self)

    @property
    def in_l_belt(self) -> bool:
        return in_l_belt(self.district)

    @property
    def is_verified(self) -> bool:
        return self.verification_state == VerificationState.VERIFIED

    @property
    def is_bank(self) -> bool:
        return self.kind == OrganizationKind.BANK

    def clean_fields(self, exclude: Any = None) -> None:
        # clean_fields() writes every cleaned value back onto the instance, and a protected
        # FSM field refuses that assignment; only transitions change the state anyway.
        exclude = {*(exclude or ()), *self._get_protected_fsm_fields()}
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        super().clean()
        try:
            self.credit_code = validate_credit_code(
                self.credit_code,
                accept_wrong_check=bool(self.credit_code_override_reason.strip()),
            )
        except ValidationError as error:
            raise ValidationError({"credit_code": error.messages}) from error

    # --- verification transitions (fields only; services do the rest) ------------------
    @fsm_log_by
    @fsm_log_description
    @transition(
        field=verification_state,
        source=VerificationState.PENDING,
        target=VerificationState.VERIFIED,
    )
    def verify(self, *, by: Any = None, description: str = "") -> None:
        self.verification_note = description

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=verification_state,
        source=VerificationState.PENDING,
        target=VerificationState.REJECTED,
    )
    def reject(self, *, by: Any = None, description: str = "") -> None:
        self.verification_note = description

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=verification_state,
        source=VerificationState.REJECTED,
        target=VerificationState.PENDING,
    )
    def resubmit(self, *, by: Any = None, description: str = "") -> None:
        self.verification_note = ""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=verification_state,
        source=VerificationState.VERIFIED,
        target=VerificationState.PENDING,
    )
    def revoke(self, *, by: Any = None, description: str = "") -> None:
        """Staff withdraw a verification (e.g. the licence was revoked); back to review."""
        self.verification_note = description


class MembershipRole(models.TextChoices):
    # manages the organisation and its members
    OWNER = "owner", pgettext_lazy("membership role", "Owner")
    MEMBER = "member", _("Member")  # acts for the organisation
    REVIEWER = "reviewer", _("Reviewer")  # a bank's credit reviewer


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=MembershipRole.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} ({self.get_role_display()})"
