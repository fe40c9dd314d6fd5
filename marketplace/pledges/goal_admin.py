"""Pledge-financing goals in the Wagtail admin: staff add later goals and correct names;
the default goal (¥1.2 billion, 2023–2025) comes with the migrations."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from .admin_views import money
from .models import Goal


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["name", "name_en", "target", "start", "end"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end, target = data.get("start"), data.get("end"), data.get("target")
        if start and end and end <= start:
            self.add_error("end", _("The period ends after it starts."))
        if target is not None and target <= 0:
            self.add_error("target", _("The target is above zero."))
        return data


class GoalViewSet(ModelViewSet):
    model = Goal
    name = "pledge_goals"
    url_prefix = "pledge-goals"
    icon = "success"
    menu_label = _("Pledge financing goals")
    menu_order = 270
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = [
        "name",
        Column(
            "target",
            label=_("Target amount"),
            accessor=lambda goal: money(goal.target),
            sort_key="target",
        ),
        "start",
        "end",
    ]

    def get_form_class(self, for_update: bool = False) -> type[GoalForm]:
        return GoalForm

    # A goal the dashboard has shown is history: staff add and correct, never delete (the
    # permission policy in wagtail_hooks.py offers no "delete").
