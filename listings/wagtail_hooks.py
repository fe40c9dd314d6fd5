"""Listings in the Wagtail admin: the moderation viewset, the dashboard's pending panel and
the search synonyms (Settings)."""

from typing import Any

from django.http import HttpRequest
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from marketplace.parties.moderation import StaffPermissionPolicy

from .admin_views import ListingViewSet, PendingReviewPanel
from .models import Listing, SearchSynonym
from .synonym_admin import SearchSynonymViewSet

# Before the viewsets: Wagtail looks the policy up when a viewset registers.
register_permission_policy(Listing, StaffPermissionPolicy(Listing))
register_permission_policy(
    SearchSynonym,
    StaffPermissionPolicy(SearchSynonym, actions=("view", "add", "change", "delete")),
)


@hooks.register("register_admin_viewset")
def register_listing_viewset() -> ListingViewSet:
    return ListingViewSet()


@hooks.register("register_admin_viewset")
def register_search_synonym_viewset() -> SearchSynonymViewSet:
    return SearchSynonymViewSet()


@hooks.register("construct_homepage_panels")
def add_pending_review_panel(request: HttpRequest, panels: list[Any]) -> None:
    panels.append(PendingReviewPanel(request))
