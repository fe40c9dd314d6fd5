"""Pledge applications in the Wagtail admin: a read-only viewset for platform staff."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from marketplace.parties.moderation import StaffPermissionPolicy

from . import export_hooks, indicator_hooks, ledger_admin  # noqa: F401  (register screens)
from .admin_views import PledgeApplicationViewSet
from .goal_admin import GoalViewSet
from .models import Goal, PledgeApplication

# Before the viewset: Wagtail looks the policy up when the viewset registers. Staff only
# read applications (the bank's reviewers act on them), so "view" is all there is.
register_permission_policy(
    PledgeApplication, StaffPermissionPolicy(PledgeApplication, actions=("view",))
)
register_permission_policy(Goal, StaffPermissionPolicy(Goal, actions=("view", "add", "change")))


@hooks.register("register_admin_viewset")
def register_pledge_application_viewset() -> PledgeApplicationViewSet:
    return PledgeApplicationViewSet()


@hooks.register("register_admin_viewset")
def register_goal_viewset() -> GoalViewSet:
    return GoalViewSet()
