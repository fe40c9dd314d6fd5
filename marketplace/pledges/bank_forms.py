"""The bank reviewer's forms: one per transition of a pledge application, and the upload.

The forms only shape the request (types, lengths, sensible defaults); every rule — the
approved amount within the requested one, no double pledge, dates in order — is the
services'. Their errors come back through `ServiceErrorsMixin.apply_service_error`, so each
form's field names are the keyword arguments of its service (`pledge_<action>`).
"""

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marketplace.documents.forms import DocumentUploadForm
from marketplace.documents.models import DocumentKind
from marketplace.forms import ServiceErrorsMixin

from .models import MONEY, PledgeApplication
from .services import MAX_TERM_MONTHS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NOTE_MAX_LENGTH = 1000  # PledgeApplication.last_note
NUMBER_MAX_LENGTH = 60  # contract and registration numbers


def _money_field(label: "StrOrPromise") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=MONEY["max_digits"],
        decimal_places=MONEY["decimal_places"],
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def _date_field(label: "StrOrPromise") -> forms.DateField:
    """A date the browser offers a picker for; today by default (most events are entered
    the day they happen)."""
    return forms.DateField(
        label=label,
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _text_field(
    label: "StrOrPromise", *, required: bool = True, help_text: "StrOrPromise" = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=NOTE_MAX_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TransitionForm(ServiceErrorsMixin, forms.Form):
    """The data one transition needs. `action` names the transition (the model's method,
    the service `pledge_<action>` and the URL `bank:<action>`); it is also the form's
    prefix, so the page's forms never share an HTML id."""

    action: ClassVar[str]
    title: ClassVar[Promise]
    submit_label: ClassVar[Promise]
    # A transition that hands the file back or ends it: the button says so in red.
    danger: ClassVar[bool] = False

    def __init__(self, *args: Any, application: PledgeApplication, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.action)
        super().__init__(*args, **kwargs)
        self.application = application

    @property
    def url(self) -> str:
        return reverse(f"bank:{self.action}", args=[self.application.pk])


class ClaimForm(TransitionForm):
    action = "claim"
    title = _("Claim the application")
    submit_label = _("Claim")


class ReturnForInfoForm(TransitionForm):
    action = "return_for_info"
    title = _("Ask the holder for more information")
    submit_label = _("Return for information")

    note = _text_field(
        _("What should the holder add?"),
        help_text=_("The holder reads this note; the application comes back when they answer."),
    )


class ApproveForm(TransitionForm):
    action = "approve"
    title = _("Approve: make the loan offer")
    submit_label = _("Approve")

    amount = _money_field(_("Approved amount (yuan)"))
    annual_rate = forms.DecimalField(
        label=_("Annual interest rate (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    term_months = forms.IntegerField(
        label=_("Term (months)"), min_value=1, max_value=MAX_TERM_MONTHS
    )
    note = _text_field(_("Note to the holder (optional)"), required=False)

    def __init__(self, *args: Any, application: PledgeApplication, **kwargs: Any) -> None:
        super().__init__(*args, application=application, **kwargs)
        # The offer usually is what was asked; the reviewer lowers it where needed.
        self.fields["amount"].initial = application.requested_amount
        self.fields["term_months"].initial = application.term_months


class RejectForm(TransitionForm):
    action = "reject"
    title = _("Reject the application")
    submit_label = _("Reject")
    danger = True

    reason = _text_field(_("Reason for the rejection"), help_text=_("The holder reads this."))


class SignContractForm(TransitionForm):
    action = "sign_contract"
    title = _("Record the signed contracts")
    submit_label = _("Record the contract")

    contract_number = forms.CharField(label=_("Loan contract number"), max_length=NUMBER_MAX_LENGTH)
    contract_date = _date_field(_("Contract date"))


class RegisterForm(TransitionForm):
    action = "register"
    title = _("Record the pledge registration")
    submit_label = _("Record the registration")

    registration_number = forms.CharField(
        label=_("Pledge registration number"), max_length=NUMBER_MAX_LENGTH
    )
    registration_date = _date_field(_("Registration date"))
    secured_amount = _money_field(_("Secured amount (yuan)"))

    def __init__(self, *args: Any, application: PledgeApplication, **kwargs: Any) -> None:
        super().__init__(*args, application=application, **kwargs)
        self.fields["secured_amount"].initial = application.approved_amount


class DisburseForm(TransitionForm):
    action = "disburse"
    title = _("Record the disbursement")
    submit_label = _("Record the disbursement")

    disbursed_on = _date_field(_("Disbursed on"))
    amount = _money_field(_("Disbursed amount (yuan)"))

    def __init__(self, *args: Any, application: PledgeApplication, **kwargs: Any) -> None:
        super().__init__(*args, application=application, **kwargs)
        self.fields["amount"].initial = application.secured_amount or application.approved_amount


class RepayForm(TransitionForm):
    action = "repay"
    title = _("Record the repayment")
    submit_label = _("Record the repayment")

    repaid_on = _date_field(_("Repaid on"))


class ReleaseForm(TransitionForm):
    action = "release"
    title = _("Record the release of the pledge")
    submit_label = _("Record the release")

    released_on = _date_field(_("Released on"))


class DeclareDefaultForm(TransitionForm):
    action = "declare_default"
    title = _("Declare the borrower in default")
    submit_label = _("Declare default")
    danger = True

    note = _text_field(_("Why is the borrower in default?"))


class DisposeForm(TransitionForm):
    action = "dispose"
    title = _("Record the disposal of the pledged assets")
    submit_label = _("Record the disposal")

    disposed_on = _date_field(_("Disposed on"))
    note = _text_field(
        _("How were the assets disposed of?"),
        help_text=_("For example: auction, sale by agreement, or discount."),
    )


class CancelForm(TransitionForm):
    action = "cancel"
    title = _("Cancel the approved loan")
    submit_label = _("Cancel the loan")
    danger = True

    reason = _text_field(_("Reason for the cancellation"), help_text=_("The holder reads this."))


# Every transition a bank reviewer runs, in the order the page shows the possible ones.
TRANSITION_FORMS: dict[str, type[TransitionForm]] = {
    form.action: form
    for form in (
        ClaimForm,
        ApproveForm,
        ReturnForInfoForm,
        RejectForm,
        SignContractForm,
        RegisterForm,
        DisburseForm,
        RepayForm,
        ReleaseForm,
        DeclareDefaultForm,
        DisposeForm,
        CancelForm,
    )
}


class ConsentForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)


# What a bank attaches to an application (the holder uploads the certificates).
BANK_DOCUMENT_KINDS = (
    DocumentKind.REGISTRATION,
    DocumentKind.CONTRACT,
    DocumentKind.VALUATION_REPORT,
    DocumentKind.OTHER,
)


class BankDocumentUploadForm(DocumentUploadForm):
    """The document form with the kinds a bank files: the pledge registration notice, the
    loan and pledge contracts, its own valuation, anything else."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "bank_document_%s")
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(k.value, k.label) for k in BANK_DOCUMENT_KINDS]
        kind.initial = DocumentKind.REGISTRATION
