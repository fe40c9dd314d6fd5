"""The pledge ledger in the Wagtail admin: an index of its entries for platform staff and, on
an entry's page, the one correction there is, a reversing entry with a reason
(`ledger_reverse`). No form edits or deletes an entry: the ledger is append-only.

The app's wagtail_hooks.py registers the viewset and its permission policy.
"""

from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet, TextChoices
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn

from listings.models import AssetKind, Industry
from marketplace.parties.districts import District
from marketplace.parties.moderation import (
    Label,
    ModerationAction,
    ModerationIndexView,
    ModerationView,
    ModerationViewSet,
    TimelineEntry,
    timeline_for,
)

from .admin_views import money, present, review_link
from .ledger import ledger_reverse
from .models import LedgerEntryKind, PledgeLedgerEntry

LEDGER_INDEX_URL_NAME = "pledge_ledger:index"
LEDGER_ENTRY_URL_NAME = "pledge_ledger:inspect"


def is_reversed(entry: PledgeLedgerEntry) -> bool:
    try:
        entry.reversed_by  # noqa: B018 - the reverse one-to-one raises when there is none
    except PledgeLedgerEntry.DoesNotExist:
        return False
    return True


# --- the index -----------------------------------------------------------------------------


class PledgeLedgerFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Kind"),
        choices=LedgerEntryKind.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    registered_on = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Registration date"), widget=DateRangePickerWidget
    )

    class Meta:
        model = PledgeLedgerEntry
        fields = ["kind", "registered_on"]


class PledgeLedgerIndexView(ModerationIndexView):
    page_title = gettext_lazy("Pledge ledger")

    def get_base_queryset(self) -> QuerySet[PledgeLedgerEntry]:
        return (
            super()
            .get_base_queryset()
            .select_related("bank", "holder", "application", "reversed_by")
        )


# --- an entry's page: facts and the reversal -----------------------------------------------------


class ReversalForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Recorded with the reversing entry and in the application's audit timeline."
        ),
        error_messages={"required": gettext_lazy("Give the reason for the correction.")},
    )


@dataclass(frozen=True)
class ReverseAction(ModerationAction):
    """Offered on a registration that stands (not on a reversal, nor twice)."""

    def is_available(self, obj: Any) -> bool:
        return obj.kind == LedgerEntryKind.REGISTRATION and not is_reversed(obj)


def _reverse(entry: PledgeLedgerEntry, by: Any, data: dict[str, Any]) -> PledgeLedgerEntry:
    return ledger_reverse(entry=entry, by=by, reason=data["reason"])


class PledgeLedgerEntryView(ModerationView):
    template_name = "pledges/ledger/entry.html"
    page_title = gettext_lazy("Ledger entry")
    actions = (
        ReverseAction(
            name="reverse",
            label=gettext_lazy("Reverse"),
            form_class=ReversalForm,
            run=_reverse,
            done=gettext_lazy(
                "“%(object)s” is reversed: a reversing entry cancels it in the statistics."
            ),
            failed=gettext_lazy("“%(object)s” was not reversed: %(reasons)s"),
            destructive=True,
        ),
    )

    def get_queryset(self) -> QuerySet[PledgeLedgerEntry]:
        return PledgeLedgerEntry.objects.select_related(
            "application", "bank", "holder", "reverses", "reversed_by", "created_by"
        )

    def get_state_label(self) -> str:
        entry: PledgeLedgerEntry = self.object
        if is_reversed(entry):
            return _("Reversed")
        return str(entry.get_kind_display())

    def get_facts(self) -> list[tuple[Label, Any]]:
        entry: PledgeLedgerEntry = self.object
        user = self.request.user
        reversed_by = entry.reversed_by if is_reversed(entry) else None
        return [
            (_("Kind"), entry.get_kind_display()),
            (_("Pledge registration number"), entry.registration_number),
            (_("Registration date"), entry.registered_on),
            (pgettext("pledge financing", "Application"), review_link(user, entry.application)),
            (_("Secured amount"), money(entry.amount)),
            (_("Bank"), review_link(user, entry.bank)),
            (_("Holder"), review_link(user, entry.holder)),
            (_("District"), _label(District, entry.district)),
            (_("Kind of the leading asset"), _label(AssetKind, entry.asset_kind)),
            (_("Kinds of the assets"), ", ".join(_label(AssetKind, k) for k in entry.asset_kinds)),
            (_("Industry"), _label(Industry, entry.industry)),
            *present(
                [
                    (_("Reverses"), _link(entry.reverses)),
                    (_("Reversed by"), _link(reversed_by)),
                    (_("Reason"), entry.reason),
                ]
            ),
            (_("Recorded by"), entry.created_by),
            (_("Recorded at"), entry.created_at),
        ]

    def get_timeline(self) -> list[TimelineEntry]:
        """The application's audit trail: its registration and any ledger reversal."""
        return timeline_for(self.object.application)


def _label(choices: type[TextChoices], value: str) -> str:
    """The label of a code copied into the entry; a code no longer among the choices is
    shown as it was recorded."""
    return str(dict(choices.choices).get(value, value))


def _link(entry: PledgeLedgerEntry | None) -> Any:
    if entry is None:
        return None
    return format_html(
        '<a href="{}">{}</a>', reverse(LEDGER_ENTRY_URL_NAME, args=(entry.pk,)), entry
    )


# --- the viewset ---------------------------------------------------------------------------


class PledgeLedgerViewSet(ModerationViewSet):
    model = PledgeLedgerEntry
    url_prefix = "pledge-ledger"
    url_namespace = "pledge_ledger"
    icon = "list-ul"
    menu_label = gettext_lazy("Pledge ledger")
    menu_name = "pledge-ledger"
    menu_order = 261
    add_to_admin_menu = True
    index_view_class = PledgeLedgerIndexView
    inspect_view_class = PledgeLedgerEntryView
    filterset_class = PledgeLedgerFilterSet
    list_display = [
        "registration_number",
        # A legal date, shown as the date (the reader's format), not DateColumn's "2 weeks ago".
        Column(
            "registered_on",
            label=gettext_lazy("Registration date"),
            sort_key="registered_on",
            classname="w-whitespace-nowrap",
        ),
        StatusTagColumn(
            "kind",
            label=gettext_lazy("Kind"),
            accessor=lambda e: _("Reversed") if is_reversed(e) else e.get_kind_display(),
            sort_key="kind",
            primary=lambda e: e.kind == LedgerEntryKind.REGISTRATION and not is_reversed(e),
        ),
        Column("bank", label=gettext_lazy("Bank"), sort_key="bank__name"),
        Column("holder", label=gettext_lazy("Holder"), sort_key="holder__name"),
        Column(
            "amount",
            label=gettext_lazy("Secured amount"),
            accessor=lambda e: money(e.amount),
            sort_key="amount",
        ),
        Column(
            "application",
            label=pgettext_lazy("pledge financing", "Application"),
            sort_key="application_id",
        ),
    ]
    ordering = ["-registered_on", "-pk"]
    list_per_page = 50
    search_fields = ["registration_number", "bank__name", "holder__name", "reason"]
    search_backend_name = None
