"""Staff read the list of documents here; uploads and deletions go through the
organisation's own pages (and the services), so the admin offers neither."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Document


def _is_staff(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "kind",
        "organization",
        "asset",
        "size",
        "uploaded_by",
        "uploaded_at",
        "download",
    ]
    list_filter = ["kind", "uploaded_at"]
    search_fields = ["original_name", "sha256", "organization__name", "asset__number"]
    list_select_related = ["organization", "asset", "uploaded_by"]
    date_hierarchy = "uploaded_at"
    # The stored path stays out of sight: files are reached through the checked download.
    readonly_fields = [
        "original_name",
        "kind",
        "organization",
        "asset",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "download",
    ]
    fields = tuple(readonly_fields)

    @admin.display(description=_("download"))
    def download(self, document: Document) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("documents:download", args=[document.pk]), _("Download")
        )

    # Staff may download any document (the download view says so); the list matches it.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_staff(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a row deleted here would leave its file behind
