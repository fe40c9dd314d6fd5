from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from marketplace.forms import ServiceErrorsMixin
from marketplace.parties.districts import District
from marketplace.parties.models import Organization

from .models import AssetKind, AssetStatus, Industry
from .validators import validate_ip_number


class DateInput(forms.DateInput):
    input_type = "date"


class IPAssetForm(ServiceErrorsMixin, forms.Form):
    holder = forms.ModelChoiceField(label=_("Holder"), queryset=Organization.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=AssetKind.choices)
    number = forms.CharField(
        label=_("Number"),
        max_length=60,
        help_text=_("e.g. 202310123456.6 for a patent, 2023SR0123456 for software."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    filing_date = forms.DateField(label=_("Filing date"), required=False, widget=DateInput)
    grant_date = forms.DateField(
        label=_("Grant / registration date"), required=False, widget=DateInput
    )
    status = forms.ChoiceField(label=_("Status"), choices=AssetStatus.choices)
    ipc_codes = forms.CharField(
        label=_("IPC codes"),
        required=False,
        help_text=_("Patents only; separate with commas, e.g. H01M 10/052, H01M 4/58."),
    )
    nice_classes = forms.CharField(
        label=_("Nice classes"),
        required=False,
        help_text=_("Trademarks only; numbers 1–45 separated by commas."),
    )
    industry = forms.ChoiceField(label=_("Industry"), choices=Industry.choices)
    district = forms.ChoiceField(
        label=_("District"),
        choices=[("", _("Same as the holder")), *District.choices],
        required=False,
    )
    abstract = forms.CharField(
        label=_("Abstract"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        holder = self.fields["holder"]
        assert isinstance(holder, forms.ModelChoiceField)
        holder.queryset = organizations
        if len(choices := list(organizations[:2])) == 1:
            self.initial.setdefault("holder", choices[0].pk)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        # Check the number with the rest of the form, so every error shows at once; the
        # service checks it again (with uniqueness) before saving.
        kind, number = self.cleaned_data.get("kind"), self.cleaned_data.get("number")
        if kind and number:
            try:
                self.cleaned_data["number"] = validate_ip_number(kind, number)
            except ValidationError as error:
                self.add_error("number", error)
        return cleaned
