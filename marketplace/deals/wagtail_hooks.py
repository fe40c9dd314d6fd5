"""Deals in the Wagtail admin: staff follow deals and may cancel one (through the service)."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from marketplace.parties.moderation import StaffPermissionPolicy

from .admin_views import DealViewSet
from .models import Deal

# Before the viewset: Wagtail looks the policy up when the viewset registers.
register_permission_policy(Deal, StaffPermissionPolicy(Deal))


@hooks.register("register_admin_viewset")
def register_deal_viewset() -> DealViewSet:
    return DealViewSet()
