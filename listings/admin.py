import copy
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.http import HttpRequest

from marketplace.forms import ServiceErrorsMixin
from marketplace.parties.models import User

from . import services
from .models import IPAsset

SERVICE_FIELDS = (
    "kind",
    "number",
    "title",
    "filing_date",
    "grant_date",
    "status",
    "ipc_codes",
    "nice_classes",
    "industry",
    "district",
    "abstract",
    "renewals",
)


class IPAssetAdminForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = IPAsset
        fields = ("holder", *SERVICE_FIELDS)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        # The rules the services enforce, checked on a copy so they show next to the
        # fields instead of failing in save_model.
        candidate = construct_instance(self, copy.copy(self.instance))
        try:
            services.asset_validate(asset=candidate)
        except ValidationError as error:
            self.apply_service_error(error)
        return cleaned


@admin.register(IPAsset)
class IPAssetAdmin(admin.ModelAdmin):
    form = IPAssetAdminForm
    list_display = ["title", "kind", "number", "holder", "status", "expiry_date", "district"]
    list_filter = ["kind", "status", "industry", "district"]
    search_fields = ["title", "number", "holder__name"]
    autocomplete_fields = ["holder"]
    list_select_related = ["holder"]

    def get_readonly_fields(self, request: HttpRequest, obj: IPAsset | None = None) -> Any:
        # The holder changes only through a completed transfer, never by editing.
        readonly = ["expiry_date", "created_at", "updated_at"]
        return [*readonly, "holder"] if obj else readonly

    def save_model(self, request: HttpRequest, obj: IPAsset, form: Any, change: bool) -> None:
        """Writes go through the services, which validate the number and derive expiry."""
        by = cast(User, request.user)
        data = {
            name: form.cleaned_data[name] for name in SERVICE_FIELDS if name in form.cleaned_data
        }
        if change:
            saved = services.asset_update(asset=obj, by=by, **data)
        else:
            saved = services.asset_create(by=by, holder=form.cleaned_data["holder"], **data)
        obj.pk = saved.pk
