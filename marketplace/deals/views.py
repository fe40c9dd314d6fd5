"""The parties' side of transfer and licence deals, in the workspace.

A buyer makes an offer from a published listing (/workspace/deals/new/?listing=<id>); both
parties follow their deals in a list and on the deal's page, where each acts when the deal
waits for it. Every page is for the two parties only: `deal_for_party` gives anybody else
DoesNotExist and so a 404, for reading and for every action alike (staff use the admin).
Writes go through the services; their errors show next to the fields they name, or as
messages for a step that is not possible now.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from listings.models import IPAsset, Listing, ListingIntent
from listings.selectors import listing_for_public, timeline_for
from marketplace.documents.forms import DocumentUploadForm
from marketplace.documents.models import Document, DocumentKind
from marketplace.documents.views import upload_view
from marketplace.parties.http import AuthenticatedHttpRequest
from marketplace.parties.models import Organization, VerificationState
from marketplace.payments.models import Payment, PaymentProvider, PaymentPurpose, PaymentState
from marketplace.pledges.models import PledgeConsent, PledgedAsset
from marketplace.pledges.selectors import active_pledges_of_assets

from . import services
from .forms import ACTION_FORMS, DealActionForm, DealOfferForm, RecordalEvidenceForm
from .models import (
    CANCELLABLE_DEAL_STATES,
    OPEN_DEAL_STATES,
    Deal,
    DealKind,
    DealState,
    EvidenceState,
    RecordalEvidence,
)
from .recordal import recordal_terms
from .selectors import deal_for_party, deals_for_user
from .templatetags.deal_tags import deal_rows, has_signed, money, party_organizations, role_in

logger = logging.getLogger(__name__)

DEALS_PER_PAGE = 25
# Primary keys are 64-bit; a longer number is simply not a listing (and SQLite would
# overflow on it).
MAX_PK = 2**63 - 1
ROLES = ("buying", "selling")


def _positive_int(raw: str | None) -> int | None:
    if raw and raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_PK:
        return int(raw)
    return None


def _deal_or_404(request: AuthenticatedHttpRequest, pk: int) -> Deal:
    try:
        return deal_for_party(user=request.user, pk=pk)
    except Deal.DoesNotExist:
        raise Http404 from None


def _detail_url(deal: Deal, anchor: str = "") -> str:
    return reverse("deals:detail", args=[deal.pk]) + (f"#{anchor}" if anchor else "")


# --- the offer -----------------------------------------------------------------------------


def _offer_listing_or_404(raw: str | None) -> Listing:
    """A published transfer or licence listing; anything else (no id, not a number, a
    draft, a pledge listing) is a 404."""
    pk = _positive_int(raw)
    if pk is None:
        raise Http404
    try:
        listing = listing_for_public(pk=pk)
    except Listing.DoesNotExist:
        raise Http404 from None
    if listing.intent not in (ListingIntent.TRANSFER, ListingIntent.LICENCE):
        raise Http404
    return listing


@login_required
@require_http_methods(["GET", "POST"])
def deal_propose(request: AuthenticatedHttpRequest) -> HttpResponse:
    listing = _offer_listing_or_404(request.GET.get("listing"))
    organizations = party_organizations(request.user)
    buyer_ids = [
        pk
        for pk, state in organizations.items()
        if state == VerificationState.VERIFIED and pk != listing.holder_id
    ]
    context: dict[str, Any] = {"listing": listing, "assets": list(listing.assets.all())}
    if not buyer_ids:
        # Nobody to offer for: say why instead of showing a form that cannot succeed.
        if listing.holder_id in organizations:
            context["blocked"] = "own"
        elif organizations:
            context["blocked"] = "unverified"
        else:
            context["blocked"] = "no_organization"
        return render(request, "deals/deal_form.html", context)
    buyers = Organization.objects.filter(pk__in=buyer_ids).order_by("name", "pk")
    form = DealOfferForm(request.POST or None, listing=listing, buyers=buyers)
    if request.method == "POST" and form.is_valid():
        try:
            deal = services.deal_propose(
                by=request.user, listing=listing, **form.service_arguments()
            )
        except ValidationError as error:
            form.apply_service_error(error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Your offer on “%(title)s” is sent to the seller.")
                % {"title": listing.local_title},
            )
            return redirect("deals:detail", pk=deal.pk)
    context["form"] = form
    context["open_offers"] = list(
        Deal.objects.filter(listing=listing, buyer_id__in=buyer_ids, state__in=OPEN_DEAL_STATES)
        .select_related("buyer")
        .order_by("-created_at", "-pk")
    )
    return render(request, "deals/deal_form.html", context)


# --- the list ------------------------------------------------------------------------------


@login_required
@require_safe
def deal_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The deals of the user's organisations, as buyer or seller, newest first; a fixed
    number of queries whatever the number of deals."""
    organizations = party_organizations(request.user)
    deals = deals_for_user(user=request.user)
    role = request.GET.get("role", "")
    if role == "buying":
        deals = deals.filter(buyer_id__in=list(organizations))
    elif role == "selling":
        deals = deals.filter(seller_id__in=list(organizations))
    else:
        role = ""
    listing_pk = _positive_int(request.GET.get("listing"))
    if listing_pk is not None:
        deals = deals.filter(listing_id=listing_pk)
    page = Paginator(deals, DEALS_PER_PAGE).get_page(request.GET.get("page"))
    rows = deal_rows(page.object_list, organizations)
    kept = {"listing": listing_pk} if listing_pk is not None else {}
    tabs = [
        (value, label, "?" + urlencode({**({"role": value} if value else {}), **kept}))
        for value, label in (("", _("All")), ("buying", _("Buying")), ("selling", _("Selling")))
    ]
    page_query = urlencode({**({"role": role} if role else {}), **kept})
    return render(
        request,
        "deals/deal_list.html",
        {
            "page": page,
            "rows": rows,
            "role": role,
            "tabs": tabs,
            "page_query": f"{page_query}&" if page_query else "",
            "listing_filter": listing_pk,
            "listing_title": rows[0].deal.listing.local_title if rows and listing_pk else "",
        },
    )


# --- the deal's page -----------------------------------------------------------------------


@dataclass(frozen=True)
class AssetRow:
    """An asset of the deal's listing and its pledge: the active pledge (if any) and the
    pledgee's consent to this deal (if recorded)."""

    asset: IPAsset
    pledge: PledgedAsset | None
    consent: PledgeConsent | None

    @property
    def needs_consent(self) -> bool:
        return self.pledge is not None and self.consent is None


def available_actions(deal: Deal, role: str) -> list[str]:
    """The steps the deal's state lets this party take now (the services decide in the
    end; a button shown here the service refuses reports why). Nobody here completes a
    deal: platform staff do, by accepting the recordal evidence."""
    actions: list[str] = []
    if deal.state == DealState.PROPOSED:
        actions += ["accept", "decline"] if role == "seller" else ["withdraw"]
    elif deal.state == DealState.DEPOSIT_PAID and not has_signed(deal, role):
        actions.append("sign")
    elif deal.state == DealState.BALANCE_PAID:
        actions.append("file_recordal")
    if deal.state in CANCELLABLE_DEAL_STATES:
        actions.append("cancel")
    return actions


@dataclass(frozen=True)
class DealPayments:
    """The deal's money as the parties see it: the request of each purpose that counts (the
    live one, else the last cancelled one), the refunds, and the payment due now."""

    deposit: Payment | None
    balance: Payment | None
    payout: Payment | None
    refunds: list[Payment]

    @property
    def due(self) -> Payment | None:
        """The payment into escrow the buyer owes now (at most one at a time)."""
        for payment in (self.deposit, self.balance):
            if payment is not None and payment.state == PaymentState.PENDING:
                return payment
        return None

    @property
    def due_is_offline(self) -> bool:
        return self.due is not None and self.due.provider == PaymentProvider.OFFLINE


def _payments(deal: Deal) -> DealPayments:
    payments = list(Payment.objects.filter(deal=deal).order_by("created_at", "pk"))

    def shown(purpose: str) -> Payment | None:
        rows = [p for p in payments if p.purpose == purpose]
        live = [p for p in rows if p.state != PaymentState.CANCELLED]
        chosen = live or rows
        return chosen[-1] if chosen else None

    return DealPayments(
        deposit=shown(PaymentPurpose.DEPOSIT),
        balance=shown(PaymentPurpose.BALANCE),
        payout=shown(PaymentPurpose.PAYOUT),
        refunds=[p for p in payments if p.purpose == PaymentPurpose.REFUND],
    )


def _asset_rows(deal: Deal) -> list[AssetRow]:
    assets = list(IPAsset.objects.filter(listings=deal.listing_id).order_by("pk"))
    pledges = {row.asset_id: row for row in active_pledges_of_assets(assets=assets)}
    consents = {
        consent.application_id: consent
        for consent in PledgeConsent.objects.filter(deal=deal).select_related("given_by")
    }
    rows = []
    for asset in assets:
        pledge = pledges.get(asset.pk)
        consent = consents.get(pledge.application_id) if pledge is not None else None
        rows.append(AssetRow(asset=asset, pledge=pledge, consent=consent))
    return rows


def _render_detail(
    request: AuthenticatedHttpRequest, deal: Deal, *, bound: DealActionForm | None = None
) -> HttpResponse:
    organizations = party_organizations(request.user)
    role = role_in(deal, organizations)
    actions = available_actions(deal, role)
    forms = {
        name: bound if bound is not None and bound.action == name else ACTION_FORMS[name]()
        for name in actions
    }
    payments = _payments(deal)
    asset_rows = _asset_rows(deal)
    documents = list(
        Document.objects.visible_to(request.user)
        .filter(deal=deal)
        .select_related("uploaded_by", "organization")
        .order_by("-uploaded_at", "-pk")
    )
    for document in documents:
        # Members of the organisation that uploaded it may delete it (documents.services),
        # except the recordal evidence, kept as the record of the staff's check.
        document.can_delete = (  # type: ignore[attr-defined]
            document.organization_id in organizations
            and document.kind != DocumentKind.RECORDAL_EVIDENCE
        )
    evidence = list(
        RecordalEvidence.objects.filter(deal=deal)
        .select_related("document", "submitted_by", "reviewed_by")
        .order_by("-submitted_at", "-pk")
    )
    evidence_open = deal.state == DealState.RECORDAL_FILED and not any(
        e.state == EvidenceState.SUBMITTED for e in evidence
    )
    licences = (
        list(deal.licences.select_related("asset").order_by("asset_id"))
        if deal.kind == DealKind.LICENCE and deal.state == DealState.COMPLETED
        else []
    )
    context = {
        "deal": deal,
        "role": role,
        "my_organization": deal.seller if role == "seller" else deal.buyer,
        "counterparty": deal.buyer if role == "seller" else deal.seller,
        "actions": actions,
        "forms": forms,
        "bound_action": bound.action if bound is not None else "",
        "signed_by_me": has_signed(deal, role),
        "signed_by_other": has_signed(deal, "buyer" if role == "seller" else "seller"),
        "payments": payments,
        "offline_account": settings.OFFLINE_PAYMENT_ACCOUNT,
        "recordal_terms": recordal_terms(
            deal_kind=deal.kind, asset_kinds=[row.asset.kind for row in asset_rows]
        ),
        "evidence": evidence,
        "evidence_form": RecordalEvidenceForm() if evidence_open else None,
        "asset_rows": asset_rows,
        "consent_missing": [row for row in asset_rows if row.needs_consent],
        "licences": licences,
        "documents": documents,
        "upload_form": DocumentUploadForm(initial={"kind": DocumentKind.CONTRACT}),
        "timeline": timeline_for(obj=deal),
    }
    return render(request, "deals/deal_detail.html", context)


@login_required
@require_safe
def deal_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _deal_or_404(request, pk))


# --- the actions ---------------------------------------------------------------------------

# The service behind each action of the page, called with the form's cleaned data.
SERVICES: dict[str, Callable[..., Deal]] = {
    "accept": services.deal_accept,
    "decline": services.deal_decline,
    "withdraw": services.deal_withdraw,
    "sign": services.deal_sign,
    "file_recordal": services.deal_file_recordal,
    "cancel": services.deal_cancel,
}
assert set(SERVICES) == set(ACTION_FORMS)


def _success_message(action: str, deal: Deal) -> str:
    if action == "sign":
        if deal.state == DealState.BALANCE_PAID:
            return _(
                "The contract is signed by both parties. No balance is owed (the deposit was "
                "the whole price): file the recordal next."
            )
        if deal.signed_by_both():
            return _(
                "The contract is signed by both parties. The buyer now pays the balance of "
                "%(amount)s into the platform's escrow account."
            ) % {"amount": money(deal.balance_amount)}
        return _("Your signature is recorded; waiting for the other party to sign.")
    if action == "accept":
        return _(
            "You accepted the offer. The buyer now pays the deposit of %(amount)s; "
            "platform staff confirm its receipt."
        ) % {"amount": money(deal.deposit_amount)}
    if action == "cancel":
        return _("The deal is cancelled. What the buyer paid into escrow is refunded.")
    return {
        "decline": _("You declined the offer."),
        "withdraw": _("You withdrew your offer."),
        "file_recordal": _(
            "The recordal filing is recorded. Upload the authority's document here once it "
            "is issued."
        ),
    }[action]


def _names_a_field(error: ValidationError, form: DealActionForm) -> bool:
    return hasattr(error, "error_dict") and any(name in form.fields for name in error.error_dict)


@login_required
@require_POST
def deal_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    deal = _deal_or_404(request, pk)
    if action not in SERVICES:
        raise Http404
    form = ACTION_FORMS[action](request.POST)
    if form.is_valid():
        try:
            deal = SERVICES[action](deal=deal, by=request.user, **form.cleaned_data)
        except PermissionDenied as error:
            # A party trying the other party's step (the buyer accepting, say).
            messages.error(request, str(error) or _("You cannot take this step."))
            return redirect(_detail_url(deal))
        except ValidationError as error:
            if not _names_a_field(error, form):
                for message in error.messages:
                    messages.error(request, message)
                return redirect(_detail_url(deal))
            form.apply_service_error(error)
        else:
            messages.success(request, _success_message(action, deal))
            return redirect(_detail_url(deal))
    # Field errors show in the action's form on the page, with what was typed.
    return _render_detail(request, deal, bound=form)


# --- documents -----------------------------------------------------------------------------


def _uploading_party(request: AuthenticatedHttpRequest, deal: Deal) -> dict[str, Any]:
    role = role_in(deal, party_organizations(request.user))
    return {"organization": deal.seller if role == "seller" else deal.buyer, "deal": deal}


deal_document_upload = upload_view(
    target=_deal_or_404,
    attach=_uploading_party,
    redirect_to=lambda deal: _detail_url(deal, "documents"),
)


def _submit_evidence(
    request: AuthenticatedHttpRequest, deal: Deal, data: dict[str, Any]
) -> Document:
    evidence = services.recordal_evidence_submit(
        deal=deal, by=request.user, uploaded_file=data["file"]
    )
    return evidence.document


deal_recordal_evidence_upload = upload_view(
    target=_deal_or_404,
    store=_submit_evidence,
    form_class=RecordalEvidenceForm,
    redirect_to=lambda deal: _detail_url(deal, "recordal"),
    done=gettext_lazy("Uploaded %(name)s; platform staff check it next."),
)
