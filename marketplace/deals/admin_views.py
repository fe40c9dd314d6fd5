"""Transfer and licence deals in the Wagtail admin, for platform staff.

The parties move a deal along in their workspace; staff follow it here (facts, payments,
consents, recordal evidence, licences, documents, the audit timeline) and may cancel it,
through `deal_cancel`, which also unwinds the money (each payment received becomes a
pending refund that staff send and confirm on the offline payments screen).

Staff also check the recordal evidence the parties upload ("Recordal evidence"): accepting
it completes the deal (`recordal_evidence_accept`), rejecting it sends the parties the
reason (`recordal_evidence_reject`).
"""

from typing import Any

import django_filters
from django import forms
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.permissions import policy_registry

from listings.models import IPAsset
from marketplace.documents.models import Document
from marketplace.parties.moderation import (
    Label,
    ModerationAction,
    ModerationIndexView,
    ModerationView,
    ModerationViewSet,
    NoteForm,
    ReasonForm,
    TimelineEntry,
    timeline_for,
)
from marketplace.payments.models import Payment
from marketplace.payments.services import balance_settled
from marketplace.pledges.admin_views import money, present, review_link
from marketplace.pledges.models import PledgeConsent

from . import services
from .models import (
    STAFF_CANCELLABLE_DEAL_STATES,
    Deal,
    DealKind,
    DealState,
    EvidenceState,
    Licence,
    RecordalEvidence,
)
from .recordal import recordal_terms

DEAL_INDEX_URL_NAME = "deal_moderation:index"
DEAL_REVIEW_URL_NAME = "deal_moderation:inspect"

# --- the index -----------------------------------------------------------------------------


class DealFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("State"),
        # "new" exists only inside deal_propose's transaction
        choices=[c for c in DealState.choices if c[0] != DealState.NEW],
        empty_label=gettext_lazy("All"),
    )
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Kind"),
        choices=DealKind.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Deal
        fields = ["state", "kind"]


class DealIndexView(ModerationIndexView):
    def get_base_queryset(self) -> QuerySet[Deal]:
        return super().get_base_queryset().select_related("listing", "buyer", "seller")


# --- the review page -------------------------------------------------------------------------


class CancelForm(ReasonForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Recorded in the audit timeline and sent to both parties. Each payment already "
            "received (deposit, balance) becomes a refund to send to the buyer."
        ),
        error_messages={"required": gettext_lazy("Give a reason.")},
    )


def _cancel(deal: Deal, by: Any, data: dict[str, Any]) -> Deal:
    return services.deal_cancel(deal=deal, by=by, reason=data["reason"])


class DealModerationView(ModerationView):
    template_name = "deals/admin/deal_moderate.html"
    actions = (
        ModerationAction(
            name="cancel",
            label=gettext_lazy("Cancel the deal"),
            form_class=CancelForm,
            run=_cancel,
            done=gettext_lazy("“%(object)s” was cancelled; both parties are told."),
            failed=gettext_lazy("“%(object)s” was not cancelled: %(reasons)s"),
            destructive=True,
        ),
    )

    def get_queryset(self) -> QuerySet[Deal]:
        return Deal.objects.select_related("listing", "buyer", "seller", "created_by")

    def get_state_label(self) -> str:
        return str(self.object.get_state_display())

    def get_facts(self) -> list[tuple[Label, Any]]:
        deal: Deal = self.object
        user = self.request.user
        licence_terms: list[tuple[Label, Any]] = []
        if deal.is_licence:
            licence_terms = [
                (_("Licence type"), deal.get_licence_type_display()),
                (_("Territory"), deal.territory),
                (_("Licence starts"), deal.licence_start),
                (_("Licence ends"), deal.licence_end),
                (_("Royalty"), deal.royalty),
            ]
        return [
            (_("Listing"), review_link(user, deal.listing, deal.listing.title)),
            (_("Kind"), deal.get_kind_display()),
            (_("Seller"), review_link(user, deal.seller)),
            (_("Buyer"), review_link(user, deal.buyer)),
            (_("Offered price"), money(deal.price)),
            (_("Deposit"), money(deal.deposit_amount)),
            (_("Balance"), money(deal.balance_amount)),
            *licence_terms,
            (_("Message to the seller"), deal.message),
            *present(
                [
                    (_("Signed by the seller"), deal.seller_signed_at),
                    (_("Signed by the buyer"), deal.buyer_signed_at),
                    (_("Recordal number"), deal.recordal_number),
                    (_("Recordal filed on"), deal.recordal_date),
                    (_("Completed at"), deal.completed_at),
                    (_("Note"), deal.last_note),
                ]
            ),
            (_("In this state since"), deal.state_changed_at),
            (_("Offer made by"), deal.created_by),
            (_("Created"), deal.created_at),
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        deal: Deal = self.object
        user = self.request.user
        context.update(
            payments=[
                (payment, review_link(user, payment, payment.reference), money(payment.amount))
                for payment in Payment.objects.filter(deal=deal)
                .select_related("confirmed_by")
                .order_by("created_at", "pk")
            ],
            consents=[
                (consent, review_link(user, consent.application))
                for consent in PledgeConsent.objects.filter(deal=deal)
                .select_related("application__bank", "given_by")
                .order_by("created_at", "pk")
            ],
            licences=list(
                Licence.objects.filter(deal=deal).select_related("asset").order_by("asset_id")
            ),
            documents=list(
                Document.objects.filter(deal=deal)
                .select_related("uploaded_by")
                .order_by("uploaded_at", "pk")
            ),
            evidence=[
                (item, review_link(user, item, item.document.original_name))
                for item in RecordalEvidence.objects.filter(deal=deal)
                .select_related("document", "submitted_by", "reviewed_by")
                .order_by("submitted_at", "pk")
            ],
        )
        return context


# --- the viewset ---------------------------------------------------------------------------


class DealViewSet(ModerationViewSet):
    model = Deal
    url_prefix = "deals"
    url_namespace = "deal_moderation"
    icon = "tasks"
    menu_label = gettext_lazy("Deals")
    menu_name = "deals"
    menu_order = 240
    add_to_admin_menu = True
    index_view_class = DealIndexView
    inspect_view_class = DealModerationView
    filterset_class = DealFilterSet
    list_display = [
        "__str__",
        Column(
            "listing",
            label=gettext_lazy("Listing"),
            accessor="listing.title",
            sort_key="listing__title",
        ),
        Column("kind", label=gettext_lazy("Kind"), accessor="get_kind_display", sort_key="kind"),
        Column("seller", label=gettext_lazy("Seller"), sort_key="seller__name"),
        Column("buyer", label=gettext_lazy("Buyer"), sort_key="buyer__name"),
        Column(
            "price",
            label=gettext_lazy("Price"),
            accessor=lambda d: money(d.price),
            sort_key="price",
        ),
        StatusTagColumn(
            "state",
            label=gettext_lazy("State"),
            accessor="get_state_display",
            sort_key="state",
            primary=lambda d: d.state in STAFF_CANCELLABLE_DEAL_STATES,
        ),
        DateColumn(
            "state_changed_at", label=gettext_lazy("State changed"), sort_key="state_changed_at"
        ),
    ]
    ordering = "-state_changed_at"
    list_per_page = 50
    search_fields = ["listing__title", "buyer__name", "seller__name", "recordal_number"]
    search_backend_name = None


# --- the recordal evidence ---------------------------------------------------------------------

EVIDENCE_INDEX_URL_NAME = "recordal_evidence:index"


class EvidenceFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("State"),
        choices=EvidenceState.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = RecordalEvidence
        fields = ["state"]


class EvidenceIndexView(ModerationIndexView):
    page_title = gettext_lazy("Recordal evidence")

    def get_base_queryset(self) -> QuerySet[RecordalEvidence]:
        return RecordalEvidence.objects.select_related(
            "deal__listing", "deal__buyer", "deal__seller", "document__organization"
        )

    def order_queryset(self, queryset: QuerySet[RecordalEvidence]) -> QuerySet[RecordalEvidence]:
        if self.is_explicitly_ordered:
            return super().order_queryset(queryset)
        # What waits for the check first, oldest first (the parties wait for it).
        waiting_first = Case(
            When(state=EvidenceState.SUBMITTED, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return queryset.order_by(waiting_first, "submitted_at", "pk")


class RejectEvidenceForm(ReasonForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Both parties read it and upload another document (e.g. the wrong notice, an "
            "illegible scan, a number or holder that does not match the deal)."
        ),
        error_messages={"required": gettext_lazy("Give the parties a reason.")},
    )


def _accept_evidence(evidence: RecordalEvidence, by: Any, data: dict[str, Any]) -> Any:
    return services.recordal_evidence_accept(evidence=evidence, by=by, note=data["note"])


def _reject_evidence(evidence: RecordalEvidence, by: Any, data: dict[str, Any]) -> Any:
    return services.recordal_evidence_reject(evidence=evidence, by=by, reason=data["reason"])


class EvidenceModerationView(ModerationView):
    template_name = "deals/admin/evidence_moderate.html"
    actions = (
        ModerationAction(
            name="accept",
            label=gettext_lazy("Accept and complete the deal"),
            form_class=NoteForm,
            run=_accept_evidence,
            done=gettext_lazy(
                "“%(object)s” is accepted: the deal is completed, and the payout to the seller "
                "waits on the offline payments screen."
            ),
            failed=gettext_lazy("“%(object)s” was not accepted: %(reasons)s"),
        ),
        ModerationAction(
            name="reject",
            label=gettext_lazy("Reject"),
            form_class=RejectEvidenceForm,
            run=_reject_evidence,
            done=gettext_lazy("“%(object)s” is rejected; both parties read the reason."),
            failed=gettext_lazy("“%(object)s” was not rejected: %(reasons)s"),
            destructive=True,
        ),
    )

    def get_queryset(self) -> QuerySet[RecordalEvidence]:
        return RecordalEvidence.objects.select_related(
            "deal__listing",
            "deal__buyer",
            "deal__seller",
            "document__organization",
            "submitted_by",
            "reviewed_by",
        )

    def get_state_label(self) -> str:
        return str(self.object.get_state_display())

    def _assets(self) -> list[IPAsset]:
        return list(IPAsset.objects.filter(listings=self.object.deal.listing_id).order_by("pk"))

    def get_facts(self) -> list[tuple[Label, Any]]:
        evidence: RecordalEvidence = self.object
        deal = evidence.deal
        user = self.request.user
        assets = self._assets()
        kind = deal.get_kind_display()
        if deal.licence_type:
            kind = f"{kind} · {deal.get_licence_type_display()}"
        return [
            (_("Deal"), review_link(user, deal)),
            (_("Listing"), review_link(user, deal.listing, deal.listing.title)),
            (_("Kind"), kind),
            (_("Seller"), review_link(user, deal.seller)),
            (_("Buyer"), review_link(user, deal.buyer)),
            (
                _("IP assets"),
                format_html_join(
                    mark_safe("<br>"),
                    "{} <code>{}</code> {}",
                    ((a.get_kind_display(), a.number, a.title) for a in assets),
                ),
            ),
            (_("Recordal number"), deal.recordal_number),
            (_("Recordal filed on"), deal.recordal_date),
            (
                _("Balance in escrow"),
                _("Yes") if balance_settled(deal=deal) else _("No: the deal cannot complete yet"),
            ),
            (
                _("File"),
                format_html(
                    '<a href="{}">{}</a>',
                    reverse("documents:download", args=[evidence.document_id]),
                    evidence.document.original_name,
                ),
            ),
            (
                _("Uploaded by"),
                f"{evidence.submitted_by or '—'} · {evidence.document.organization}",
            ),
            (_("Uploaded at"), evidence.submitted_at),
            *present(
                [
                    (_("Checked by"), evidence.reviewed_by),
                    (_("Checked at"), evidence.reviewed_at),
                    (_("Note"), evidence.review_note),
                ]
            ),
        ]

    def get_timeline(self) -> list[TimelineEntry]:
        """The upload (not a transition), then the check."""
        evidence: RecordalEvidence = self.object
        uploaded = TimelineEntry(
            evidence.submitted_at,
            evidence.submitted_by,
            _("Uploaded by a party"),
            "",
            str(EvidenceState.SUBMITTED.label),
            "",
        )
        return [uploaded, *timeline_for(evidence)]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        deal = self.object.deal
        context["recordal_terms"] = recordal_terms(
            deal_kind=deal.kind, asset_kinds=[a.kind for a in self._assets()]
        )
        context["is_transfer"] = deal.kind == DealKind.TRANSFER
        return context


class EvidenceViewSet(ModerationViewSet):
    model = RecordalEvidence
    url_prefix = "recordal-evidence"
    url_namespace = "recordal_evidence"
    icon = "doc-full"
    menu_label = gettext_lazy("Recordal evidence")
    menu_name = "recordal-evidence"
    menu_order = 245
    add_to_admin_menu = True
    index_view_class = EvidenceIndexView
    inspect_view_class = EvidenceModerationView
    filterset_class = EvidenceFilterSet
    list_display = [
        "__str__",
        Column(
            "listing",
            label=gettext_lazy("Listing"),
            accessor="deal.listing.title",
            sort_key="deal__listing__title",
        ),
        Column(
            "kind",
            label=gettext_lazy("Kind"),
            accessor="deal.get_kind_display",
            sort_key="deal__kind",
        ),
        Column(
            "uploaded_by",
            label=gettext_lazy("Uploaded by"),
            accessor="document.organization",
            sort_key="document__organization__name",
        ),
        StatusTagColumn(
            "state",
            label=gettext_lazy("State"),
            accessor="get_state_display",
            sort_key="state",
            primary=lambda e: e.state == EvidenceState.SUBMITTED,
        ),
        DateColumn("submitted_at", label=gettext_lazy("Uploaded at"), sort_key="submitted_at"),
    ]
    ordering = "submitted_at"
    list_per_page = 50
    search_fields = ["deal__listing__title", "deal__buyer__name", "deal__seller__name"]
    search_backend_name = None


class EvidencePanel(Component):
    """Recordal evidence waiting for the staff's check."""

    name = "recordal_evidence"
    template_name = "deals/admin/evidence_panel.html"
    order = 56  # under the offline payments panel

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        policy = policy_registry.get_by_type(RecordalEvidence)
        if not policy.user_has_any_permission(self.request.user, ("view",)):
            return {"count": None}
        return {
            "count": RecordalEvidence.objects.filter(state=EvidenceState.SUBMITTED).count(),
            "url": f"{reverse(EVIDENCE_INDEX_URL_NAME)}?state={EvidenceState.SUBMITTED}",
        }
