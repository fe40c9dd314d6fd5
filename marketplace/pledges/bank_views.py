"""The bank's review pages: the queue of applications addressed to the user's banks, one
application's file with the transitions possible now, the pledgee's consent to listings and
deals on a pledged asset, and documents the bank attaches.

Only reviewers of a bank use these pages. The queue tells anybody else (403) that it is for
bank reviewers; an application, and every POST on it, is looked up through the user's
reviewer memberships, so an application of another bank is a 404 (ids reveal nothing).
Every write is a service call; a service's field errors show next to the form's fields, its
other errors as messages.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_fsm import can_proceed

from listings.models import Listing, ListingState
from listings.selectors import timeline_for
from marketplace.deals.models import OPEN_DEAL_STATES, Deal
from marketplace.documents.models import Document
from marketplace.documents.views import upload_view
from marketplace.parties.http import AuthenticatedHttpRequest
from marketplace.parties.selectors import bank_reviewer_memberships

from . import services
from .bank_forms import TRANSITION_FORMS, BankDocumentUploadForm, ConsentForm, TransitionForm
from .models import PledgeApplication, PledgeConsent, PledgeState
from .selectors import (
    BANK_QUEUE_SORTS,
    BANK_QUEUE_TABS,
    DEFAULT_BANK_QUEUE_TAB,
    bank_queue_counts,
    pledge_for_bank_reviewer,
    pledges_for_bank,
    prior_pledges_of_assets,
)
from .templatetags.pledge_bank import SLA_WORKING_DAYS

QUEUE_PER_PAGE = 25

# The states a bank sees (never a holder's draft).
QUEUE_STATES = [state for state in PledgeState if state != PledgeState.DRAFT]

# The queue's tabs, in order (the files each holds: selectors.BANK_QUEUE_TABS): a name, and
# a line under the tabs that says what the tab holds and in what order.
QUEUE_TABS = {
    "waiting": (
        gettext_lazy("Waiting for me"),
        gettext_lazy(
            "New and resubmitted applications, and the reviews you claimed, longest waiting "
            "first. A file waiting for a claim or in review for more than %(days)s working "
            "days is marked."
        ),
    ),
    "colleagues": (
        gettext_lazy("In review by colleagues"),
        gettext_lazy("Applications another reviewer of your bank has claimed, longest first."),
    ),
    "returned": (
        gettext_lazy("Returned to the holder"),
        gettext_lazy(
            "Applications sent back for more information. When the holder resubmits one, it "
            "is waiting for the bank again."
        ),
    ),
    "in_progress": (
        gettext_lazy("In progress"),
        gettext_lazy(
            "Approved applications and pledges: overdue and defaulted loans first, then the "
            "contracts, registrations, disbursements and releases to record, then running "
            "loans."
        ),
    ),
    "closed": (
        pgettext_lazy("bank queue tab", "Closed"),
        gettext_lazy(
            "Released, rejected, withdrawn, cancelled and disposed applications, most recent first."
        ),
    ),
    "all": (
        gettext_lazy("All"),
        gettext_lazy("Every application addressed to your bank, the bank's work first."),
    ),
}

QUEUE_SORT_LABELS = {
    "stage": gettext_lazy("By stage, the bank's work first"),
    "oldest": gettext_lazy("Longest in its state first"),
    "newest": gettext_lazy("Most recent change first"),
    "amount": gettext_lazy("Largest amount first"),
}

# The service that runs each transition (the form's fields are its keyword arguments).
SERVICES: dict[str, Callable[..., PledgeApplication]] = {
    "claim": services.pledge_claim,
    "return_for_info": services.pledge_return_for_info,
    "approve": services.pledge_approve,
    "reject": services.pledge_reject,
    "sign_contract": services.pledge_sign_contract,
    "register": services.pledge_register,
    "disburse": services.pledge_disburse,
    "repay": services.pledge_repay,
    "release": services.pledge_release,
    "declare_default": services.pledge_declare_default,
    "dispose": services.pledge_dispose,
    "cancel": services.pledge_cancel,
}

SUCCESS_MESSAGES = {
    "claim": gettext_lazy("You claimed %(application)s; it is yours to review."),
    "return_for_info": gettext_lazy("%(application)s went back to the holder with your questions."),
    "approve": gettext_lazy("%(application)s is approved; the holder sees your offer."),
    "reject": gettext_lazy("%(application)s is rejected."),
    "sign_contract": gettext_lazy("The contract of %(application)s is recorded."),
    "register": gettext_lazy("The pledge registration of %(application)s is recorded."),
    "disburse": gettext_lazy("The disbursement of %(application)s is recorded."),
    "repay": gettext_lazy("The repayment of %(application)s is recorded."),
    "release": gettext_lazy("The release of the pledge of %(application)s is recorded."),
    "declare_default": gettext_lazy("%(application)s is declared in default."),
    "dispose": gettext_lazy("The disposal of the assets of %(application)s is recorded."),
    "cancel": gettext_lazy("%(application)s is cancelled."),
}


def _not_a_reviewer(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "pledges/bank/not_reviewer.html", status=403)


def _own_bank_ids(request: AuthenticatedHttpRequest) -> set[int]:
    """The banks the user reviews for (one query; the selectors filter by a subquery)."""
    return set(
        bank_reviewer_memberships()
        .filter(user=request.user)
        .values_list("organization_id", flat=True)
    )


def _application_or_404(request: AuthenticatedHttpRequest, pk: int) -> PledgeApplication:
    try:
        return pledge_for_bank_reviewer(user=request.user, pk=pk)
    except PledgeApplication.DoesNotExist:
        raise Http404 from None


def _detail_url(application: PledgeApplication, anchor: str = "") -> str:
    url = reverse("bank:application", args=[application.pk])
    return f"{url}#{anchor}" if anchor else url


# --- the queue -------------------------------------------------------------------------


@login_required
@require_safe
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The bank's queue, one tab at a time (the work waiting for the reviewer unless the
    query string names another tab). Whatever the query string holds, an unknown value
    means the default: no state filter, the tab's usual order, the first page."""
    bank_ids = _own_bank_ids(request)
    if not bank_ids:
        return _not_a_reviewer(request)
    state = request.GET.get("state", "")
    if state not in QUEUE_STATES:
        state = ""
    tab = request.GET.get("tab", "")
    if tab not in BANK_QUEUE_TABS:
        # A link to one state (?state=…) shows that state's files, whoever reviews them.
        tab = "all" if state else DEFAULT_BANK_QUEUE_TAB
    if state not in BANK_QUEUE_TABS[tab].states:
        state = ""
    sort = request.GET.get("sort", "")
    if sort not in BANK_QUEUE_SORTS:
        sort = BANK_QUEUE_TABS[tab].sort
    mine = request.GET.get("mine") == "1"

    applications = pledges_for_bank(user=request.user, tab=tab, state=state, sort=sort, mine=mine)
    page = Paginator(applications, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    counts = bank_queue_counts(user=request.user)
    tab_states = BANK_QUEUE_TABS[tab].states
    return render(
        request,
        "pledges/bank/queue.html",
        {
            "page": page,
            "tabs": [
                {"key": key, "label": label, "count": counts.by_tab[key]}
                for key, (label, _description) in QUEUE_TABS.items()
            ],
            "tab": tab,
            "tab_description": QUEUE_TABS[tab][1] % {"days": SLA_WORKING_DAYS},
            "state_choices": (
                [(value, PledgeState(value).label) for value in tab_states]
                if len(tab_states) > 1
                else []
            ),
            "total": counts.by_tab["all"],
            "state": state,
            "sort": sort,
            "sorts": QUEUE_SORT_LABELS,
            "mine": mine,
            "filtered": bool(state or mine),
            "several_banks": len(bank_ids) > 1,
            "today": timezone.localdate(),
        },
    )


# --- one application -------------------------------------------------------------------


def _documents(application: PledgeApplication, user: Any) -> QuerySet[Document]:
    """The application's documents and its assets' certificates that `user` may read."""
    asset_ids = [asset.pk for asset in application.assets.all()]
    return (
        Document.objects.visible_to(user)
        .filter(Q(pledge_application=application) | Q(asset_id__in=asset_ids))
        .select_related("asset", "uploaded_by", "organization")
        .order_by("-uploaded_at", "-pk")
    )


def _open_deals(application: PledgeApplication) -> list[Deal]:
    """Open deals on listings that contain an asset of this application: the transfers and
    licences that need the pledgee's consent (Civil Code art. 444)."""
    asset_ids = [asset.pk for asset in application.assets.all()]
    return list(
        Deal.objects.filter(state__in=OPEN_DEAL_STATES, listing__assets__in=asset_ids)
        .select_related("listing", "buyer", "seller")
        .distinct()
        .order_by("created_at", "pk")
    )


def _listings_for_consent(application: PledgeApplication) -> list[Listing]:
    """Listings for transfer or licence of an asset of this application that wait for
    review: they are published only with the pledgee's consent (Civil Code art. 444)."""
    asset_ids = [asset.pk for asset in application.assets.all()]
    return list(
        Listing.objects.filter(
            state=ListingState.PENDING_REVIEW,
            intent__in=services.CONSENTABLE_LISTING_INTENTS,
            assets__in=asset_ids,
        )
        .select_related("holder")
        .distinct()
        .order_by("created_at", "pk")
    )


def _transition_forms(
    application: PledgeApplication, bound: TransitionForm | None
) -> list[TransitionForm]:
    """A form for each transition possible from the application's state (the reviewer's
    bound form in place of its fresh one)."""
    forms = []
    for action, form_class in TRANSITION_FORMS.items():
        if not can_proceed(getattr(application, action)):
            continue
        if bound is not None and bound.action == action:
            forms.append(bound)
        else:
            forms.append(form_class(application=application))
    return forms


def _render_detail(
    request: AuthenticatedHttpRequest,
    application: PledgeApplication,
    *,
    bound: TransitionForm | None = None,
    upload_form: BankDocumentUploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    prior = list(prior_pledges_of_assets(application=application))
    pledged_elsewhere = {row.asset_id for row in prior if row.active}
    assets = list(application.assets.all())
    for asset in assets:
        asset.pledged_elsewhere = asset.pk in pledged_elsewhere  # type: ignore[attr-defined]
    own_banks = _own_bank_ids(request)

    deals: list[Deal] = []
    listings: list[Listing] = []
    consents: list[PledgeConsent] = list(
        application.consents.select_related(
            "deal__listing", "deal__buyer", "listing", "given_by"
        ).order_by("created_at", "pk")
    )
    if application.is_active_pledge:
        consented_deals = {consent.deal_id for consent in consents if consent.deal_id}
        deals = _open_deals(application)
        for deal in deals:
            deal.consented = deal.pk in consented_deals  # type: ignore[attr-defined]
        consented_listings = {consent.listing_id for consent in consents if consent.listing_id}
        listings = _listings_for_consent(application)
        for listing in listings:
            listing.consented = listing.pk in consented_listings

    forms = _transition_forms(application, bound)
    if bound is not None and bound.errors and bound not in forms:
        # The step is no longer possible (someone moved the file meanwhile): say so.
        messages.error(
            request,
            _("This application is “%(state)s”, so that step is not possible now.")
            % {"state": application.get_state_display()},
        )
    return render(
        request,
        "pledges/bank/application_detail.html",
        {
            "application": application,
            "assets": assets,
            "prior_pledges": prior,
            "own_banks": own_banks,
            "documents": list(_documents(application, request.user)),
            "upload_form": upload_form or BankDocumentUploadForm(),
            "transition_forms": forms,
            "deals": deals,
            "consent_listings": listings,
            "consents": consents,
            "timeline": timeline_for(obj=application),
            "today": today,
        },
        status=status,
    )


@login_required
@require_safe
def application_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _application_or_404(request, pk))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def application_transition(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Runs one transition. Success: a message and back to the file. A service's field
    errors: the file again with the bound form (200); its other errors (already claimed,
    a double pledge, a step no longer possible): the file again with them as messages.

    A GET (the language switch or a reload of a page re-rendered here) goes to the file."""
    application = _application_or_404(request, pk)
    form_class = TRANSITION_FORMS.get(action)
    if form_class is None:
        raise Http404
    if request.method != "POST":
        return redirect(_detail_url(application))
    form = form_class(request.POST, application=application)
    if form.is_valid():
        try:
            application = SERVICES[action](
                application=application, by=request.user, **form.cleaned_data
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form.apply_service_error(error)
            else:
                for message in error.messages:
                    messages.error(request, message)
        else:
            messages.success(request, SUCCESS_MESSAGES[action] % {"application": application})
            return redirect(_detail_url(application))
    # Show the file as it is now: another reviewer may have moved it meanwhile.
    return _render_detail(request, _application_or_404(request, pk), bound=form)


@login_required
@require_POST
def consent_give(request: AuthenticatedHttpRequest, pk: int, deal_pk: int) -> HttpResponse:
    """The pledgee bank consents to one deal on a listing of a pledged asset."""
    application = _application_or_404(request, pk)
    asset_ids = [asset.pk for asset in application.assets.all()]
    deal = (
        Deal.objects.filter(pk=deal_pk, listing__assets__in=asset_ids)
        .select_related("listing")
        .distinct()
        .first()
    )
    if deal is None:
        raise Http404
    form = ConsentForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("note", []):
            messages.error(request, str(error))
        return redirect(_detail_url(application, "consent"))
    try:
        services.pledge_consent_give(
            application=application, deal=deal, by=request.user, note=form.cleaned_data["note"]
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Consent to %(deal)s on “%(listing)s” is recorded.")
            % {"deal": deal, "listing": deal.listing.local_title},
        )
    return redirect(_detail_url(application, "consent"))


@login_required
@require_POST
def listing_consent_give(
    request: AuthenticatedHttpRequest, pk: int, listing_pk: int
) -> HttpResponse:
    """The pledgee bank consents to a listing, for transfer or licence, of a pledged asset."""
    application = _application_or_404(request, pk)
    asset_ids = [asset.pk for asset in application.assets.all()]
    listing = (
        # A draft is the holder's alone, even when it lists an asset pledged to this bank.
        Listing.objects.filter(pk=listing_pk, assets__in=asset_ids)
        .exclude(state=ListingState.DRAFT)
        .select_related("holder")
        .distinct()
        .first()
    )
    if listing is None:
        raise Http404
    form = ConsentForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("note", []):
            messages.error(request, str(error))
        return redirect(_detail_url(application, "consent"))
    try:
        services.pledge_listing_consent_give(
            application=application,
            listing=listing,
            by=request.user,
            note=form.cleaned_data["note"],
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Consent to the listing “%(listing)s” is recorded; platform staff may publish it.")
            % {"listing": listing.title},
        )
    return redirect(_detail_url(application, "consent"))


# --- documents -------------------------------------------------------------------------


document_upload_view = upload_view(
    target=_application_or_404,
    attach=lambda request, application: {
        "organization": application.bank,
        "pledge_application": application,
    },
    redirect_to=lambda application: _detail_url(application, "documents"),
    form_class=BankDocumentUploadForm,
)
