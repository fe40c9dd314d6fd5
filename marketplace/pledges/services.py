"""Every write to pledge-financing applications.

Each transition runs in one transaction: lock the application, check who is acting, check
the state allows the move (`can_proceed`), check the rules, set the transition's data, run
the transition (django-fsm-log writes the audit row), save, keep the assets' active-pledge
flags in step, and queue the notice to the party that acts next (sent after commit).

Who acts: members of the applicant ("the holder") draft, submit, resubmit and withdraw;
reviewers of the addressed bank do the rest; `mark_overdue` is the daily job's; either
party may cancel an approved application before registration.
"""

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed

from listings.models import AssetStatus, IPAsset, Listing, ListingIntent, ListingState
from listings.services import listing_close
from marketplace.dates import add_months
from marketplace.i18n import local_name_lazy
from marketplace.money import format_yuan_exact
from marketplace.notifications.services import notify_organizations
from marketplace.parties.models import Organization, User
from marketplace.parties.selectors import acting_memberships, bank_reviewer_memberships

from .ledger import ledger_record_registration
from .models import (
    ACTIVE_PLEDGE_STATES,
    PledgeApplication,
    PledgeConsent,
    PledgedAsset,
    PledgeState,
)

MAX_ASSETS_PER_APPLICATION = 50
MAX_TERM_MONTHS = 120  # IP pledge loans in the action plan's programmes run 1–3 years
MAX_ANNUAL_RATE = Decimal("24.00")  # above this a loan agreement's interest is not protected
MAX_AMOUNT = Decimal("9999999999999999.99")  # what max_digits=18, decimal_places=2 holds
MAX_NOTE_LENGTH = 1000  # PledgeApplication.last_note
EDITABLE_STATES = (PledgeState.DRAFT, PledgeState.RETURNED)
EDITABLE_FIELDS = frozenset({"bank", "assets", "requested_amount", "term_months", "purpose"})

Side = Literal["holder", "bank", "either", "system"]


# --- who may act ---------------------------------------------------------------------------


def is_holder_member(*, user: User | None, application: PledgeApplication) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and acting_memberships(user=user).filter(organization_id=application.applicant_id).exists()
    )


def is_bank_reviewer_of(*, user: User | None, application: PledgeApplication) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and bank_reviewer_memberships()
        .filter(user=user, organization_id=application.bank_id)
        .exists()
    )


def _authorise(*, by: User | None, application: PledgeApplication, side: Side) -> None:
    """Asks only about the side that may act ("system" needs nobody)."""
    if side == "holder" and not is_holder_member(user=by, application=application):
        raise PermissionDenied(_("Only members of the applicant can do this."))
    if side == "bank" and not is_bank_reviewer_of(user=by, application=application):
        raise PermissionDenied(
            _("Only reviewers of the bank the application is addressed to can do this.")
        )
    if side == "either" and not (
        is_holder_member(user=by, application=application)
        or is_bank_reviewer_of(user=by, application=application)
    ):
        raise PermissionDenied(_("Only the applicant or the bank's reviewers can do this."))


# --- the rules -----------------------------------------------------------------------------


def _bank_error(bank: Organization | None) -> str | None:
    """Why an application cannot go to `bank`, or None: it must be a bank, verified on the
    platform."""
    if bank is None or not bank.is_bank:
        return _("Choose a bank.")
    if not bank.is_verified:
        return _("This bank is not verified on the platform yet.")
    return None


def _field_errors(
    *,
    applicant: Organization,
    bank: Organization | None,
    assets: Sequence[IPAsset],
    requested_amount: Decimal | None,
    term_months: int | None,
    purpose: str,
    application_id: int | None = None,
) -> dict[str, list[str]]:
    """What an application must satisfy to be saved at all (drafts included): the fields,
    and the pledge rules on the assets over the requested term from today."""
    errors: dict[str, list[str]] = {}
    bank_error = _bank_error(bank)
    if bank_error is not None:
        errors["bank"] = [bank_error]
    elif bank is not None and bank.pk == applicant.pk:
        errors["bank"] = [_("An organisation cannot apply to itself.")]
    if requested_amount is None or requested_amount <= 0:
        errors["requested_amount"] = [_("Enter the amount you ask for, above zero.")]
    elif requested_amount > MAX_AMOUNT:
        errors["requested_amount"] = [_("This amount is too large.")]
    if term_months is None or not 1 <= term_months <= MAX_TERM_MONTHS:
        errors["term_months"] = [
            _("The term is between 1 and %(max)d months.") % {"max": MAX_TERM_MONTHS}
        ]
    if not purpose.strip():
        errors["purpose"] = [_("Say what the loan is for.")]
    if not assets:
        errors["assets"] = [_("Choose at least one IP asset to pledge.")]
    elif len(assets) > MAX_ASSETS_PER_APPLICATION:
        errors["assets"] = [
            _("An application pledges at most %(max)d assets.")
            % {"max": MAX_ASSETS_PER_APPLICATION}
        ]
    elif any(asset.holder_id != applicant.pk for asset in assets):
        errors["assets"] = [_("Every pledged asset must be held by the applicant.")]
    elif "term_months" not in errors:
        # The asset rules too: nothing is written for an asset that can never be pledged.
        assert term_months is not None
        asset_errors = _asset_errors(
            applicant_id=applicant.pk,
            assets=assets,
            maturity=add_months(timezone.localdate(), term_months),
            application_id=application_id,
        )
        if asset_errors:
            errors["assets"] = [message for error in asset_errors for message in error.messages]
    return errors


def _asset_errors(
    *,
    applicant_id: int,
    assets: Sequence[IPAsset],
    maturity: datetime.date,
    application_id: int | None = None,
) -> list[ValidationError]:
    """The pledge rules on the assets, checked when a draft is written and whenever the
    file moves forward: the applicant holds each; each is valid and granted; none is
    already under an active pledge (no double pledge); the loan matures before each
    expires. `application_id`: the application itself (its own pledge is no double one)."""
    errors: list[ValidationError] = []
    today = timezone.localdate()
    pledged = set(
        PledgedAsset.objects.filter(asset__in=assets, active=True)
        .exclude(application_id=application_id)
        .values_list("asset_id", flat=True)
    )
    for asset in assets:
        subject = {"asset": str(asset)}
        if asset.holder_id != applicant_id:
            errors.append(
                ValidationError(
                    _("%(asset)s is not held by the applicant.") % subject, code="not_holder"
                )
            )
        elif asset.status != AssetStatus.VALID:
            errors.append(
                ValidationError(
                    _("%(asset)s is “%(status)s”; only valid assets can be pledged.")
                    % {**subject, "status": asset.get_status_display()},
                    code="asset_not_valid",
                )
            )
        elif asset.grant_date is None or asset.grant_date > today:
            errors.append(
                ValidationError(
                    _(
                        "%(asset)s is not granted or registered yet; "
                        "only granted rights can be pledged."
                    )
                    % subject,
                    code="asset_not_granted",
                )
            )
        if asset.pk in pledged:
            errors.append(
                ValidationError(
                    _("%(asset)s is already under an active pledge; it cannot be pledged twice.")
                    % subject,
                    code="double_pledge",
                )
            )
        if asset.expiry_date is not None and asset.expiry_date <= maturity:
            errors.append(
                ValidationError(
                    _("The loan would mature on %(maturity)s, but %(asset)s expires on %(expiry)s.")
                    % {
                        **subject,
                        "maturity": maturity.isoformat(),
                        "expiry": asset.expiry_date.isoformat(),
                    },
                    code="matures_after_expiry",
                )
            )
    return errors


def _check_assets(
    application: PledgeApplication, *, start: datetime.date, term_months: int, lock: bool = False
) -> list[IPAsset]:
    queryset = IPAsset.objects.filter(pledges__application=application).order_by("pk")
    if lock:
        # Lock the assets in id order: two registrations of one asset queue up here, and
        # the second sees the first's active pledge once it commits.
        queryset = queryset.select_for_update()
    assets = list(queryset)
    if not assets:
        raise ValidationError(_("Choose at least one IP asset to pledge."), code="no_assets")
    errors = _asset_errors(
        applicant_id=application.applicant_id,
        assets=assets,
        maturity=add_months(start, term_months),
        application_id=application.pk,
    )
    if not application.applicant.is_verified:
        errors.insert(
            0,
            ValidationError(
                _("The applicant must be verified by platform staff first."),
                code="applicant_not_verified",
            ),
        )
    if errors:
        raise ValidationError(errors)
    return assets


def _required(value: Any, field: str, message: str) -> None:
    if value in (None, ""):
        raise ValidationError({field: [message]})


def _not_in_future(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: [_("This date cannot be in the future.")]})


def _within_approved(
    application: PledgeApplication, amount: Decimal, field: str, message: str
) -> None:
    """`amount` (secured, disbursed) is at most the approved amount; `message` names it
    with %(approved)s."""
    approved = application.approved_amount
    if approved is not None and amount > approved:
        raise ValidationError(
            {field: [message % {"approved": format_yuan_exact(approved, always_fen=True)}]}
        )


# --- the notices ---------------------------------------------------------------------------

# transition → (who is told, message). The message names the application and the other party.
NOTICES: dict[str, tuple[str, Any]] = {
    "submit": (
        "bank",
        gettext_lazy("%(applicant)s applied for pledge financing (%(application)s)."),
    ),
    "resubmit": ("bank", gettext_lazy("%(applicant)s answered your questions on %(application)s.")),
    "withdraw": ("bank", gettext_lazy("%(applicant)s withdrew %(application)s.")),
    "claim": ("holder", gettext_lazy("%(bank)s started reviewing %(application)s.")),
    "return_for_info": (
        "holder",
        gettext_lazy("%(bank)s needs more information on %(application)s."),
    ),
    "approve": ("holder", gettext_lazy("%(bank)s approved %(application)s.")),
    "reject": ("holder", gettext_lazy("%(bank)s rejected %(application)s.")),
    "sign_contract": ("holder", gettext_lazy("The loan contract for %(application)s is recorded.")),
    "register": ("holder", gettext_lazy("The pledge of %(application)s is registered.")),
    "disburse": ("holder", gettext_lazy("%(bank)s disbursed the loan of %(application)s.")),
    "repay": ("holder", gettext_lazy("%(bank)s recorded the repayment of %(application)s.")),
    "release": ("holder", gettext_lazy("The pledge of %(application)s is released.")),
    "mark_overdue": ("both", gettext_lazy("The loan of %(application)s is overdue.")),
    "declare_default": ("holder", gettext_lazy("%(bank)s declared %(application)s in default.")),
    "dispose": (
        "holder",
        gettext_lazy("%(bank)s disposed of the assets pledged under %(application)s."),
    ),
    "cancel": ("other", gettext_lazy("%(application)s was cancelled.")),
}


def _notify(application: PledgeApplication, name: str, by: User | None) -> None:
    side, message = NOTICES[name]
    bank_side = {"bank": True, "holder": False}.get(side)
    if side == "other":
        bank_side = not is_bank_reviewer_of(user=by, application=application)
    params = {
        "application": application,
        # Rendered in every language: each reader gets the names in theirs.
        "applicant": local_name_lazy(application.applicant),
        "bank": local_name_lazy(application.bank),
    }
    # Each side is sent to its own page of the application.
    to_bank = (application.bank_id, reverse("bank:application", args=[application.pk]))
    to_holder = (
        application.applicant_id,
        reverse("pledges:workspace_detail", args=[application.pk]),
    )
    if side == "both":
        targets = [to_bank, to_holder]
    elif bank_side:
        targets = [to_bank]
    else:
        targets = [to_holder]
    for organization_id, url in targets:
        notify_organizations(
            organizations=[organization_id],
            event=f"pledges.{name}",
            message=message,
            params=params,
            url=url,
            actor=by,
            target=application,
        )


# --- the transition runner -----------------------------------------------------------------


def _run(
    *,
    application: PledgeApplication,
    by: User | None,
    name: str,
    side: Side,
    note: str = "",
    check: Callable[[PledgeApplication], None] | None = None,
    apply: Callable[[PledgeApplication], None] | None = None,
) -> PledgeApplication:
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError(
            _("A note is at most %(max)d characters.") % {"max": MAX_NOTE_LENGTH},
            code="note_too_long",
        )
    try:
        with transaction.atomic():
            locked = (
                PledgeApplication.objects.select_for_update(of=("self",))
                .select_related("applicant", "bank", "reviewer")
                .get(pk=application.pk)
            )
            _authorise(by=by, application=locked, side=side)
            source = locked.state
            method = getattr(locked, name)
            if not can_proceed(method):
                if name == "claim" and locked.state == PledgeState.UNDER_REVIEW:
                    raise ValidationError(
                        _("This application was already claimed by %(reviewer)s.")
                        % {"reviewer": locked.reviewer or _("another reviewer")},
                        code="already_claimed",
                    )
                raise ValidationError(
                    _("This application is “%(state)s”, so that step is not possible now.")
                    % {"state": locked.get_state_display()},
                    code="invalid_transition",
                )
            if check is not None:
                check(locked)
            if apply is not None:
                apply(locked)
            method(by=by, description=note)
            locked.state_changed_at = timezone.now()
            locked.save()
            _sync_active_flags(locked)
            # The bank never saw a draft: withdrawing one tells nobody. (Decided on the
            # locked row, not on the caller's copy, which may be stale.)
            if not (name == "withdraw" and source == PledgeState.DRAFT):
                _notify(locked, name, by)
    except ConcurrentTransition:
        # Only reachable when a caller saved a stale copy inside this transaction; the
        # row lock above serialises the services themselves.
        raise ValidationError(
            _("This application was changed by someone else meanwhile. Reload it and try again."),
            code="concurrent_transition",
        ) from None
    return locked


def _sync_active_flags(application: PledgeApplication) -> None:
    """The assets' active flags follow the application's state (the partial unique index on
    them is the database's own guard against a double pledge)."""
    active = application.state in ACTIVE_PLEDGE_STATES
    PledgedAsset.objects.filter(application=application).exclude(active=active).update(
        active=active
    )


# --- drafting (the holder) -----------------------------------------------------------------


def _distinct(assets: Sequence[IPAsset]) -> list[IPAsset]:
    """The assets once each, in the order given (a form or API may repeat one)."""
    return list({asset.pk: asset for asset in assets}.values())


def pledge_application_create(
    *,
    by: User,
    applicant: Organization,
    bank: Organization | None,
    assets: Sequence[IPAsset],
    requested_amount: Decimal | None,
    term_months: int | None,
    purpose: str,
    listing: Listing | None = None,
    submit: bool = False,
) -> PledgeApplication:
    """A member of the holder drafts an application to a verified bank, pledging assets the
    holder holds that can be pledged (valid, granted, not pledged already, outliving the
    requested term), optionally from one of its published pledge listings; with `submit`,
    sends it to the bank at once (`pledge_submit`'s rules).

    Everything is checked before anything is written, and the whole create (with the
    submission) is one transaction: a refused create leaves nothing behind."""
    if not acting_memberships(user=by).filter(organization=applicant).exists():
        raise PermissionDenied(_("Only members of the applicant can do this."))
    assets = _distinct(assets)
    errors = _field_errors(
        applicant=applicant,
        bank=bank,
        assets=assets,
        requested_amount=requested_amount,
        term_months=term_months,
        purpose=purpose,
    )
    if listing is not None and (
        listing.holder_id != applicant.pk
        or listing.intent != ListingIntent.PLEDGE
        or listing.state != ListingState.PUBLISHED
    ):
        errors["listing"] = [_("Apply from a published pledge listing of your own.")]
    if errors:
        raise ValidationError(errors)
    if submit and not applicant.is_verified:
        raise ValidationError(
            _("The applicant must be verified by platform staff first."),
            code="applicant_not_verified",
        )
    with transaction.atomic():
        application = PledgeApplication.objects.create(
            applicant=applicant,
            bank=bank,
            listing=listing,
            requested_amount=requested_amount,
            term_months=term_months,
            purpose=purpose.strip(),
            created_by=by,
            state_changed_at=timezone.now(),
        )
        PledgedAsset.objects.bulk_create(
            [PledgedAsset(application=application, asset=asset) for asset in assets]
        )
        if submit:
            # Its rules again, on the written rows: a refusal rolls the draft back too.
            application = pledge_submit(application=application, by=by)
    return application


def pledge_application_update(
    *, application: PledgeApplication, by: User, **fields: Any
) -> PledgeApplication:
    """The holder edits a draft, or a file the bank returned for information (the same
    rules as a new draft's)."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("These fields cannot be edited: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        locked = (
            PledgeApplication.objects.select_for_update(of=("self",))
            .select_related("applicant", "bank")
            .get(pk=application.pk)
        )
        _authorise(by=by, application=locked, side="holder")
        if locked.state not in EDITABLE_STATES:
            raise ValidationError(
                _("An application that is “%(state)s” cannot be edited.")
                % {"state": locked.get_state_display()},
                code="not_editable",
            )
        if (
            locked.state == PledgeState.RETURNED
            and "bank" in fields
            and fields["bank"] != locked.bank
        ):
            raise ValidationError(
                {"bank": [_("A returned application stays with its bank.")]}, code="not_editable"
            )
        assets = (
            _distinct(fields.pop("assets")) if "assets" in fields else list(locked.assets.all())
        )
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.purpose = locked.purpose.strip()
        errors = _field_errors(
            applicant=locked.applicant,
            bank=locked.bank,
            assets=assets,
            requested_amount=locked.requested_amount,
            term_months=locked.term_months,
            purpose=locked.purpose,
            application_id=locked.pk,
        )
        if errors:
            raise ValidationError(errors)
        locked.save()
        PledgedAsset.objects.filter(application=locked).exclude(asset__in=assets).delete()
        have = set(
            PledgedAsset.objects.filter(application=locked).values_list("asset_id", flat=True)
        )
        PledgedAsset.objects.bulk_create(
            [PledgedAsset(application=locked, asset=a) for a in assets if a.pk not in have]
        )
    return locked


def _check_eligible(application: PledgeApplication) -> None:
    # The bank was checked when the draft was saved; its verification may have been
    # revoked since, and the holder must not send the file to an unverified bank.
    if _bank_error(application.bank) is not None:
        raise ValidationError(
            _("This bank is not verified on the platform yet."), code="bank_not_verified"
        )
    _check_assets(application, start=timezone.localdate(), term_months=application.loan_term_months)


def pledge_submit(*, application: PledgeApplication, by: User) -> PledgeApplication:
    """The holder sends the draft to the bank. Verified applicant; every asset held,
    valid, granted, not under an active pledge, and outliving the requested term."""

    def apply(app: PledgeApplication) -> None:
        app.submitted_at = timezone.now()

    return _run(
        application=application,
        by=by,
        name="submit",
        side="holder",
        check=_check_eligible,
        apply=apply,
    )


def pledge_resubmit(
    *, application: PledgeApplication, by: User, note: str = ""
) -> PledgeApplication:
    """The holder answers the bank's questions and sends the file back to its queue."""
    return _run(
        application=application,
        by=by,
        name="resubmit",
        side="holder",
        note=note.strip(),
        check=_check_eligible,
    )


def pledge_withdraw(
    *, application: PledgeApplication, by: User, note: str = ""
) -> PledgeApplication:
    """The holder gives up, any time before the bank approves (the bank is told unless
    the application was still a draft)."""
    return _run(application=application, by=by, name="withdraw", side="holder", note=note.strip())


# --- the bank's review ---------------------------------------------------------------------


def pledge_claim(*, application: PledgeApplication, by: User) -> PledgeApplication:
    """A reviewer of the addressed bank takes the file (who and when are recorded); a
    second reviewer is told it is already claimed."""

    def apply(app: PledgeApplication) -> None:
        app.claimed_at = timezone.now()

    return _run(application=application, by=by, name="claim", side="bank", apply=apply)


def pledge_return_for_info(
    *, application: PledgeApplication, by: User, note: str
) -> PledgeApplication:
    """The reviewer asks the holder for more information (what, in the note)."""
    if not note.strip():
        raise ValidationError({"note": [_("Say what information the holder should add.")]})
    return _run(
        application=application, by=by, name="return_for_info", side="bank", note=note.strip()
    )


def pledge_approve(
    *,
    application: PledgeApplication,
    by: User,
    amount: Decimal,
    annual_rate: Decimal,
    term_months: int,
    note: str = "",
) -> PledgeApplication:
    """The bank offers a loan: at most the requested amount, a rate above zero and at most
    MAX_ANNUAL_RATE, a term the assets outlive; the asset rules are checked again."""
    errors: dict[str, list[str]] = {}
    if amount is None or amount <= 0:
        errors["amount"] = [_("Enter the approved amount, above zero.")]
    if annual_rate is None or not Decimal(0) < annual_rate <= MAX_ANNUAL_RATE:
        errors["annual_rate"] = [
            _("The annual rate is above 0%% and at most %(max)s%%.") % {"max": MAX_ANNUAL_RATE}
        ]
    if term_months is None or not 1 <= term_months <= MAX_TERM_MONTHS:
        errors["term_months"] = [
            _("The term is between 1 and %(max)d months.") % {"max": MAX_TERM_MONTHS}
        ]
    if errors:
        raise ValidationError(errors)

    def check(app: PledgeApplication) -> None:
        if amount > app.requested_amount:
            raise ValidationError(
                {
                    "amount": [
                        _("The approved amount cannot exceed the %(requested)s requested.")
                        % {"requested": format_yuan_exact(app.requested_amount, always_fen=True)}
                    ]
                },
                code="above_requested",
            )
        _check_assets(app, start=timezone.localdate(), term_months=term_months)

    def apply(app: PledgeApplication) -> None:
        app.approved_amount = amount
        app.annual_rate = annual_rate
        app.approved_term_months = term_months

    return _run(
        application=application,
        by=by,
        name="approve",
        side="bank",
        note=note.strip(),
        check=check,
        apply=apply,
    )


def pledge_reject(*, application: PledgeApplication, by: User, reason: str) -> PledgeApplication:
    """The bank declines, with a reason the holder reads."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Give a reason for the rejection.")]})
    return _run(application=application, by=by, name="reject", side="bank", note=reason.strip())


def pledge_sign_contract(
    *,
    application: PledgeApplication,
    by: User,
    contract_number: str,
    contract_date: datetime.date,
) -> PledgeApplication:
    """The bank records the signed loan and pledge contracts."""
    _required(contract_number.strip(), "contract_number", _("Enter the contract number."))
    _required(contract_date, "contract_date", _("Enter the date the contract was signed."))
    _not_in_future(contract_date, "contract_date")

    def apply(app: PledgeApplication) -> None:
        app.contract_number = contract_number.strip()
        app.contract_date = contract_date

    return _run(application=application, by=by, name="sign_contract", side="bank", apply=apply)


def pledge_register(
    *,
    application: PledgeApplication,
    by: User,
    registration_number: str,
    registration_date: datetime.date,
    secured_amount: Decimal,
) -> PledgeApplication:
    """The bank records the pledge registration. The assets are locked and checked once
    more: none may be under another active pledge (no double pledge). A pledge listing the
    holder applied from closes: the financing it sought is found."""
    _required(
        registration_number.strip(),
        "registration_number",
        _("Enter the pledge registration number."),
    )
    _required(registration_date, "registration_date", _("Enter the registration date."))
    _not_in_future(registration_date, "registration_date")
    if secured_amount is None or secured_amount <= 0:
        raise ValidationError({"secured_amount": [_("Enter the secured amount, above zero.")]})

    def check(app: PledgeApplication) -> None:
        _within_approved(
            app,
            secured_amount,
            "secured_amount",
            _("The secured amount cannot exceed the approved %(approved)s."),
        )
        if app.contract_date and registration_date < app.contract_date:
            raise ValidationError(
                {"registration_date": [_("A pledge is registered after its contract is signed.")]}
            )
        _check_assets(app, start=registration_date, term_months=app.loan_term_months, lock=True)

    def apply(app: PledgeApplication) -> None:
        app.registration_number = registration_number.strip()
        app.registration_date = registration_date
        app.secured_amount = secured_amount

    # One transaction: the listing closes with the registration, or neither happens.
    with transaction.atomic():
        registered = _run(
            application=application,
            by=by,
            name="register",
            side="bank",
            check=check,
            apply=apply,
        )
        _close_pledge_listing(registered, by=by)
        # The secured amount counts toward the goal: in this transaction or not at all.
        ledger_record_registration(application=registered, by=by)
    return registered


def _close_pledge_listing(application: PledgeApplication, *, by: User | None) -> None:
    if application.listing_id is None:
        return
    listing = Listing.objects.filter(
        pk=application.listing_id, state=ListingState.PUBLISHED
    ).first()
    if listing is not None:
        try:
            listing_close(listing=listing, by=by, note=str(application))
        except ValidationError as error:
            # withdrawn or expired since it was read: there is nothing left to close
            if error.code != "invalid_transition":
                raise


def pledge_disburse(
    *, application: PledgeApplication, by: User, disbursed_on: datetime.date, amount: Decimal
) -> PledgeApplication:
    """The bank pays the loan out; the maturity date follows from the approved term and
    must fall before every pledged asset expires."""
    _required(disbursed_on, "disbursed_on", _("Enter the disbursement date."))
    _not_in_future(disbursed_on, "disbursed_on")
    if amount is None or amount <= 0:
        raise ValidationError({"amount": [_("Enter the disbursed amount, above zero.")]})

    def check(app: PledgeApplication) -> None:
        _within_approved(
            app,
            amount,
            "amount",
            _("The disbursed amount cannot exceed the approved %(approved)s."),
        )
        if app.registration_date and disbursed_on < app.registration_date:
            raise ValidationError(
                {"disbursed_on": [_("The loan is disbursed after the pledge is registered.")]}
            )
        _check_assets(app, start=disbursed_on, term_months=app.loan_term_months)

    def apply(app: PledgeApplication) -> None:
        app.disbursed_on = disbursed_on
        app.disbursed_amount = amount
        app.maturity_date = add_months(disbursed_on, app.loan_term_months)

    return _run(
        application=application, by=by, name="disburse", side="bank", check=check, apply=apply
    )


def _on_or_after(day: datetime.date, earlier: datetime.date | None, field: str) -> None:
    _not_in_future(day, field)
    if earlier is not None and day < earlier:
        raise ValidationError(
            {field: [_("This date cannot be before %(day)s.") % {"day": earlier.isoformat()}]}
        )


def pledge_repay(
    *, application: PledgeApplication, by: User, repaid_on: datetime.date
) -> PledgeApplication:
    """The bank records that the loan was repaid (also after it fell overdue)."""
    _required(repaid_on, "repaid_on", _("Enter the repayment date."))

    def apply(app: PledgeApplication) -> None:
        _on_or_after(repaid_on, app.disbursed_on, "repaid_on")
        app.repaid_on = repaid_on

    return _run(application=application, by=by, name="repay", side="bank", apply=apply)


def pledge_release(
    *, application: PledgeApplication, by: User, released_on: datetime.date
) -> PledgeApplication:
    """The bank records the cancellation of the pledge registration."""
    _required(released_on, "released_on", _("Enter the release date."))

    def apply(app: PledgeApplication) -> None:
        _on_or_after(released_on, app.repaid_on, "released_on")
        app.released_on = released_on

    return _run(application=application, by=by, name="release", side="bank", apply=apply)


def pledge_declare_default(
    *, application: PledgeApplication, by: User, note: str
) -> PledgeApplication:
    """The bank declares an overdue borrower in default (the note says why)."""
    if not note.strip():
        raise ValidationError({"note": [_("Say why the borrower is in default.")]})

    def apply(app: PledgeApplication) -> None:
        app.defaulted_on = timezone.localdate()

    return _run(
        application=application,
        by=by,
        name="declare_default",
        side="bank",
        note=note.strip(),
        apply=apply,
    )


def pledge_dispose(
    *, application: PledgeApplication, by: User, disposed_on: datetime.date, note: str
) -> PledgeApplication:
    """The bank records how it realised the pledged assets (auction, sale, discount)."""
    _required(disposed_on, "disposed_on", _("Enter the disposal date."))
    if not note.strip():
        raise ValidationError({"note": [_("Say how the assets were disposed of.")]})

    def apply(app: PledgeApplication) -> None:
        _on_or_after(disposed_on, app.defaulted_on, "disposed_on")
        app.disposed_on = disposed_on

    return _run(
        application=application,
        by=by,
        name="dispose",
        side="bank",
        note=note.strip(),
        apply=apply,
    )


def pledge_cancel(*, application: PledgeApplication, by: User, reason: str) -> PledgeApplication:
    """Either party calls off an approved loan before the pledge is registered."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Give a reason for the cancellation.")]})
    return _run(application=application, by=by, name="cancel", side="either", note=reason.strip())


# --- the daily job -------------------------------------------------------------------------


def pledges_due_overdue(*, today: datetime.date | None = None) -> QuerySet[PledgeApplication]:
    today = today or timezone.localdate()
    return PledgeApplication.objects.filter(state=PledgeState.DISBURSED, maturity_date__lt=today)


def pledges_mark_overdue(*, today: datetime.date | None = None) -> int:
    """Disbursed loans past their maturity date become overdue; safe to run twice."""
    marked = 0
    for pk in pledges_due_overdue(today=today).values_list("pk", flat=True):
        try:
            _run(
                application=PledgeApplication(pk=pk),
                by=None,
                name="mark_overdue",
                side="system",
                note=_("Maturity date passed without a recorded repayment."),
            )
        except ValidationError:
            continue  # repaid meanwhile
        marked += 1
    return marked


# --- the pledgee's consent (Civil Code art. 444) ------------------------------------------


def _consenting(application: PledgeApplication, by: User) -> PledgeApplication:
    """The application locked, once `by` is known to review for its bank and the pledge is
    active (consent is the pledgee's, and only a pledge in force needs it)."""
    locked = (
        PledgeApplication.objects.select_for_update(of=("self",))
        .select_related("bank")
        .get(pk=application.pk)
    )
    _authorise(by=by, application=locked, side="bank")
    if locked.state not in ACTIVE_PLEDGE_STATES:
        raise ValidationError(
            _("Consent is given only while the pledge is active."), code="not_active"
        )
    return locked


def pledge_consent_give(
    *, application: PledgeApplication, deal: Any, by: User, note: str = ""
) -> PledgeConsent:
    """A reviewer of the pledgee bank consents to one open deal on a pledged asset (giving
    it twice changes nothing)."""
    from marketplace.deals.models import OPEN_DEAL_STATES

    with transaction.atomic():
        locked = _consenting(application, by)
        if not PledgedAsset.objects.filter(
            application=locked, asset__listings=deal.listing_id
        ).exists():
            raise ValidationError(
                _("This deal does not concern an asset pledged under this application."),
                code="unrelated_deal",
            )
        if deal.state not in OPEN_DEAL_STATES:
            raise ValidationError(
                _("Consent is given to an open deal only; this one is “%(state)s”.")
                % {"state": deal.get_state_display()},
                code="deal_not_open",
            )
        consent, created = PledgeConsent.objects.get_or_create(
            application=locked, deal=deal, defaults={"given_by": by, "note": note.strip()[:500]}
        )
        if not created:
            return consent
        notify_organizations(
            organizations=[deal.seller_id, deal.buyer_id],
            event="pledges.consent",
            message=gettext_lazy("%(bank)s consented to %(deal)s on its pledged asset."),
            params={"bank": local_name_lazy(locked.bank), "deal": deal},
            url=reverse("deals:detail", args=[deal.pk]),
            actor=by,
            target=deal,
        )
    return consent


# Listings the pledgee consents to: sent for review, for a transfer or a licence.
CONSENTABLE_LISTING_INTENTS = (ListingIntent.TRANSFER, ListingIntent.LICENCE)


def pledge_listing_consent_give(
    *, application: PledgeApplication, listing: Listing, by: User, note: str = ""
) -> PledgeConsent:
    """A reviewer of the pledgee bank consents to a listing, for transfer or licence, of an
    asset pledged under the application while the listing waits for review: the listing
    may then be published (Civil Code art. 444). Giving it twice changes nothing; each
    deal on the listing still needs the bank's consent of its own."""
    with transaction.atomic():
        locked = _consenting(application, by)
        if not PledgedAsset.objects.filter(application=locked, asset__listings=listing).exists():
            raise ValidationError(
                _("This listing does not concern an asset pledged under this application."),
                code="unrelated_listing",
            )
        if listing.intent not in CONSENTABLE_LISTING_INTENTS:
            raise ValidationError(
                _("Consent is given to a listing for transfer or licence only."),
                code="not_consentable",
            )
        if listing.state != ListingState.PENDING_REVIEW:
            raise ValidationError(
                _("Consent is given to a listing waiting for review only; this one is “%(state)s”.")
                % {"state": listing.get_state_display()},
                code="listing_not_pending",
            )
        consent, created = PledgeConsent.objects.get_or_create(
            application=locked,
            listing=listing,
            defaults={"given_by": by, "note": note.strip()[:500]},
        )
        if not created:
            return consent
        notify_organizations(
            organizations=[listing.holder_id],
            event="pledges.listing_consent",
            message=gettext_lazy(
                "%(bank)s consented to the listing “%(listing)s” of its pledged asset; "
                "platform staff can now publish it."
            ),
            params={"bank": locked.bank.name, "listing": listing.title},
            url=reverse("listings:workspace_listing_detail", args=[listing.pk]),
            actor=by,
            target=listing,
        )
    return consent
