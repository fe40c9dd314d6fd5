from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketplace.forms import ServiceErrorsMixin
from marketplace.parties.districts import District
from marketplace.parties.models import Organization

from .models import (
    DEFAULT_VALIDITY_DAYS,
    AssetKind,
    AssetStatus,
    Industry,
    IPAsset,
    LicenceType,
    Listing,
    ListingIntent,
    default_valid_until,
)
from .selectors import AssetNote
from .services.listings import valid_until_missing_message
from .validators import validate_ip_number


class DateInput(forms.DateInput):
    """The browser's date picker. Its value is always ISO 8601 (YYYY-MM-DD): the active
    language's first input format (2025/03/01 in Chinese) would leave the picker empty."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or "%Y-%m-%d")


class IPAssetForm(ServiceErrorsMixin, forms.Form):
    holder = forms.ModelChoiceField(label=_("Holder"), queryset=Organization.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=AssetKind.choices)
    number = forms.CharField(
        label=pgettext_lazy("IP asset", "Number"),
        max_length=60,
        help_text=_("e.g. 202310123456.6 for a patent, 2023SR0123456 for software."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    filing_date = forms.DateField(label=_("Filing date"), required=False, widget=DateInput)
    grant_date = forms.DateField(
        label=_("Grant / registration date"), required=False, widget=DateInput
    )
    status = forms.ChoiceField(
        label=pgettext_lazy("IP asset", "Status"), choices=AssetStatus.choices
    )
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


class ListingSearchForm(forms.Form):
    """The portal's query string. Every field is optional; a bad value is dropped with a
    message instead of failing the page."""

    SORTS = (
        ("relevance", _("Relevance")),
        ("newest", _("Newest")),
        ("price_asc", _("Price: low to high")),
        ("price_desc", _("Price: high to low")),
    )

    q = forms.CharField(label=_("Search"), required=False, strip=True)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *AssetKind.choices], required=False
    )
    intent = forms.ChoiceField(
        label=_("Intent"), choices=[("", _("All intents")), *ListingIntent.choices], required=False
    )
    industry = forms.ChoiceField(
        label=_("Industry"), choices=[("", _("All industries")), *Industry.choices], required=False
    )
    district = forms.ChoiceField(
        label=_("District"), choices=[("", _("All districts")), *District.choices], required=False
    )
    l_belt = forms.BooleanField(label=_("L-shaped service belt only"), required=False)
    verified = forms.BooleanField(label=_("Verified holders only"), required=False)
    closed = forms.BooleanField(label=_("Closed deals only (results)"), required=False)
    price_min = forms.DecimalField(
        label=_("Price from (yuan)"), required=False, min_value=0, max_digits=18, decimal_places=2
    )
    price_max = forms.DecimalField(
        label=_("Price to (yuan)"), required=False, min_value=0, max_digits=18, decimal_places=2
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        low, high = self.cleaned_data.get("price_min"), self.cleaned_data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("The upper price is below the lower one."))
        return cleaned

    def valid_filters(self) -> dict[str, Any]:
        """The fields that passed validation; the ones that did not are left out."""
        self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in self.errors and value not in (None, "", False)
        }


class IPAssetEditForm(IPAssetForm):
    """IPAssetForm without the holder: an asset changes hands only through a transfer."""

    def __init__(self, *args: Any, asset: IPAsset, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "kind": asset.kind,
                "number": asset.number,
                "title": asset.title,
                "filing_date": asset.filing_date,
                "grant_date": asset.grant_date,
                "status": asset.status,
                "ipc_codes": ", ".join(asset.ipc_codes or []),
                "nice_classes": ", ".join(str(n) for n in asset.nice_classes or []),
                "industry": asset.industry,
                "district": asset.district,
                "abstract": asset.abstract,
            },
        )
        super().__init__(*args, organizations=Organization.objects.none(), **kwargs)
        del self.fields["holder"]


class AssetCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Asset checkboxes with a note under each asset that needs one. An asset that cannot
    be chosen is disabled and says why — unless it is already chosen (a draft saved before
    the asset lapsed): it stays ticked, and the service's message explains on saving."""

    option_template_name = "listings/widgets/asset_option.html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notes: dict[int, list[AssetNote]] = {}

    def create_option(
        self,
        name: str,
        value: Any,
        label: Any,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        notes = self.notes.get(getattr(value, "value", value), [])
        if any(note.blocks for note in notes):
            notes = [note for note in notes if note.blocks]  # why not; caveats are moot
        option["notes"] = notes
        for note in notes:
            option["attrs"].update(dict(note.data))
            if note.blocks and not selected:
                option["attrs"]["disabled"] = True
        return option


class AssetChoiceField(forms.ModelMultipleChoiceField):
    widget = AssetCheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        parts = [obj.title, obj.number, obj.get_kind_display(), obj.get_status_display()]
        if obj.expiry_date is not None:
            parts.append(str(_("expires %(date)s") % {"date": obj.expiry_date.isoformat()}))
        parts.append(obj.holder.local_name)
        return " · ".join(parts)

    def set_notes(self, notes: dict[int, list[AssetNote]]) -> None:
        assert isinstance(self.widget, AssetCheckboxSelectMultiple)
        self.widget.notes = notes


class ListingForm(ServiceErrorsMixin, forms.Form):
    """A listing's content. The rules (assets of the holder, a licence type for licence
    listings only, a price above zero, a future validity date) live in the services; this
    form only parses the input, so their messages show next to these fields."""

    holder = forms.ModelChoiceField(label=_("Holder"), queryset=Organization.objects.none())
    assets = AssetChoiceField(
        label=_("IP assets"),
        queryset=IPAsset.objects.none(),
        help_text=_(
            "One or more assets of the holder; several make a package. An expired, lapsed or "
            "invalidated asset, or one already in another open listing, cannot be chosen."
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    title_en = forms.CharField(
        label=_("English title (optional)"),
        max_length=200,
        required=False,
        help_text=_("Shown to visitors reading in English; leave empty to show the title."),
    )
    intent = forms.ChoiceField(label=_("Intent"), choices=ListingIntent.choices)
    licence_type = forms.ChoiceField(
        label=_("Licence type"),
        choices=[("", _("— (not a licence)")), *LicenceType.choices],
        required=False,
        help_text=_("For licence listings only."),
    )
    asking_price = forms.DecimalField(
        label=_("Asking price (yuan)"),
        required=False,
        max_digits=18,
        decimal_places=2,
        help_text=_("Leave empty for “negotiable” (面议)."),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Simple formatting (paragraphs, lists, links) is kept; scripts are removed."),
    )
    valid_until = forms.DateField(
        label=_("Valid until"), widget=DateInput, initial=default_valid_until
    )

    def __init__(
        self,
        *args: Any,
        organizations: Any,
        assets: Any,
        asset_notes: dict[int, list[AssetNote]] | None = None,
        listing: Listing | None = None,
        **kwargs: Any,
    ) -> None:
        if listing is not None:
            kwargs.setdefault(
                "initial",
                {
                    "assets": [asset.pk for asset in listing.assets.all()],
                    "title": listing.title,
                    "title_en": listing.title_en,
                    "intent": listing.intent,
                    "licence_type": listing.licence_type,
                    "asking_price": listing.asking_price,
                    "description": listing.description,
                    "valid_until": listing.valid_until,
                },
            )
        super().__init__(*args, **kwargs)
        asset_field = self.fields["assets"]
        assert isinstance(asset_field, AssetChoiceField)
        asset_field.queryset = assets
        asset_field.set_notes(asset_notes or {})
        valid_until = self.fields["valid_until"]
        # An empty date: the service's message, which says what to enter (not a bare
        # "This field is required.").
        valid_until.error_messages["required"] = valid_until_missing_message()
        valid_until.help_text = _(
            "The last day the listing stays on the portal: %(days)d days from today unless "
            "you choose another date. After that day it expires and its assets are free to "
            "be listed again."
        ) % {"days": DEFAULT_VALIDITY_DAYS}
        if listing is not None:
            del self.fields["holder"]  # the holder of a listing does not change
            return
        holder = self.fields["holder"]
        assert isinstance(holder, forms.ModelChoiceField)
        holder.queryset = organizations
        if len(choices := list(organizations[:2])) == 1:
            self.initial.setdefault("holder", choices[0].pk)
