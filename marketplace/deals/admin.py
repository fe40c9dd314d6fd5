"""Deals and licences in the Django admin: read-only.

Deals change only through the services (the parties' workspace; staff cancel from the
Wagtail admin); licences are created by a completed licence deal.
"""

from django.contrib import admin

from marketplace.notifications.admin import ReadOnlyAdminMixin

from .models import Deal, Licence


@admin.register(Deal)
class DealAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "listing",
        "kind",
        "seller",
        "buyer",
        "price",
        "deposit_amount",
        "state",
        "state_changed_at",
    ]
    list_filter = ["state", "kind"]
    search_fields = ["listing__title", "seller__name", "buyer__name", "recordal_number"]
    list_select_related = ["listing", "seller", "buyer"]
    date_hierarchy = "created_at"


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["asset", "licensor", "licensee", "licence_type", "territory", "start", "end"]
    list_filter = ["licence_type"]
    search_fields = ["asset__title", "asset__number", "licensor__name", "licensee__name"]
    list_select_related = ["asset", "licensor", "licensee"]
