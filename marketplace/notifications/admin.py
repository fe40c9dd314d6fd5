"""Staff read notices here (who was told what, and whether it reached them); notices are
written only by the services of the apps whose events they report, so the admin neither
adds, changes nor deletes them. Viewing needs the "view notice" permission."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Notice, Notification


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NotificationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Notification
    readonly_fields = ["recipient", "created_at", "read_at", "emailed_at"]
    fields = tuple(readonly_fields)
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("recipient")


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "event", "summary", "actor", "delivered_at"]
    list_filter = ["event", "created_at"]
    search_fields = ["event", "url", "organizations__name", "actor__email"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "event",
        "texts",
        "url",
        "recipient_organizations",
        "actor",
        "target_content_type",
        "target_object_id",
        "created_at",
        "delivered_at",
    ]
    fields = tuple(readonly_fields)
    inlines = [NotificationInline]

    @admin.display(description=_("text"))
    def summary(self, notice: Notice) -> str:
        return notice.current_text

    @admin.display(description=_("text"))
    def texts(self, notice: Notice) -> str:
        return "\n".join(f"{language}: {text}" for language, text in notice.text.items())

    @admin.display(description=_("recipient organisations"))
    def recipient_organizations(self, notice: Notice) -> str:
        return ", ".join(organization.name for organization in notice.organizations.all())
