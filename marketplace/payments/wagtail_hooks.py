"""Offline payments in the Wagtail admin: the confirmation screens and the dashboard panel."""

from typing import Any

from django.http import HttpRequest
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from marketplace.parties.moderation import StaffPermissionPolicy

from .admin_views import OfflinePaymentsPanel, PaymentViewSet
from .models import Payment

# Before the viewset: Wagtail looks the policy up when the viewset registers.
register_permission_policy(Payment, StaffPermissionPolicy(Payment))


@hooks.register("register_admin_viewset")
def register_payment_viewset() -> PaymentViewSet:
    return PaymentViewSet()


@hooks.register("construct_homepage_panels")
def add_offline_payments_panel(request: HttpRequest, panels: list[Any]) -> None:
    panels.append(OfflinePaymentsPanel(request))
