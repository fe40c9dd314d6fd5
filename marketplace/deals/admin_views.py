"""Transfer and licence deals in the Wagtail admin, for platform staff.

The parties move a deal along in their workspace; staff follow it here (facts, payments,
consents, licences, documents, the audit timeline) and may do one thing: cancel it, through
`deal_cancel`, which also unwinds the deposit (a received one becomes a pending refund
that staff send and confirm on the offline payments screen).
"""

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn

from marketplace.documents.models import Document
from marketplace.parties.moderation import (
    Label,
    ModerationAction,
    ModerationIndexView,
    ModerationView,
    ModerationViewSet,
    ReasonForm,
)
from marketplace.payments.models import Payment
from marketplace.pledges.admin_views import money, present, review_link
from marketplace.pledges.models import PledgeConsent

from . import services
from .models import CANCELLABLE_DEAL_STATES, Deal, DealKind, DealState, Licence

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
            "Recorded in the audit timeline and sent to both parties. A deposit already "
            "received becomes a refund to send to the buyer."
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
            primary=lambda d: d.state in CANCELLABLE_DEAL_STATES,
        ),
        DateColumn(
            "state_changed_at", label=gettext_lazy("State changed"), sort_key="state_changed_at"
        ),
    ]
    ordering = "-state_changed_at"
    list_per_page = 50
    search_fields = ["listing__title", "buyer__name", "seller__name", "recordal_number"]
    search_backend_name = None
