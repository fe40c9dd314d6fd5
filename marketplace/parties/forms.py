from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.forms import ServiceErrorsMixin

from .districts import District
from .models import OrganizationKind
from .validators import validate_credit_code

# Kinds a person may register themselves; regulators are set up by staff.
SELF_REGISTERED_KINDS = [
    (value, label) for value, label in OrganizationKind.choices if value != "regulator"
]


class OrganizationRegistrationForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=SELF_REGISTERED_KINDS)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        help_text=_("18 characters, as printed on the business licence."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    district = forms.ChoiceField(label=_("District"), choices=District.choices)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_credit_code(self) -> str:
        return validate_credit_code(self.cleaned_data["credit_code"])
