"""The holder's forms for pledge-financing applications.

They only parse the input: the rules (a verified bank, assets the applicant holds, an
amount above zero, a term of 1–120 months, a purpose) live in the services, whose
ValidationErrors show next to these fields (ServiceErrorsMixin).
"""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from listings.models import IPAsset, Listing
from marketplace.forms import ServiceErrorsMixin
from marketplace.parties.models import Organization

from .models import PledgeApplication, PledgeState


class PledgeAssetChoiceField(forms.ModelMultipleChoiceField):
    """Each asset with what decides whether it can be pledged: status, expiry, and whether
    it is already under an active pledge (`pledged` ids, computed once by the form)."""

    pledged: frozenset[int] = frozenset()

    def label_from_instance(self, obj: Any) -> str:
        parts = [obj.title, obj.number, obj.get_kind_display(), obj.get_status_display()]
        if obj.expiry_date is not None:
            parts.append(str(_("expires %(date)s") % {"date": obj.expiry_date.isoformat()}))
        if obj.pk in self.pledged:
            parts.append(str(_("under an active pledge")))
        parts.append(obj.holder.local_name)
        return " · ".join(parts)


class PledgeApplicationForm(ServiceErrorsMixin, forms.Form):
    """A new application, or the edit of a draft / returned one (`application` given: the
    applicant is fixed, and a returned application keeps its bank)."""

    applicant = forms.ModelChoiceField(
        label=_("Applicant"), queryset=Organization.objects.none(), empty_label=None
    )
    bank = forms.ModelChoiceField(
        label=_("Bank"),
        queryset=Organization.objects.none(),
        help_text=_("The bank that reviews the application and lends."),
    )
    assets = PledgeAssetChoiceField(
        label=_("IP assets to pledge"),
        queryset=IPAsset.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Valid, granted assets of the applicant that are not under another pledge and "
            "do not expire before the loan matures."
        ),
    )
    requested_amount = forms.DecimalField(
        label=_("Requested amount (yuan)"),
        max_digits=18,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    term_months = forms.IntegerField(
        label=_("Term (months)"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("1 to 120 months."),
    )
    purpose = forms.CharField(
        label=_("Purpose of the loan"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the money is for, e.g. research and development, working capital."),
    )
    # The published pledge listing the holder applies from (set by ?listing=); its errors
    # are shown above the form, as the field itself is hidden.
    listing = forms.ModelChoiceField(
        queryset=Listing.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(
        self,
        *args: Any,
        applicants: QuerySet[Organization] | None,
        banks: QuerySet[Organization],
        assets: QuerySet[IPAsset],
        pledged_asset_ids: Iterable[int] = (),
        listings: QuerySet[Listing] | None = None,
        application: PledgeApplication | None = None,
        **kwargs: Any,
    ) -> None:
        self.sole_applicant: Organization | None = None
        if application is not None:
            kwargs.setdefault(
                "initial",
                {
                    "bank": application.bank_id,
                    "assets": [asset.pk for asset in application.assets.all()],
                    "requested_amount": application.requested_amount,
                    "term_months": application.term_months,
                    "purpose": application.purpose,
                },
            )
        super().__init__(*args, **kwargs)
        self._field("bank").queryset = banks
        asset_field = self._field("assets")
        asset_field.queryset = assets
        assert isinstance(asset_field, PledgeAssetChoiceField)
        asset_field.pledged = frozenset(pledged_asset_ids)
        if application is not None:
            # The applicant of an application never changes; a returned one stays with
            # its bank (the service refuses the change too).
            del self.fields["applicant"]
            del self.fields["listing"]
            if application.state == PledgeState.RETURNED:
                del self.fields["bank"]
            return
        assert applicants is not None
        self._field("applicant").queryset = applicants
        if listings is not None:
            self._field("listing").queryset = listings
        if len(choices := list(applicants[:2])) == 1:
            # One organisation: nothing to choose (the page names it).
            self.sole_applicant = choices[0]
            self.fields["applicant"].widget = forms.HiddenInput()
            self.initial.setdefault("applicant", choices[0].pk)

    def _field(self, name: str) -> forms.ModelChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        return field

    def full_clean(self) -> None:
        super().full_clean()
        self._show_hidden_errors()

    def apply_service_error(self, error: ValidationError) -> None:
        super().apply_service_error(error)
        self._show_hidden_errors()

    def _show_hidden_errors(self) -> None:
        """Errors of a hidden field (the listing, a sole applicant) go above the form,
        where the page shows them."""
        errors = getattr(self, "_errors", None)
        if not errors:
            return
        for name in [name for name in errors if name in self.fields]:
            if self.fields[name].widget.is_hidden:
                hidden = errors.pop(name)
                self.cleaned_data.pop(name, None)
                self.add_error(None, hidden.as_data())


class PledgeNoteForm(forms.Form):
    """The note given with a holder's step: an answer to the bank, a reason. Whether one
    is required is the service's to say (a cancellation needs a reason)."""

    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
