"""Query-string forms of the public pages. Like the listing search form, a bad value is
dropped with a message, never a failed page."""

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from marketplace.parties.districts import District
from marketplace.parties.models import SERVICE_INSTITUTION_KINDS, OrganizationKind

# The search looks at the first 100 characters (listings.search.MAX_QUERY_LENGTH); keeping a
# little more than that is enough to show the visitor what they typed without echoing a
# 10 000-character query into every link of the page.
MAX_QUERY_CHARS = 200


def search_form_data(params: QueryDict) -> QueryDict:
    data = params.copy()
    if "q" in data:
        data["q"] = (params.get("q") or "")[:MAX_QUERY_CHARS]
    return data


def dropped_filters(form: forms.Form) -> list[tuple[str, list[str]]]:
    """(label, messages) of every query-string value that was ignored."""
    form.is_valid()
    dropped = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else name
        dropped.append((str(label), [str(error) for error in errors]))
    return dropped


class InstitutionFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("", _("All kinds")),
            *(
                (value, label)
                for value, label in OrganizationKind.choices
                if value in SERVICE_INSTITUTION_KINDS
            ),
        ],
        required=False,
    )
    district = forms.ChoiceField(
        label=_("District"), choices=[("", _("All districts")), *District.choices], required=False
    )

    def valid_filters(self) -> dict[str, Any]:
        """The fields that passed validation; the ones that did not are left out."""
        self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in self.errors and value not in (None, "", False)
        }
