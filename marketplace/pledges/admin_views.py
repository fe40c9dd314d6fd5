"""Pledge financing applications in the Wagtail admin, read-only for platform staff.

Staff (the operator, the regulator) follow applications here; they do not act on them: the
reviewers of the addressed bank do, in the bank's own workspace. So the viewset offers an
index and a review page (facts, pledged assets, consents, documents, the audit timeline)
and no action.
"""

from typing import Any

import django_filters
from django.db.models import Model, QuerySet
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn

from marketplace.documents.models import Document
from marketplace.money import format_yuan_exact
from marketplace.parties.models import Organization, OrganizationKind
from marketplace.parties.moderation import (
    Label,
    ModerationIndexView,
    ModerationView,
    ModerationViewSet,
)

from .models import REVIEW_STATES, PledgeApplication, PledgeConsent, PledgedAsset, PledgeState

PLEDGE_INDEX_URL_NAME = "pledge_review:index"
PLEDGE_REVIEW_URL_NAME = "pledge_review:inspect"


def money(amount: Any) -> str:
    """¥1,234.56 to the fen, or "" (shown as —) when there is no amount yet."""
    return "" if amount is None else format_yuan_exact(amount, always_fen=True)


def review_link(user: Any, obj: Model | None, text: Any = None) -> Any:
    """`obj` (or `text`) linked to its admin review page when `user` may open it."""
    if obj is None:
        return ""
    text = obj if text is None else text
    url = AdminURLFinder(user).get_edit_url(obj)
    return format_html('<a href="{}">{}</a>', url, text) if url else str(text)


def _consented_to(user: Any, consent: PledgeConsent) -> Any:
    """The deal or the listing a consent was given to, linked to its review page."""
    if consent.listing is not None:
        return review_link(user, consent.listing, consent.listing.title)
    return review_link(user, consent.deal)


def present(rows: list[tuple[Label, Any]]) -> list[tuple[Label, Any]]:
    """Only the facts that are set: later stages' facts stay out until they happen."""
    return [(label, value) for label, value in rows if value not in (None, "")]


# --- the index -----------------------------------------------------------------------------


def _banks(request: Any) -> QuerySet[Organization]:
    return Organization.objects.filter(kind=OrganizationKind.BANK).order_by("name")


class PledgeApplicationFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("State"),
        choices=PledgeState.choices,
        empty_label=gettext_lazy("All"),
    )
    bank = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Bank"),
        queryset=_banks,
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = PledgeApplication
        fields = ["state", "bank"]


class PledgeApplicationIndexView(ModerationIndexView):
    def get_base_queryset(self) -> QuerySet[PledgeApplication]:
        return super().get_base_queryset().select_related("applicant", "bank")


# --- the review page -------------------------------------------------------------------------


class PledgeApplicationReviewView(ModerationView):
    template_name = "pledges/admin/pledge_review.html"
    actions = ()  # the bank's reviewers act, in the bank workspace; staff read

    def get_queryset(self) -> QuerySet[PledgeApplication]:
        return PledgeApplication.objects.select_related(
            "applicant", "bank", "listing", "reviewer", "created_by"
        )

    def get_state_label(self) -> str:
        return str(self.object.get_state_display())

    def get_facts(self) -> list[tuple[Label, Any]]:
        application: PledgeApplication = self.object
        user = self.request.user
        rate = application.annual_rate
        listing = application.listing
        return [
            (_("Applicant"), review_link(user, application.applicant)),
            (_("Bank"), review_link(user, application.bank)),
            (_("Listing"), review_link(user, listing, listing.title) if listing else ""),
            (_("Requested amount"), money(application.requested_amount)),
            (_("Term (months)"), application.term_months),
            (_("Purpose of the loan"), application.purpose),
            *present(
                [
                    (_("Reviewer"), application.reviewer),
                    (_("Claimed at"), application.claimed_at),
                    (_("Approved amount"), money(application.approved_amount)),
                    (_("Annual interest rate"), f"{rate}%" if rate is not None else None),
                    (_("Approved term (months)"), application.approved_term_months),
                    (_("Loan contract number"), application.contract_number),
                    (_("Contract date"), application.contract_date),
                    (_("Pledge registration number"), application.registration_number),
                    (_("Registration date"), application.registration_date),
                    (_("Secured amount"), money(application.secured_amount)),
                    (_("Disbursed on"), application.disbursed_on),
                    (_("Disbursed amount"), money(application.disbursed_amount)),
                    (_("Maturity date"), application.maturity_date),
                    (_("Repaid on"), application.repaid_on),
                    (_("Released on"), application.released_on),
                    (_("Defaulted on"), application.defaulted_on),
                    (_("Disposed on"), application.disposed_on),
                    (_("Note"), application.last_note),
                    (_("Submitted at"), application.submitted_at),
                ]
            ),
            (_("In this state since"), application.state_changed_at),
            (_("Created by"), application.created_by),
            (_("Created"), application.created_at),
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        application: PledgeApplication = self.object
        context.update(
            pledged_assets=list(
                PledgedAsset.objects.filter(application=application)
                .select_related("asset")
                .order_by("asset_id")
            ),
            consents=[
                (consent, _consented_to(self.request.user, consent))
                for consent in PledgeConsent.objects.filter(application=application)
                .select_related("deal", "listing", "given_by")
                .order_by("created_at", "pk")
            ],
            documents=list(
                Document.objects.filter(pledge_application=application)
                .select_related("uploaded_by")
                .order_by("uploaded_at", "pk")
            ),
        )
        return context


# --- the viewset ---------------------------------------------------------------------------


def _amount_column(name: str, label: Label) -> Column:
    return Column(
        name, label=label, accessor=lambda a: money(getattr(a, name)) or "—", sort_key=name
    )


class PledgeApplicationViewSet(ModerationViewSet):
    model = PledgeApplication
    url_prefix = "pledge-applications"
    url_namespace = "pledge_review"
    icon = "lock"
    menu_label = gettext_lazy("Pledge applications")
    menu_name = "pledge-applications"
    menu_order = 260
    add_to_admin_menu = True
    index_view_class = PledgeApplicationIndexView
    inspect_view_class = PledgeApplicationReviewView
    registered_permissions = ("view",)
    filterset_class = PledgeApplicationFilterSet
    list_display = [
        "__str__",
        Column("applicant", label=gettext_lazy("Applicant"), sort_key="applicant__name"),
        Column("bank", label=gettext_lazy("Bank"), sort_key="bank__name"),
        _amount_column("requested_amount", gettext_lazy("Requested amount")),
        _amount_column("approved_amount", gettext_lazy("Approved amount")),
        _amount_column("secured_amount", gettext_lazy("Secured amount")),
        StatusTagColumn(
            "state",
            label=gettext_lazy("State"),
            accessor="get_state_display",
            sort_key="state",
            primary=lambda a: a.state in REVIEW_STATES,
        ),
        DateColumn(
            "state_changed_at", label=gettext_lazy("State changed"), sort_key="state_changed_at"
        ),
    ]
    ordering = "-state_changed_at"
    list_per_page = 50
    search_fields = ["applicant__name", "bank__name", "contract_number", "registration_number"]
    search_backend_name = None
