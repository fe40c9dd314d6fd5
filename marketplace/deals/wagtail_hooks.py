"""Deals in the Wagtail admin: staff follow deals and may cancel one, and check the recordal
evidence the parties upload (accepting it completes the deal) — all through the services."""

from typing import Any

from django.http import HttpRequest
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from marketplace.parties.moderation import StaffPermissionPolicy

from .admin_views import DealViewSet, EvidencePanel, EvidenceViewSet
from .models import Deal, RecordalEvidence

# Before the viewsets: Wagtail looks the policy up when the viewset registers.
register_permission_policy(Deal, StaffPermissionPolicy(Deal))
register_permission_policy(RecordalEvidence, StaffPermissionPolicy(RecordalEvidence))


@hooks.register("register_admin_viewset")
def register_deal_viewset() -> DealViewSet:
    return DealViewSet()


@hooks.register("register_admin_viewset")
def register_evidence_viewset() -> EvidenceViewSet:
    return EvidenceViewSet()


@hooks.register("construct_homepage_panels")
def add_evidence_panel(request: HttpRequest, panels: list[Any]) -> None:
    panels.append(EvidencePanel(request))
