"""Payments in the Django admin: read-only.

Staff confirm offline payments on the Wagtail admin's "Offline payments" screen, which
calls `payment_confirm_offline`; nothing here writes a payment.
"""

from django.contrib import admin

from marketplace.notifications.admin import ReadOnlyAdminMixin

from .models import Payment


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "purpose",
        "deal",
        "amount",
        "provider",
        "state",
        "confirmed_by",
        "confirmed_at",
        "created_at",
    ]
    list_filter = ["state", "purpose", "provider"]
    search_fields = ["reference", "external_id", "deal__buyer__name", "deal__seller__name"]
    list_select_related = ["deal", "confirmed_by"]
    date_hierarchy = "created_at"
