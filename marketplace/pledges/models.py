"""Pledge financing: a holder asks a bank for a loan secured on its IP assets.

The application's life is a protected django-fsm state machine (names in DESIGN.md).
Transition methods change fields only; `services.py` locks the row, checks the rules,
runs the transition, saves, and django-fsm-log writes the audit row in that transaction.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from listings.models import IPAsset, Listing
from marketplace.parties.models import Organization


class PledgeState(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being written by the holder
    SUBMITTED = "submitted", _("Submitted")  # waiting for a reviewer of the bank to claim it
    UNDER_REVIEW = "under_review", _("Under review")  # a reviewer has claimed it
    RETURNED = "returned", _("Returned for information")  # the bank asked the holder for more
    APPROVED = "approved", _("Approved")  # the bank offered amount, rate and term
    REJECTED = "rejected", pgettext_lazy("pledge state", "Rejected")  # the bank declined
    WITHDRAWN = "withdrawn", pgettext_lazy("pledge state", "Withdrawn")  # the holder gave up
    CONTRACT_SIGNED = "contract_signed", _("Contract signed")  # loan and pledge contracts
    REGISTERED = "registered", _("Pledge registered")  # recorded with CNIPA / the registry
    DISBURSED = "disbursed", _("Disbursed")  # the loan was paid out
    OVERDUE = "overdue", _("Overdue")  # maturity passed without repayment (daily job)
    REPAID = "repaid", _("Repaid")  # the loan was paid back
    RELEASED = "released", _("Released")  # the pledge registration was cancelled
    DEFAULTED = "defaulted", _("Defaulted")  # the bank declared the borrower in default
    DISPOSED = "disposed", _("Disposed")  # the bank realised the pledged assets
    CANCELLED = (
        "cancelled",
        pgettext_lazy("pledge state", "Cancelled"),
    )  # fell through after approval


# An asset under one of these is pledged: no second pledge, no transfer or licence
# without the pledgee's consent (Civil Code art. 443/444).
ACTIVE_PLEDGE_STATES = (
    PledgeState.REGISTERED,
    PledgeState.DISBURSED,
    PledgeState.OVERDUE,
    PledgeState.DEFAULTED,
)
# Still being worked on by the holder or the bank (not finished one way or the other).
OPEN_PLEDGE_STATES = (
    PledgeState.DRAFT,
    PledgeState.SUBMITTED,
    PledgeState.UNDER_REVIEW,
    PledgeState.RETURNED,
    PledgeState.APPROVED,
    PledgeState.CONTRACT_SIGNED,
    *ACTIVE_PLEDGE_STATES,
)
# The bank's review clock runs in these (the queue's SLA highlight).
REVIEW_STATES = (PledgeState.SUBMITTED, PledgeState.UNDER_REVIEW)
# The holder may withdraw until the bank approves.
WITHDRAWABLE_STATES = (
    PledgeState.DRAFT,
    PledgeState.SUBMITTED,
    PledgeState.UNDER_REVIEW,
    PledgeState.RETURNED,
)

MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2}


class PledgeApplication(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    applicant = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="pledge_applications",
        verbose_name=_("applicant"),
    )
    bank = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="pledge_applications_received",
        limit_choices_to={"kind": "bank"},
        verbose_name=_("bank"),
    )
    assets = models.ManyToManyField(
        IPAsset,
        through="PledgedAsset",
        related_name="pledge_applications",
        verbose_name=_("assets"),
    )
    # The pledge listing the holder applied from, if any (closed when the pledge registers).
    listing = models.ForeignKey(
        Listing,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pledge_applications",
        verbose_name=_("listing"),
    )
    # --- what the holder asks for ---
    requested_amount = models.DecimalField(_("requested amount (yuan)"), **MONEY)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    purpose = models.TextField(_("purpose of the loan"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY", editable=False)
    state = FSMField(
        _("state"), default=PledgeState.DRAFT, choices=PledgeState.choices, protected=True
    )
    # The last note given with a transition that hands the file back (a request for
    # information, a rejection, a cancellation); the full history is the audit timeline.
    last_note = models.CharField(_("note"), max_length=1000, blank=True)
    # --- the bank's review ---
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    approved_amount = models.DecimalField(
        _("approved amount (yuan)"), null=True, blank=True, **MONEY
    )
    annual_rate = models.DecimalField(
        _("annual interest rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    approved_term_months = models.PositiveSmallIntegerField(
        _("approved term (months)"), null=True, blank=True
    )
    # --- contract, registration, money ---
    contract_number = models.CharField(_("loan contract number"), max_length=60, blank=True)
    contract_date = models.DateField(_("contract date"), null=True, blank=True)
    registration_number = models.CharField(
        _("pledge registration number"), max_length=60, blank=True
    )
    registration_date = models.DateField(_("registration date"), null=True, blank=True)
    secured_amount = models.DecimalField(_("secured amount (yuan)"), null=True, blank=True, **MONEY)
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    disbursed_amount = models.DecimalField(
        _("disbursed amount (yuan)"), null=True, blank=True, **MONEY
    )
    maturity_date = models.DateField(_("maturity date"), null=True, blank=True)
    repaid_on = models.DateField(_("repaid on"), null=True, blank=True)
    released_on = models.DateField(_("released on"), null=True, blank=True)
    defaulted_on = models.DateField(_("defaulted on"), null=True, blank=True)
    disposed_on = models.DateField(_("disposed on"), null=True, blank=True)
    # --- bookkeeping ---
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("in this state since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("pledge financing application")
        verbose_name_plural = _("pledge financing applications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["bank", "state", "state_changed_at"]),
            models.Index(fields=["applicant", "-created_at"]),
            models.Index(fields=["state", "maturity_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_amount__gt=0), name="pledge_requested_amount_positive"
            ),
            models.CheckConstraint(condition=Q(term_months__gte=1), name="pledge_term_positive"),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True)
                | Q(approved_amount__lte=models.F("requested_amount")),
                name="pledge_approved_within_requested",
            ),
        ]

    def __str__(self) -> str:
        return _("Pledge application #%(pk)s") % {"pk": self.pk}

    @property
    def is_active_pledge(self) -> bool:
        return self.state in ACTIVE_PLEDGE_STATES

    @property
    def loan_term_months(self) -> int:
        """The approved term once there is one, the requested term before."""
        return self.approved_term_months or self.term_months

    # --- transitions: fields only; the services lock, guard, save and audit ------------
    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=PledgeState.DRAFT, target=PledgeState.SUBMITTED)
    def submit(self, *, by: Any = None, description: str = "") -> None:
        self.last_note = ""

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=PledgeState.SUBMITTED, target=PledgeState.UNDER_REVIEW)
    def claim(self, *, by: Any = None, description: str = "") -> None:
        self.reviewer = by

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=PledgeState.UNDER_REVIEW, target=PledgeState.RETURNED)
    def return_for_info(self, *, by: Any = None, description: str = "") -> None:
        self.last_note = description

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=PledgeState.RETURNED, target=PledgeState.SUBMITTED)
    def resubmit(self, *, by: Any = None, description: str = "") -> None:
        # Back in the bank's queue; the reviewer who asked keeps the file.
        self.last_note = description

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=PledgeState.UNDER_REVIEW, target=PledgeState.APPROVED)
    def approve(self, *, by: Any = None, description: str = "") -> None:
        self.last_note = description

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[PledgeState.UNDER_REVIEW, PledgeState.RETURNED],
        target=PledgeState.REJECTED,
    )
    def reject(self, *, by: Any = None, description: str = "") -> None:
        self.last_note = description

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=list(WITHDRAWABLE_STATES), target=PledgeState.WITHDRAWN)
    def withdraw(self, *, by: Any = None, description: str = "") -> None:
        self.last_note = description

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=PledgeState.APPROVED, target=PledgeState.CONTRACT_SIGNED)
    def sign_contract(self, *, by: Any = None, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=PledgeState.CONTRACT_SIGNED, target=PledgeState.REGISTERED)
    def register(self, *, by: Any = None, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=PledgeState.REGISTERED, target=PledgeState.DISBURSED)
    def disburse(self, *, by: Any = None, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[PledgeState.DISBURSED, PledgeState.OVERDUE],
        target=PledgeState.REPAID,
    )
    def repay(self, *, by: Any = None, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=PledgeState.REPAID, target=PledgeState.RELEASED)
    def release(self, *, by: Any = None, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=PledgeState.DISBURSED, target=PledgeState.OVERDUE)
    def mark_overdue(self, *, by: Any = None, description: str = "") -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=PledgeState.OVERDUE, target=PledgeState.DEFAULTED)
    def declare_default(self, *, by: Any = None, description: str = "") -> None:
        self.last_note = description

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=PledgeState.DEFAULTED, target=PledgeState.DISPOSED)
    def dispose(self, *, by: Any = None, description: str = "") -> None:
        self.last_note = description

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[PledgeState.APPROVED, PledgeState.CONTRACT_SIGNED],
        target=PledgeState.CANCELLED,
    )
    def cancel(self, *, by: Any = None, description: str = "") -> None:
        self.last_note = description


class PledgedAsset(models.Model):
    """An asset of an application. `active` is true exactly while the application is in an
    active pledge state; the partial unique index makes a second active pledge of one asset
    impossible even if two registrations raced past the service's check."""

    application = models.ForeignKey(
        PledgeApplication, on_delete=models.CASCADE, related_name="pledged_assets"
    )
    asset = models.ForeignKey(IPAsset, on_delete=models.PROTECT, related_name="pledges")
    active = models.BooleanField(_("under active pledge"), default=False)

    class Meta:
        verbose_name = _("pledged asset")
        verbose_name_plural = _("pledged assets")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "asset"], name="unique_asset_per_application"
            ),
            models.UniqueConstraint(
                fields=["asset"], condition=Q(active=True), name="one_active_pledge_per_asset"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.asset}"


class PledgeConsent(models.Model):
    """The pledgee bank's consent to transfer or license a pledged asset (Civil Code art.
    444: a pledged IP right may be transferred or licensed only with the pledgee's consent).

    Given either to one listing (the holder may then offer the asset on the portal: the
    listing is published only with it) or to one deal (the transfer or licence itself may
    then go ahead: the deal's services check for it) — exactly one of the two."""

    application = models.ForeignKey(
        PledgeApplication, on_delete=models.PROTECT, related_name="consents"
    )
    deal = models.ForeignKey(
        "deals.Deal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pledge_consents",
        verbose_name=_("deal"),
    )
    listing = models.ForeignKey(
        Listing,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pledge_consents",
        verbose_name=_("listing"),
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pledgee consent")
        verbose_name_plural = _("pledgee consents")
        constraints = [
            # A consent to a listing has no deal: NULLs never clash in a unique index.
            models.UniqueConstraint(fields=["application", "deal"], name="one_consent_per_deal"),
            models.UniqueConstraint(
                fields=["application", "listing"],
                condition=Q(listing__isnull=False),
                name="one_consent_per_listing",
            ),
            models.CheckConstraint(
                condition=Q(deal__isnull=False, listing__isnull=True)
                | Q(deal__isnull=True, listing__isnull=False),
                name="consent_to_a_deal_or_a_listing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} → {self.deal or self.listing}"


# --- the pledge ledger, goals (issue 5) -----------------------------------------------------


class LedgerEntryKind(models.TextChoices):
    REGISTRATION = "registration", _("Registration")  # written by the register transition
    REVERSAL = "reversal", _("Reversal")  # a staff correction that cancels one registration


class LedgerImmutable(Exception):
    """The pledge ledger is append-only: a correction is a reversing entry."""


class PledgeLedgerQuerySet(models.QuerySet["PledgeLedgerEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise LedgerImmutable("Ledger entries cannot be changed; add a reversing entry.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise LedgerImmutable("Ledger entries cannot be deleted; add a reversing entry.")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("update_conflicts"):
            raise LedgerImmutable("Ledger entries cannot be upserted; add a reversing entry.")
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise LedgerImmutable("Ledger entries cannot be changed; add a reversing entry.")


class PledgeLedgerEntry(models.Model):
    """One registered pledge counted toward the goal (official statistics count registered
    pledge financing), or the reversal of one. Written in the transaction of `register`
    (or of a staff correction) and never changed: `save` on a stored row and `delete`
    raise, and so do the queryset's `update` and `delete`.

    The facts are copied at registration (bank, holder, the holder's district, the assets'
    kinds, the leading asset's kind and industry) so later edits of those records do not
    rewrite history."""

    application = models.ForeignKey(
        PledgeApplication, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=LedgerEntryKind.choices)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    # Positive for a registration, the negative of the original for a reversal.
    amount = models.DecimalField(_("secured amount (yuan)"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    registered_on = models.DateField(_("registration date"))
    registration_number = models.CharField(_("pledge registration number"), max_length=60)
    bank = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    district = models.CharField(_("district"), max_length=20)
    asset_kind = models.CharField(_("kind of the leading asset"), max_length=30)
    asset_kinds = models.JSONField(_("kinds of the assets"), default=list)
    industry = models.CharField(_("industry"), max_length=20)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # PROTECT: SET_NULL would rewrite ledger rows (and the ledger refuses updates).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = PledgeLedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("pledge ledger entry")
        verbose_name_plural = _("pledge ledger entries")
        ordering = ["registered_on", "pk"]
        indexes = [models.Index(fields=["registered_on"]), models.Index(fields=["kind", "amount"])]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(kind="registration"),
                name="one_registration_entry_per_application",
            ),
            models.CheckConstraint(
                condition=(Q(kind="registration", amount__gt=0, reverses__isnull=True))
                | (Q(kind="reversal", amount__lt=0, reverses__isnull=False)),
                name="ledger_entry_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.registration_number} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerImmutable("Ledger entries cannot be changed; add a reversing entry.")
        # An INSERT or nothing: a hand-built instance carrying a stored id must not UPDATE.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise LedgerImmutable("Ledger entries cannot be deleted; add a reversing entry.")


class PledgeStat(models.Model):
    """A maintained aggregate of the ledger: the sum and the net number of registrations
    per month ("2025-03"), dimension (total, district, bank, kind, industry) and key (the
    bank's id, the district …). Updated in the transaction of each
    ledger entry, so the dashboard reads rows bounded by months × keys whatever the
    ledger's size; `verify_ledger` recomputes them from the ledger."""

    month = models.CharField(max_length=7)
    dimension = models.CharField(max_length=10)
    key = models.CharField(max_length=40, blank=True)
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("pledge statistic")
        verbose_name_plural = _("pledge statistics")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "dimension", "key"], name="one_stat_per_month_and_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.dimension}:{self.key} {self.amount} ({self.count})"


class Goal(models.Model):
    """A pledge-financing target for a period: the action plan's ¥1.2 billion for
    2023–2025 by default; staff add later goals."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    target = models.DecimalField(_("target (yuan)"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    start = models.DateField(_("period start"))
    end = models.DateField(_("period end"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pledge financing goal")
        verbose_name_plural = _("pledge financing goals")
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(target__gt=0), name="goal_target_positive"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="goal_period"),
        ]

    def __str__(self) -> str:
        return self.name


# Indicators of the action plan live in their own module (imported here for Django).
from .indicator_models import Indicator, IndicatorValue  # noqa: E402, F401
