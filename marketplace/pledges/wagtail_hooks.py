"""The pledge screens of the Wagtail admin, all registered here: applications (read-only
for staff), financing goals, the ledger, the action plan's indicators, and the statistics
export (its URLs and its Reports menu item).

Each permission policy is registered at import, before the hooks run: Wagtail looks a
model's policy up when its viewset registers, and a lookup before the registration would
fix Wagtail's default policy for good.
"""

from typing import Any

from django.urls import include, path
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from marketplace.parties.moderation import StaffPermissionPolicy

from . import export_views
from .admin_views import PledgeApplicationViewSet
from .goal_admin import GoalViewSet
from .indicator_admin import IndicatorViewSet
from .indicator_models import Indicator
from .ledger_admin import PledgeLedgerViewSet
from .models import Goal, PledgeApplication, PledgeLedgerEntry

# Staff only read applications (the bank's reviewers act on them), so "view" is all there is.
register_permission_policy(
    PledgeApplication, StaffPermissionPolicy(PledgeApplication, actions=("view",))
)
register_permission_policy(Goal, StaffPermissionPolicy(Goal, actions=("view", "add", "change")))
# "change" on a ledger entry is the right to add a reversing entry (nothing edits an entry).
# The statistics export asks this policy too (export_views.user_may_export).
register_permission_policy(PledgeLedgerEntry, StaffPermissionPolicy(PledgeLedgerEntry))
# "view" reads the board and the history; "change" enters values of the staff-entered indicators.
register_permission_policy(Indicator, StaffPermissionPolicy(Indicator, actions=("view", "change")))


@hooks.register("register_admin_viewset")
def register_pledge_application_viewset() -> PledgeApplicationViewSet:
    return PledgeApplicationViewSet()


@hooks.register("register_admin_viewset")
def register_goal_viewset() -> GoalViewSet:
    return GoalViewSet()


@hooks.register("register_admin_viewset")
def register_pledge_ledger_viewset() -> PledgeLedgerViewSet:
    return PledgeLedgerViewSet()


@hooks.register("register_admin_viewset")
def register_indicator_viewset() -> IndicatorViewSet:
    return IndicatorViewSet()


@hooks.register("register_admin_urls")
def register_pledge_export_urls() -> list[Any]:
    return [path("pledge-export/", include((export_views.urlpatterns, "pledges_export")))]


@hooks.register("register_reports_menu_item")
def register_pledge_export_menu_item() -> MenuItem:
    return export_views.PledgeExportMenuItem(
        name="pledge-statistics-export", icon_name="download", order=900
    )
