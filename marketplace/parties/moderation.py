"""Staff moderation in the Wagtail admin: the pieces the listing and organisation screens share.

A moderated record (a listing, an organisation) is written by its holder through the
services and changes state only through a service's transition. Its Wagtail viewset therefore
offers an index and a review page and nothing else: no create, edit, copy or delete view, so
no generic form can ever write the protected FSM field. The review page shows the record's
facts and audit timeline (django-fsm-log) and runs the staff transitions through the services.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, TypeAlias

from django import forms
from django.apps import apps
from django.contrib.admin.utils import quote
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django_fsm import FSMFieldMixin, can_proceed
from django_fsm_log.models import StateLog
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import ModelAdminURLFinder, register_admin_url_finder
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry

Label: TypeAlias = str | Promise

# --- who may moderate ---------------------------------------------------------------------


class StaffPermissionPolicy(ModelPermissionPolicy):
    """Django model permissions, held only by active platform staff, and only for the actions
    the moderation screens offer ("view" to read, "change" to run a transition).

    The services refuse non-staff anyway (`_require_staff`); checking here too keeps the menu
    item and the pages away from a CMS editor who was given a model permission by mistake.
    """

    def __init__(self, model: Any, *, actions: Iterable[str] = ("view", "change")) -> None:
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user: Any, action: str) -> bool:
        return (
            action in self.actions
            and bool(user.is_active and user.is_staff)
            and super().user_has_permission(user, action)
        )

    def users_with_any_permission(self, actions: Iterable[str]) -> Any:
        allowed = [action for action in actions if action in self.actions]
        return super().users_with_any_permission(allowed).filter(is_staff=True)


# --- the audit timeline -------------------------------------------------------------------

TRANSITION_LABELS: dict[str, Label] = {
    "submit": gettext_lazy("Submit"),
    "resubmit": gettext_lazy("Resubmit"),
    "publish": gettext_lazy("Publish"),
    "reject": gettext_lazy("Reject"),
    "withdraw": gettext_lazy("Withdraw"),
    "close": pgettext_lazy("transition", "Close"),
    "expire": gettext_lazy("Expire"),
    "verify": gettext_lazy("Verify"),
    "revoke": gettext_lazy("Revoke verification"),
    # pledge financing applications
    "claim": gettext_lazy("Claim for review"),
    "return_for_info": gettext_lazy("Return for information"),
    "approve": gettext_lazy("Approve"),
    "sign_contract": gettext_lazy("Sign contract"),
    "register": gettext_lazy("Register pledge"),
    "disburse": gettext_lazy("Disburse"),
    "repay": gettext_lazy("Record repayment"),
    "release": gettext_lazy("Release pledge"),
    "mark_overdue": gettext_lazy("Mark overdue"),
    "declare_default": gettext_lazy("Declare default"),
    "dispose": gettext_lazy("Dispose of pledged assets"),
    "cancel": gettext_lazy("Cancel"),
    # deals
    "propose": gettext_lazy("Make an offer"),
    "accept": gettext_lazy("Accept"),
    "decline": gettext_lazy("Decline"),
    "pay_deposit": gettext_lazy("Deposit paid"),
    "pay_balance": gettext_lazy("Balance paid"),
    "file_recordal": gettext_lazy("File recordal"),
    "complete": gettext_lazy("Complete"),
}


def transition_label(name: str) -> str:
    """A readable name for a transition; names without a label are shown tidied."""
    return str(TRANSITION_LABELS.get(name) or capfirst(name.replace("_", " ")))


@cache
def fsm_models() -> tuple[type[Model], ...]:
    """Every installed model with a django-fsm state field."""
    return tuple(
        model
        for model in apps.get_models()
        if any(isinstance(field, FSMFieldMixin) for field in model._meta.concrete_fields)
    )


@cache
def _state_labels(model: type[Model]) -> Mapping[str, Label]:
    labels: dict[str, Label] = {}
    for field in model._meta.concrete_fields:
        if isinstance(field, FSMFieldMixin):
            labels.update({str(value): label for value, label in field.flatchoices})
    return labels


def state_label(model: type[Model] | None, value: str | None) -> str:
    """The display label of a state of `model`'s FSM field ("" for none)."""
    if not value:
        return ""
    if model is None:
        return value
    return str(_state_labels(model).get(value, value))


def transition_names() -> list[tuple[str, str]]:
    """(name, label) of every transition of every FSM model, for the log's filter."""
    names: set[str] = set()
    for model in fsm_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FSMFieldMixin):
                names.update(t.name for t in field.get_all_transitions(model))
    return sorted(((name, transition_label(name)) for name in names), key=lambda c: c[1])


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    who: Any  # the user, or None for the system (the daily expiry job)
    transition: str
    source: str
    target: str
    note: str


def timeline_for(obj: Model) -> list[TimelineEntry]:
    """The object's transitions, oldest first, with who made them and the note given."""
    model = type(obj)
    rows = StateLog.objects.for_(obj).select_related("by").order_by("timestamp", "pk")
    return [
        TimelineEntry(
            when=row.timestamp,
            who=row.by,
            transition=transition_label(row.transition),
            source=state_label(model, row.source_state),
            target=state_label(model, row.state),
            note=row.description or "",
        )
        for row in rows
    ]


# --- the actions ---------------------------------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Recorded in the audit timeline and shown to the holder."),
        error_messages={"required": gettext_lazy("Give a reason.")},
    )


@dataclass(frozen=True)
class ModerationAction:
    """One staff transition offered on a review page, run through its service."""

    name: str  # the transition's name; also the value of the submit button
    label: Label
    form_class: type[forms.Form]
    run: Callable[[Any, Any, dict[str, Any]], object]  # (object, staff user, cleaned data)
    done: Label  # success message; %(object)s
    failed: Label  # error message; %(object)s and %(reasons)s
    destructive: bool = False

    def is_available(self, obj: Model) -> bool:
        return can_proceed(getattr(obj, self.name))


class ModerationView(InspectView):
    """A record's facts and audit timeline, and the staff actions open in its state.

    GET shows the page. POST runs the chosen action's service: an invalid form is shown again
    with its errors; a refusal by the service (wrong state, a rule not met) becomes an admin
    error message and nothing changes.
    """

    template_name = "moderation/moderate.html"
    page_title = gettext_lazy("Review")
    actions: Sequence[ModerationAction] = ()

    def get_queryset(self) -> QuerySet[Any]:
        return self.model._default_manager.all()

    def get_object(self, queryset: Any = None) -> Any:
        return get_object_or_404(self.get_queryset(), pk=self.pk)

    def get_fields(self) -> list[str]:
        # The page lays out its own facts (get_facts); skip the generic field list.
        return []

    def get_facts(self) -> list[tuple[Label, Any]]:
        """(label, value) rows describing the record; values are escaped unless safe."""
        return []

    def get_state_label(self) -> str:
        return ""

    def get_timeline(self) -> list[TimelineEntry]:
        """The audit timeline the page shows: the record's own transitions by default."""
        return timeline_for(self.object)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        bound: Mapping[str, forms.Form] = kwargs.pop("bound_forms", {})
        context = super().get_context_data(**kwargs)
        offered = []
        if self.user_has_permission("change"):
            offered = [
                (
                    action,
                    bound[action.name]
                    if action.name in bound
                    else action.form_class(prefix=action.name),
                )
                for action in self.actions
                if action.is_available(self.object)
            ]
        context.update(
            facts=self.get_facts(),
            state_label=self.get_state_label(),
            timeline=self.get_timeline(),
            offered_actions=offered,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.user_has_permission("change"):
            raise PermissionDenied
        action = next((a for a in self.actions if a.name == request.POST.get("action")), None)
        if action is None:
            messages.error(request, _("Choose one of the actions offered on this page."))
            return redirect(request.path)
        form = action.form_class(request.POST, prefix=action.name)
        subject = {"object": str(self.object)}
        if form.is_valid():
            try:
                # The service locks the row, checks the state and the rules, transitions and
                # writes the audit row; it is the only writer of the state.
                action.run(self.object, request.user, form.cleaned_data)
            except ValidationError as error:
                fields = getattr(error, "error_dict", {})
                if fields and set(fields) <= set(form.fields):
                    for field, errors in fields.items():
                        form.add_error(field, errors)
                else:
                    messages.error(
                        request, action.failed % {**subject, "reasons": " ".join(error.messages)}
                    )
                    return redirect(request.path)
            else:
                messages.success(request, action.done % subject)
                return redirect(request.path)
        messages.error(request, _("“%(object)s” was not changed: correct the form.") % subject)
        context = self.get_context_data(bound_forms={action.name: form})
        return self.render_to_response(context)


# --- the viewsets ------------------------------------------------------------------------


class ModerationIndexView(IndexView):
    """Each row opens the review page; there is no edit, copy or delete to offer."""

    def get_list_more_buttons(self, instance: Any) -> list[Any]:
        url = self.get_inspect_url(instance)
        if not url:
            return []
        return [MenuItem(_("Review"), url=url, icon_name="info-circle", priority=10)]


class ModerationViewSet(ModelViewSet):
    """An index and a review page per record, nothing that writes through a generic form.

    Register the model's `StaffPermissionPolicy` before the viewset (at the top of the app's
    wagtail_hooks.py), as Wagtail requires.
    """

    index_view_class = ModerationIndexView
    inspect_view_class = ModerationView
    inspect_view_enabled = True
    copy_view_enabled = False
    # The reference index would add queries to every save of these busy models, for usage
    # screens this viewset does not offer.
    add_to_reference_index = False
    #: the permissions offered to groups in Wagtail's group editor
    registered_permissions: tuple[str, ...] = ("view", "change")

    def get_common_view_kwargs(self, **kwargs: Any) -> Any:
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )

    def get_urlpatterns(self) -> list[Any]:
        patterns = [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]
        if self.inspect_view_enabled:
            patterns.append(path("<int:pk>/", self.inspect_view, name="inspect"))
        return patterns

    def get_permissions_to_register(self) -> QuerySet[Permission]:
        opts = self.model._meta
        return Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model),
            codename__in=[get_permission_codename(a, opts) for a in self.registered_permissions],
        )

    def register_admin_url_finder(self) -> None:
        if not self.inspect_view_enabled:
            return
        url_name = self.get_url_name("inspect")

        class ReviewURLFinder(ModelAdminURLFinder):
            """Links to a record (from the transition log) lead to its review page."""

            def construct_edit_url(self, instance: Any) -> str:
                return reverse(url_name, args=(quote(instance.pk),))

            def get_edit_url(self, instance: Any) -> str | None:
                policy = policy_registry.get(instance)
                if self.user and not policy.user_has_any_permission(self.user, ("view", "change")):
                    return None
                return self.construct_edit_url(instance)

        register_admin_url_finder(self.model, ReviewURLFinder)
