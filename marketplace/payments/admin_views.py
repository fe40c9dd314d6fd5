"""Offline payments in the Wagtail admin: staff confirm money into escrow received and money
out of it sent.

Under the offline provider the buyer transfers the deposit, and after both signatures the
balance, to the platform's escrow account quoting the payment's reference; staff check the
account and confirm it here, which moves the deal to "deposit paid" or "balance paid".
When a deal completes, the payout to the seller waits here until staff have sent it and
confirm that; when a deal is cancelled, so does the refund of each payment the buyer made.
All run `payment_confirm_offline`; nothing else writes a payment.
"""

from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.permissions import policy_registry

from marketplace.parties.moderation import (
    Label,
    ModerationAction,
    ModerationIndexView,
    ModerationView,
    ModerationViewSet,
    NoteForm,
    TimelineEntry,
)
from marketplace.pledges.admin_views import money, present, review_link

from .models import Payment, PaymentProvider, PaymentPurpose, PaymentState
from .services import payment_confirm_offline

PAYMENT_INDEX_URL_NAME = "payment_moderation:index"
PAYMENT_REVIEW_URL_NAME = "payment_moderation:inspect"


def offline_payments() -> QuerySet[Payment]:
    """The payments staff confirm by hand (Stripe's confirm themselves, by webhook)."""
    return Payment.objects.filter(provider=PaymentProvider.OFFLINE)


# --- the index -----------------------------------------------------------------------------


class PaymentFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("State"),
        choices=PaymentState.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    purpose = django_filters.ChoiceFilter(
        label=gettext_lazy("Purpose"),
        choices=PaymentPurpose.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Payment
        fields = ["state", "purpose"]


class PaymentIndexView(ModerationIndexView):
    page_title = gettext_lazy("Offline payments")

    def get_base_queryset(self) -> QuerySet[Payment]:
        return offline_payments().select_related("deal__buyer")

    def order_queryset(self, queryset: QuerySet[Payment]) -> QuerySet[Payment]:
        if self.is_explicitly_ordered:
            return super().order_queryset(queryset)
        # What waits for staff first, newest first within each group.
        pending_first = Case(
            When(state=PaymentState.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return queryset.order_by(pending_first, "-created_at", "-pk")


# --- the review page -------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfirmAction(ModerationAction):
    """Offered for a pending offline payment of one purpose (payments have no FSM)."""

    purpose: str = ""

    def is_available(self, obj: Any) -> bool:
        return (
            obj.provider == PaymentProvider.OFFLINE
            and obj.state == PaymentState.PENDING
            and obj.purpose == self.purpose
        )


def _confirm(purpose: str) -> Any:
    def run(payment: Payment, by: Any, data: dict[str, Any]) -> Payment:
        # Each button names what staff checked (money in, or money out): refuse the other.
        if payment.purpose != purpose:
            raise ValidationError(
                _("This payment is a “%(purpose)s”; use the action offered for it.")
                % {"purpose": payment.get_purpose_display()},
                code="wrong_purpose",
            )
        return payment_confirm_offline(payment=payment, by=by, note=data["note"])

    return run


class PaymentModerationView(ModerationView):
    template_name = "payments/admin/payment_moderate.html"
    actions = (
        ConfirmAction(
            name="confirm_deposit",
            label=gettext_lazy("Confirm received"),
            form_class=NoteForm,
            run=_confirm(PaymentPurpose.DEPOSIT),
            done=gettext_lazy("“%(object)s” is confirmed as received; the deal's deposit is paid."),
            failed=gettext_lazy("“%(object)s” was not confirmed: %(reasons)s"),
            purpose=PaymentPurpose.DEPOSIT,
        ),
        ConfirmAction(
            name="confirm_balance",
            label=gettext_lazy("Confirm received"),
            form_class=NoteForm,
            run=_confirm(PaymentPurpose.BALANCE),
            done=gettext_lazy(
                "“%(object)s” is confirmed as received; the deal's balance is in escrow."
            ),
            failed=gettext_lazy("“%(object)s” was not confirmed: %(reasons)s"),
            purpose=PaymentPurpose.BALANCE,
        ),
        ConfirmAction(
            name="confirm_payout",
            label=gettext_lazy("Confirm payout sent"),
            form_class=NoteForm,
            run=_confirm(PaymentPurpose.PAYOUT),
            done=gettext_lazy("“%(object)s” is confirmed as sent; the seller is told."),
            failed=gettext_lazy("“%(object)s” was not confirmed: %(reasons)s"),
            purpose=PaymentPurpose.PAYOUT,
        ),
        ConfirmAction(
            name="confirm_refund",
            label=gettext_lazy("Confirm refund sent"),
            form_class=NoteForm,
            run=_confirm(PaymentPurpose.REFUND),
            done=gettext_lazy("“%(object)s” is confirmed as sent; the buyer is told."),
            failed=gettext_lazy("“%(object)s” was not confirmed: %(reasons)s"),
            purpose=PaymentPurpose.REFUND,
        ),
    )

    def get_queryset(self) -> QuerySet[Payment]:
        return offline_payments().select_related(
            "deal__listing", "deal__buyer", "deal__seller", "confirmed_by", "refund_of"
        )

    def get_state_label(self) -> str:
        return str(self.object.get_state_display())

    def get_facts(self) -> list[tuple[Label, Any]]:
        payment: Payment = self.object
        deal = payment.deal
        user = self.request.user
        return [
            (_("Deal"), review_link(user, deal)),
            (_("Listing"), review_link(user, deal.listing, deal.listing.title)),
            (_("Buyer"), review_link(user, deal.buyer)),
            (_("Seller"), review_link(user, deal.seller)),
            (_("Purpose"), payment.get_purpose_display()),
            *present([(_("Refund of"), review_link(user, payment.refund_of))]),
            (_("Amount"), money(payment.amount)),
            (_("Reference"), format_html("<code>{}</code>", payment.reference)),
            (_("Provider"), payment.get_provider_display()),
            (_("State"), payment.get_state_display()),
            *present([(_("Provider reference"), payment.external_id)]),
            (_("Confirmed by"), payment.confirmed_by),
            (_("Confirmed at"), payment.confirmed_at),
            *present([(_("Note"), payment.note)]),
            (_("Created"), payment.created_at),
        ]

    def get_timeline(self) -> list[TimelineEntry]:
        """A payment has no state machine and so no transition log; its row records when it
        was requested and who confirmed it (or when it was cancelled), shown the same way."""
        payment: Payment = self.object
        pending = str(PaymentState.PENDING.label)
        requested: str = {
            PaymentPurpose.DEPOSIT: _("Deposit requested"),
            PaymentPurpose.BALANCE: _("Balance requested"),
            PaymentPurpose.PAYOUT: _("Payout owed"),
        }.get(PaymentPurpose(payment.purpose), _("Refund owed"))
        entries = [TimelineEntry(payment.created_at, None, requested, "", pending, "")]
        if payment.state == PaymentState.SUCCEEDED and payment.confirmed_at:
            action = next(a for a in self.actions if getattr(a, "purpose", "") == payment.purpose)
            entries.append(
                TimelineEntry(
                    payment.confirmed_at,
                    payment.confirmed_by,
                    str(action.label),
                    pending,
                    str(PaymentState.SUCCEEDED.label),
                    payment.note,
                )
            )
        elif payment.state == PaymentState.CANCELLED:
            entries.append(
                TimelineEntry(
                    payment.updated_at,
                    None,
                    str(PaymentState.CANCELLED.label),
                    pending,
                    str(PaymentState.CANCELLED.label),
                    "",
                )
            )
        return entries

    def get_instructions(self) -> str:
        payment: Payment = self.object
        if payment.state != PaymentState.PENDING:
            return ""
        subject = {
            "amount": money(payment.amount),
            "reference": payment.reference,
            "buyer": payment.deal.buyer.name,
            "seller": payment.deal.seller.name,
        }
        if payment.purpose == PaymentPurpose.DEPOSIT:
            return (
                _(
                    "Confirm only once a transfer of %(amount)s quoting %(reference)s has "
                    "arrived in the platform's escrow account. The deal then moves to "
                    "“Deposit paid”."
                )
                % subject
            )
        if payment.purpose == PaymentPurpose.BALANCE:
            return (
                _(
                    "Confirm only once a transfer of %(amount)s quoting %(reference)s has "
                    "arrived in the platform's escrow account. The deal then moves to "
                    "“Balance paid” and the parties file the recordal; the money stays in "
                    "escrow until the deal completes."
                )
                % subject
            )
        if payment.purpose == PaymentPurpose.PAYOUT:
            return (
                _(
                    "The deal is completed: pay %(amount)s out of escrow to %(seller)s quoting "
                    "%(reference)s, then confirm the payout as sent. The seller is told."
                )
                % subject
            )
        return (
            _(
                "Send %(amount)s back to %(buyer)s quoting %(reference)s, then confirm the refund "
                "as sent. The buyer is told."
            )
            % subject
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(instructions=self.get_instructions())
        return context


# --- the viewset ---------------------------------------------------------------------------


class PaymentViewSet(ModerationViewSet):
    model = Payment
    url_prefix = "offline-payments"
    url_namespace = "payment_moderation"
    icon = "circle-check"
    menu_label = gettext_lazy("Offline payments")
    menu_name = "offline-payments"
    menu_order = 250
    add_to_admin_menu = True
    index_view_class = PaymentIndexView
    inspect_view_class = PaymentModerationView
    filterset_class = PaymentFilterSet
    list_display = [
        "reference",
        Column(
            "purpose",
            label=gettext_lazy("Purpose"),
            accessor="get_purpose_display",
            sort_key="purpose",
        ),
        Column("deal", label=gettext_lazy("Deal"), sort_key="deal_id"),
        Column(
            "buyer",
            label=gettext_lazy("Buyer"),
            accessor="deal.buyer",
            sort_key="deal__buyer__name",
        ),
        Column(
            "amount",
            label=gettext_lazy("Amount"),
            accessor=lambda p: money(p.amount),
            sort_key="amount",
        ),
        StatusTagColumn(
            "state",
            label=gettext_lazy("State"),
            accessor="get_state_display",
            sort_key="state",
            primary=lambda p: p.state == PaymentState.PENDING,
        ),
        DateColumn("created_at", label=gettext_lazy("Created"), sort_key="created_at"),
    ]
    ordering = "-created_at"
    list_per_page = 50
    search_fields = ["reference", "deal__buyer__name", "deal__seller__name"]
    search_backend_name = None


# --- the dashboard -------------------------------------------------------------------------


class OfflinePaymentsPanel(Component):
    """Offline payments awaiting confirmation: deposits and balances to check for, payouts
    and refunds to send."""

    name = "offline_payments"
    template_name = "payments/admin/offline_payments_panel.html"
    order = 55  # under the pending-review panel, above Wagtail's own

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        policy = policy_registry.get_by_type(Payment)
        if not policy.user_has_any_permission(self.request.user, ("view",)):
            return {"rows": []}
        pending = Q(state=PaymentState.PENDING)
        queues = (
            (PaymentPurpose.DEPOSIT, _("Deposits to confirm as received")),
            (PaymentPurpose.BALANCE, _("Balances to confirm as received")),
            (PaymentPurpose.PAYOUT, _("Payouts to send to sellers and confirm")),
            (PaymentPurpose.REFUND, _("Refunds to send and confirm")),
        )
        counts = offline_payments().aggregate(
            **{
                str(purpose): Count("pk", filter=pending & Q(purpose=purpose))
                for purpose, _label in queues
            }
        )
        index = reverse(PAYMENT_INDEX_URL_NAME)
        return {
            "rows": [
                {
                    "label": label,
                    "count": counts[str(purpose)],
                    "url": f"{index}?state={PaymentState.PENDING}&purpose={purpose}",
                }
                for purpose, label in queues
            ]
        }
