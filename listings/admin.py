from typing import Any, cast

from django.contrib import admin
from django.http import HttpRequest

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


@admin.register(IPAsset)
class IPAssetAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "number", "holder", "status", "expiry_date", "district"]
    list_filter = ["kind", "status", "industry", "district"]
    search_fields = ["title", "number", "holder__name"]
    autocomplete_fields = ["holder"]
    readonly_fields = ["expiry_date", "created_at", "updated_at"]
    list_select_related = ["holder"]

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
