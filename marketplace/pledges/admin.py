"""Pledge applications and pledgee consents in the Django admin: read-only.

Every write goes through the services (the holder's and the bank's workspaces); a generic
form here would bypass the rules and the audit log, so the admin only lists and shows.
"""

from django.contrib import admin

from marketplace.notifications.admin import ReadOnlyAdminMixin

from . import indicator_admin  # noqa: F401  (Indicator / IndicatorValue, read-only)
from .models import PledgeApplication, PledgeConsent, PledgedAsset


class PledgedAssetInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PledgedAsset
    fields = ["asset", "active"]
    readonly_fields = ["asset", "active"]
    extra = 0
    can_delete = False


@admin.register(PledgeApplication)
class PledgeApplicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "applicant",
        "bank",
        "requested_amount",
        "approved_amount",
        "secured_amount",
        "state",
        "state_changed_at",
    ]
    list_filter = ["state", "bank"]
    search_fields = ["applicant__name", "bank__name", "contract_number", "registration_number"]
    list_select_related = ["applicant", "bank"]
    date_hierarchy = "created_at"
    inlines = [PledgedAssetInline]


@admin.register(PledgeConsent)
class PledgeConsentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["application", "deal", "listing", "given_by", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["application__applicant__name", "application__bank__name", "note"]
    list_select_related = ["application", "deal", "listing", "given_by"]
