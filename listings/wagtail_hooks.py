"""Listings in the Wagtail admin: the moderation viewset and the dashboard's pending panel."""

from typing import Any

from django.http import HttpRequest
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from marketplace.parties.moderation import StaffPermissionPolicy

from .admin_views import ListingViewSet, PendingReviewPanel
from .models import Listing

# Before the viewset: Wagtail looks the policy up when the viewset registers.
register_permission_policy(Listing, StaffPermissionPolicy(Listing))


@hooks.register("register_admin_viewset")
def register_listing_viewset() -> ListingViewSet:
    return ListingViewSet()


@hooks.register("construct_homepage_panels")
def add_pending_review_panel(request: HttpRequest, panels: list[Any]) -> None:
    panels.append(PendingReviewPanel(request))
