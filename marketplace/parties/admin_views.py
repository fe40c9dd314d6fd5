"""Staff screens in the Wagtail admin: organisation verification and the transition log."""

from typing import Any

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django_fsm_log.models import StateLog
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.filters import ContentTypeFilter, DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, UserColumn

from . import services
from .districts import District
from .models import Organization, OrganizationKind, User, VerificationState
from .moderation import (
    Label,
    ModerationAction,
    ModerationIndexView,
    ModerationView,
    ModerationViewSet,
    NoteForm,
    ReasonForm,
    fsm_models,
    state_label,
    transition_label,
    transition_names,
)

# --- organisations: the index ----------------------------------------------------------------


class OrganizationFilterSet(WagtailFilterSet):
    verification_state = django_filters.ChoiceFilter(
        label=gettext_lazy("Verification"),
        choices=VerificationState.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Kind"),
        choices=OrganizationKind.choices,
        empty_label=gettext_lazy("All"),
    )
    district = django_filters.ChoiceFilter(
        label=gettext_lazy("District"),
        choices=District.choices,
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = Organization
        fields = ["verification_state", "kind", "district"]


class OrganizationIndexView(ModerationIndexView):
    def get_base_queryset(self) -> QuerySet[Organization]:
        return super().get_base_queryset().annotate(member_count=Count("memberships"))


# --- organisations: the review page -------------------------------------------------------------


def _verify(organization: Organization, by: User, data: dict[str, Any]) -> Organization:
    return services.organization_verify(organization=organization, by=by, note=data["note"])


def _reject(organization: Organization, by: User, data: dict[str, Any]) -> Organization:
    return services.organization_reject(organization=organization, by=by, reason=data["reason"])


def _revoke(organization: Organization, by: User, data: dict[str, Any]) -> Organization:
    return services.organization_revoke(organization=organization, by=by, reason=data["reason"])


class OrganizationModerationView(ModerationView):
    template_name = "parties/admin/organization_moderate.html"
    actions = (
        ModerationAction(
            name="verify",
            label=gettext_lazy("Verify"),
            form_class=NoteForm,
            run=_verify,
            done=gettext_lazy("“%(object)s” is verified."),
            failed=gettext_lazy("“%(object)s” was not verified: %(reasons)s"),
        ),
        ModerationAction(
            name="reject",
            label=gettext_lazy("Reject"),
            form_class=ReasonForm,
            run=_reject,
            done=gettext_lazy("“%(object)s” was rejected; its owners can correct and resubmit."),
            failed=gettext_lazy("“%(object)s” was not rejected: %(reasons)s"),
            destructive=True,
        ),
        ModerationAction(
            name="revoke",
            label=gettext_lazy("Revoke verification"),
            form_class=ReasonForm,
            run=_revoke,
            done=gettext_lazy("The verification of “%(object)s” is revoked; it is pending again."),
            failed=gettext_lazy("The verification of “%(object)s” was not revoked: %(reasons)s"),
            destructive=True,
        ),
    )

    def get_state_label(self) -> str:
        return str(self.object.get_verification_state_display())

    def get_facts(self) -> list[tuple[Label, Any]]:
        organization: Organization = self.object
        code = organization.credit_code
        if organization.credit_code_override_reason:
            code = format_html(
                "<code>{}</code><br>{}",
                code,
                _("Accepted despite a failed check, because: %(reason)s")
                % {"reason": organization.credit_code_override_reason},
            )
        else:
            code = format_html("<code>{}</code>", code)
        district = organization.get_district_display()
        if organization.in_l_belt:
            district = f"{district} · {_('L-shaped service belt')}"
        return [
            (_("Name"), organization.name),
            (_("English name"), organization.name_en),
            (_("Kind"), organization.get_kind_display()),
            (_("Unified social credit code"), code),
            (_("District"), district),
            (_("Address"), organization.address),
            (_("Contact phone"), organization.contact_phone),
            (_("Website"), organization.website),
            (_("Description"), organization.description),
            (_("Verification note"), organization.verification_note),
            (_("Verified on"), organization.verified_at),
            (_("Registered"), organization.created_at),
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        organization: Organization = self.object
        context["memberships"] = list(
            organization.memberships.select_related("user").order_by("role", "user__email")
        )
        counts = Organization.objects.filter(pk=organization.pk).aggregate(
            assets=Count("assets", distinct=True), listings=Count("listings", distinct=True)
        )
        context["asset_count"] = counts["assets"]
        context["listing_count"] = counts["listings"]
        return context


class OrganizationViewSet(ModerationViewSet):
    model = Organization
    url_prefix = "organisations"
    url_namespace = "organisation_moderation"
    icon = "group"
    menu_label = gettext_lazy("Organisations")
    menu_name = "organisations"
    menu_order = 220
    add_to_admin_menu = True
    index_view_class = OrganizationIndexView
    inspect_view_class = OrganizationModerationView
    filterset_class = OrganizationFilterSet
    list_display = [
        "name",
        Column("kind", label=gettext_lazy("Kind"), accessor="get_kind_display", sort_key="kind"),
        Column("credit_code", label=gettext_lazy("Credit code"), sort_key="credit_code"),
        Column(
            "district",
            label=gettext_lazy("District"),
            accessor="get_district_display",
            sort_key="district",
        ),
        Column("member_count", label=gettext_lazy("Members"), sort_key="member_count"),
        StatusTagColumn(
            "verification_state",
            label=gettext_lazy("Verification"),
            accessor="get_verification_state_display",
            sort_key="verification_state",
            primary=lambda o: o.verification_state == VerificationState.PENDING,
        ),
        DateColumn("created_at", label=gettext_lazy("Registered"), sort_key="created_at"),
    ]
    ordering = "-created_at"
    list_per_page = 50
    search_fields = ["name", "name_en", "credit_code"]
    search_backend_name = None


# --- the transition log ----------------------------------------------------------------------


def _fsm_content_types(request: HttpRequest | None = None) -> QuerySet[ContentType]:
    ids = [ct.pk for ct in ContentType.objects.get_for_models(*fsm_models()).values()]
    return ContentType.objects.filter(pk__in=ids).order_by("model")


class TransitionLogFilterSet(WagtailFilterSet):
    content_type = ContentTypeFilter(
        label=gettext_lazy("Record type"),
        queryset=_fsm_content_types,
        empty_label=gettext_lazy("All"),
    )
    transition = django_filters.ChoiceFilter(
        label=gettext_lazy("Transition"),
        choices=transition_names,
        empty_label=gettext_lazy("All"),
    )
    user = django_filters.CharFilter(
        label=gettext_lazy("User"),
        method="filter_user",
        help_text=gettext_lazy("Part of the e-mail address or name of who made the transition."),
    )
    timestamp = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Date"), widget=DateRangePickerWidget
    )

    class Meta:
        model = StateLog
        fields = ["content_type", "transition", "user", "timestamp"]

    def filter_user(self, queryset: QuerySet[StateLog], name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(by__email__icontains=value) | Q(by__name__icontains=value))


class RecordColumn(Column):
    """The record a transition changed, linked to its review page when there is one."""

    def get_cell_context_data(self, instance: StateLog, parent_context: Any) -> Any:
        context = super().get_cell_context_data(instance, parent_context)
        model = instance.content_type.model_class()
        kind = capfirst(model._meta.verbose_name) if model else instance.content_type.model
        record = instance.content_object
        if record is None:
            context["value"] = format_html(
                "{} #{} <small>({})</small>", kind, instance.object_id, _("deleted")
            )
            return context
        url = AdminURLFinder(parent_context["request"].user).get_edit_url(record)
        if url:
            context["value"] = format_html('{}: <a href="{}">{}</a>', kind, url, record)
        else:
            context["value"] = format_html("{}: {}", kind, record)
        return context


class TransitionLogIndexView(ModerationIndexView):
    page_title = gettext_lazy("Transition log")

    def get_base_queryset(self) -> QuerySet[StateLog]:
        # content_object is prefetched once per record type, not once per row; the
        # user column shows an avatar from the profile.
        return (
            super()
            .get_base_queryset()
            .select_related("by__wagtail_userprofile", "content_type")
            .prefetch_related("content_object")
        )


def _source_state(log: StateLog) -> str:
    return state_label(log.content_type.model_class(), log.source_state) or "—"


def _target_state(log: StateLog) -> str:
    return state_label(log.content_type.model_class(), log.state)


class TransitionLogViewSet(ModerationViewSet):
    """Every audited transition of every state machine, read-only, for staff to filter."""

    model = StateLog
    url_prefix = "transition-log"
    url_namespace = "transition_log"
    icon = "history"
    menu_label = gettext_lazy("Transition log")
    menu_name = "transition-log"
    menu_order = 230
    add_to_admin_menu = True
    index_view_class = TransitionLogIndexView
    inspect_view_enabled = False
    registered_permissions = ("view",)
    filterset_class = TransitionLogFilterSet
    list_display = [
        DateColumn("timestamp", label=gettext_lazy("When"), sort_key="timestamp"),
        RecordColumn("content_object", label=gettext_lazy("Record")),
        Column(
            "transition",
            label=gettext_lazy("Transition"),
            accessor=lambda log: transition_label(log.transition),
            sort_key="transition",
        ),
        Column("source_state", label=pgettext_lazy("transition", "From"), accessor=_source_state),
        Column("state", label=pgettext_lazy("transition", "To"), accessor=_target_state),
        UserColumn("by", label=gettext_lazy("By"), blank_display_name=gettext_lazy("System")),
        Column("description", label=gettext_lazy("Note")),
    ]
    ordering = "-timestamp"
    list_per_page = 50
    search_fields = ["description"]
    search_backend_name = None
