"""Parties in the Wagtail admin: organisation verification and the transition log.

The Django admin's organisation actions (admin.py) stay; both call the same services.
"""

from django_fsm_log.models import StateLog
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .admin_views import OrganizationViewSet, TransitionLogViewSet
from .models import Organization
from .moderation import StaffPermissionPolicy

# Before the viewsets: Wagtail looks the policies up when the viewsets register.
register_permission_policy(Organization, StaffPermissionPolicy(Organization))
register_permission_policy(StateLog, StaffPermissionPolicy(StateLog, actions=("view",)))


@hooks.register("register_admin_viewset")
def register_organisation_viewset() -> OrganizationViewSet:
    return OrganizationViewSet()


@hooks.register("register_admin_viewset")
def register_transition_log_viewset() -> TransitionLogViewSet:
    return TransitionLogViewSet()
