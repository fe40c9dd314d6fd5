"""Forms of the deal pages. They only parse the input: the rules (a price above zero, licence
dates, who may act, the pledge and licence guards) live in the services, whose messages
show next to these fields (ServiceErrorsMixin) or above the form."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from listings.models import Listing, ListingIntent
from marketplace.documents.validators import ACCEPT_ATTRIBUTE
from marketplace.forms import ServiceErrorsMixin
from marketplace.parties.models import Organization


class DateInput(forms.DateInput):
    input_type = "date"


def _money_field(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=18,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        **kwargs,
    )


class DealOfferForm(ServiceErrorsMixin, forms.Form):
    """The buyer's offer on a transfer or licence listing; the licence terms only for a
    licence listing."""

    buyer = forms.ModelChoiceField(
        label=_("Offer on behalf of"), queryset=Organization.objects.none(), empty_label=None
    )
    price = _money_field(
        _("Your offer (yuan)"),
        help_text=_("The price for the whole listing, in yuan."),
    )
    message = forms.CharField(
        label=_("Message to the seller"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: what you intend to do with the right, how you would pay."),
    )
    territory = forms.CharField(label=_("Territory"), max_length=200, required=False)
    licence_start = forms.DateField(label=_("Licence starts"), required=False, widget=DateInput)
    licence_end = forms.DateField(label=_("Licence ends"), required=False, widget=DateInput)
    royalty = forms.CharField(
        label=_("Royalty"),
        max_length=200,
        required=False,
        help_text=_("Optional, e.g. “net sales × 3%, paid yearly”."),
    )

    LICENCE_FIELDS = ("territory", "licence_start", "licence_end", "royalty")

    def __init__(
        self, *args: Any, listing: Listing, buyers: QuerySet[Organization], **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", "offer_%s")
        super().__init__(*args, **kwargs)
        self.listing = listing
        buyer = self.fields["buyer"]
        assert isinstance(buyer, forms.ModelChoiceField)
        buyer.queryset = buyers
        choices = list(buyers[:2])
        # One organisation to offer for: no choice to make, so no select to show.
        self.single_buyer = choices[0] if len(choices) == 1 else None
        if self.single_buyer is not None:
            buyer.widget = forms.HiddenInput()
            self.initial.setdefault("buyer", self.single_buyer.pk)
        if listing.asking_price is not None:
            self.initial.setdefault("price", listing.asking_price)
        if listing.intent == ListingIntent.LICENCE:
            self.initial.setdefault("territory", _("Mainland China"))
            self.initial.setdefault("licence_start", timezone.localdate())
        else:
            for name in self.LICENCE_FIELDS:
                del self.fields[name]

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.setdefault("territory", "")
        data.setdefault("licence_start", None)
        data.setdefault("licence_end", None)
        data.setdefault("royalty", "")
        return data


# --- the actions on a deal: each form's fields are the service's keyword arguments ------


class DealActionForm(ServiceErrorsMixin, forms.Form):
    action = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.action}_%s")
        super().__init__(*args, **kwargs)


class DealAcceptForm(DealActionForm):
    action = "accept"
    deposit_amount = _money_field(
        _("Deposit (yuan)"),
        required=False,
        help_text=_("Leave empty for a tenth of the price (10%). At most the price."),
    )
    note = forms.CharField(label=_("Note to the buyer (optional)"), max_length=1000, required=False)


class DealDeclineForm(DealActionForm):
    action = "decline"
    reason = forms.CharField(
        label=_("Reason (the buyer reads it)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DealWithdrawForm(DealActionForm):
    action = "withdraw"
    note = forms.CharField(label=_("Reason (optional)"), max_length=1000, required=False)


class DealSignForm(DealActionForm):
    action = "sign"


class DealRecordalForm(DealActionForm):
    action = "file_recordal"
    recordal_number = forms.CharField(label=_("Recordal number"), max_length=60, required=False)
    recordal_date = forms.DateField(label=_("Filed on"), required=False, widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("recordal_date", timezone.localdate())


class DealCancelForm(DealActionForm):
    action = "cancel"
    reason = forms.CharField(
        label=_("Reason for the cancellation"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


ACTION_FORMS: dict[str, type[DealActionForm]] = {
    form.action: form
    for form in (
        DealAcceptForm,
        DealDeclineForm,
        DealWithdrawForm,
        DealSignForm,
        DealRecordalForm,
        DealCancelForm,
    )
}


class RecordalEvidenceForm(forms.Form):
    """The authority's document of the recordal; recordal_evidence_submit checks the file
    (type, size, first bytes) and the deal."""

    file = forms.FileField(
        label=_("The authority's document"),
        help_text=_("A scan or the electronic notice: PDF, PNG or JPEG, at most 10 MB."),
        allow_empty_file=True,  # the service gives its own message for an empty file
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        error_messages={"required": _("Choose the file to upload.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "evidence_%s")
        super().__init__(*args, **kwargs)
