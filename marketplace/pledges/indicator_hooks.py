"""The indicator screens in the Wagtail admin (issue 5), registered on import.

Imported from `wagtail_hooks.py`; Wagtail imports that module when it first collects hooks.
"""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from marketplace.parties.moderation import StaffPermissionPolicy

from .indicator_admin import IndicatorViewSet
from .indicator_models import Indicator

# Before the viewset: Wagtail looks the policy up when the viewset registers. "view" reads
# the board and the history; "change" enters values of the staff-entered indicators.
register_permission_policy(Indicator, StaffPermissionPolicy(Indicator, actions=("view", "change")))


@hooks.register("register_admin_viewset")
def register_indicator_viewset() -> IndicatorViewSet:
    return IndicatorViewSet()
