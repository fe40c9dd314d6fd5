"""The action plan's indicators in the admins.

Wagtail (staff): an index of every indicator with its target, current value and progress,
and a page per indicator with the history of its values and, for a staff-entered one, a
form that records a new value through `indicator_value_add`. There is no edit or delete:
a correction is a newer value. The pages reuse the moderation viewset (index + one page per
record, `StaffPermissionPolicy`); "change" on an indicator means entering its values.

Django admin: both models read-only, for inspection.

Registered by the app's `wagtail_hooks.py` (Wagtail) and by importing this module from
`admin.py` (Django admin).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.widgets import AdminDateInput

from marketplace.notifications.admin import ReadOnlyAdminMixin
from marketplace.parties.moderation import (
    Label,
    ModerationAction,
    ModerationIndexView,
    ModerationView,
    ModerationViewSet,
    TimelineEntry,
)

from .indicator_models import Indicator, IndicatorValue
from .indicators import IndicatorRow, indicator_board, indicator_history, indicator_value_add

INDICATOR_INDEX_URL_NAME = "indicator_admin:index"
INDICATOR_PAGE_URL_NAME = "indicator_admin:inspect"


def _progress(row: IndicatorRow | None) -> str:
    return "" if row is None or row.progress is None else f"{row.progress}%"


# --- the index -----------------------------------------------------------------------------


class IndicatorIndexView(ModerationIndexView):
    page_title = gettext_lazy("Indicators")

    def get_table(self, object_list: Any) -> Any:
        # The board is read once for the page (a fixed number of queries) and each row
        # carries its line of it for the columns.
        board = {row.indicator.pk: row for row in indicator_board()}
        indicators = list(object_list)
        for indicator in indicators:
            indicator.board = board.get(indicator.pk)
        return super().get_table(indicators)


def _board(attribute: str) -> Any:
    def read(indicator: Any) -> Any:
        row = getattr(indicator, "board", None)
        return getattr(row, attribute) if row is not None else ""

    return read


# --- the page of one indicator ---------------------------------------------------------------


class IndicatorValueForm(forms.Form):
    value = forms.DecimalField(label=gettext_lazy("Value"), max_digits=18, decimal_places=2)
    as_of = forms.DateField(
        label=gettext_lazy("As of"),
        widget=AdminDateInput,
        help_text=gettext_lazy("The date the figure describes (not the date you enter it)."),
    )
    source = forms.CharField(
        label=gettext_lazy("Source"),
        max_length=300,
        help_text=gettext_lazy(
            "Where the figure comes from: a report, a notice, a statistics release."
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = timezone.localdate


class AddValueAction(ModerationAction):
    """Offered on a staff-entered indicator only (the service refuses the computed ones)."""

    def is_available(self, obj: Any) -> bool:
        return not obj.computed


def _add_value(indicator: Indicator, by: Any, data: dict[str, Any]) -> IndicatorValue:
    return indicator_value_add(indicator=indicator, by=by, **data)


class IndicatorView(ModerationView):
    template_name = "pledges/admin/indicator.html"
    page_title = gettext_lazy("Indicator")
    actions = (
        AddValueAction(
            name="add_value",
            label=gettext_lazy("Add a value"),
            form_class=IndicatorValueForm,
            run=_add_value,
            done=gettext_lazy("A new value of “%(object)s” is recorded."),
            failed=gettext_lazy("No value of “%(object)s” was recorded: %(reasons)s"),
        ),
    )

    def get_board_row(self) -> IndicatorRow | None:
        return next((row for row in indicator_board() if row.indicator.pk == self.object.pk), None)

    def get_facts(self) -> list[tuple[Label, Any]]:
        indicator: Indicator = self.object
        row = self.get_board_row()
        return [
            (_("Code"), indicator.code),
            (_("Name"), indicator.name),
            (_("English name"), indicator.name_en),
            (_("Target"), row.target_display if row else indicator.target),
            (_("Current value"), row.current_display if row else ""),
            (_("Progress"), _progress(row)),
            (_("As of"), row.as_of if row else ""),
            (_("Source"), row.source if row else ""),
            (_("Kind"), indicator.get_source_kind_display()),
        ]

    def get_timeline(self) -> list[TimelineEntry]:
        # An indicator has no state machine: its page shows the history of its values.
        return []

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["history"] = indicator_history(indicator=self.object)
        return context


# --- the viewset ---------------------------------------------------------------------------


class IndicatorViewSet(ModerationViewSet):
    model = Indicator
    url_prefix = "indicators"
    url_namespace = "indicator_admin"
    icon = "table"
    menu_label = gettext_lazy("Indicators")
    menu_name = "indicators"
    menu_order = 260
    add_to_admin_menu = True
    index_view_class = IndicatorIndexView
    inspect_view_class = IndicatorView
    ordering = "order"
    list_per_page = 50
    list_display = [
        TitleColumn(
            "name",
            label=gettext_lazy("Indicator"),
            accessor=_board("name"),
            get_url=lambda indicator: reverse(INDICATOR_PAGE_URL_NAME, args=(indicator.pk,)),
        ),
        Column("target", label=gettext_lazy("Target"), accessor=_board("target_display")),
        Column("current", label=gettext_lazy("Current value"), accessor=_board("current_display")),
        Column(
            "progress",
            label=gettext_lazy("Progress"),
            accessor=lambda indicator: _progress(getattr(indicator, "board", None)),
        ),
        Column("as_of", label=gettext_lazy("As of"), accessor=_board("as_of")),
        Column(
            "source_kind",
            label=gettext_lazy("Kind"),
            accessor="get_source_kind_display",
        ),
    ]


# --- the Django admin: read-only -------------------------------------------------------------


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["order", "code", "name", "target", "unit", "source_kind"]
    list_display_links = ["code"]
    list_filter = ["source_kind"]
    search_fields = ["code", "name", "name_en"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["indicator", "value", "as_of", "source", "entered_by", "created_at"]
    list_filter = ["indicator"]
    search_fields = ["indicator__name", "source", "note"]
    date_hierarchy = "as_of"

    def get_queryset(self, request: Any) -> QuerySet[IndicatorValue]:
        # For the list and each value's page; the list then ignores list_select_related.
        return super().get_queryset(request).select_related("indicator", "entered_by")
