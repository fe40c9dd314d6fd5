"""The holder's side of pledge financing in the workspace: applications to banks.

Every page is for members of the applicant only (a bank reviewer's membership does not
count): the selectors look applications up through the user's memberships, so anybody
else gets a 404 and learns nothing about which ids exist. Writes go through the services;
their errors show next to the fields they name, or as messages for a step that is not
possible.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from listings.models import IPAsset, Listing, ListingIntent, ListingState
from listings.selectors import (
    assets_for_organizations,
    listings_for_organizations,
    timeline_for,
)
from marketplace.documents.forms import DocumentUploadForm
from marketplace.documents.models import Document, DocumentKind
from marketplace.documents.views import upload_view
from marketplace.parties.http import AuthenticatedHttpRequest
from marketplace.parties.models import (
    Organization,
    OrganizationKind,
    User,
    VerificationState,
)
from marketplace.parties.selectors import acting_organization_ids

from . import services
from .forms import PledgeApplicationForm, PledgeNoteForm
from .models import PledgeApplication
from .selectors import asset_notes_for_pledge, pledge_for_holder, pledges_for_holder

APPLICATIONS_PER_PAGE = 25
MAX_ID = 2**63 - 1  # a larger number in the query string cannot be a row's id


# --- reads the pages share -------------------------------------------------------------


def _application_or_404(request: AuthenticatedHttpRequest, pk: int) -> PledgeApplication:
    try:
        return pledge_for_holder(user=request.user, pk=pk)
    except PledgeApplication.DoesNotExist:
        raise Http404 from None


def _holder_organizations(user: User) -> QuerySet[Organization]:
    """The organisations `user` may apply for: where they are an owner or a member (a
    bank's reviewer reviews; they do not borrow for the bank)."""
    return Organization.objects.filter(pk__in=acting_organization_ids(user=user)).order_by(
        "name", "pk"
    )


def _banks() -> QuerySet[Organization]:
    return Organization.objects.filter(
        kind=OrganizationKind.BANK, verification_state=VerificationState.VERIFIED
    ).order_by("name", "pk")


def _query_id(request: AuthenticatedHttpRequest, name: str) -> int | None:
    """An id from the query string; None for anything that is not one."""
    value = request.GET.get(name, "")
    if value.isascii() and value.isdigit() and int(value) <= MAX_ID:
        return int(value)
    return None


def _detail(application: PledgeApplication) -> HttpResponse:
    return redirect("pledges:workspace_detail", pk=application.pk)


# --- list and detail -------------------------------------------------------------------


@login_required
@require_safe
def application_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    applications = pledges_for_holder(user=request.user)
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "pledges/workspace/application_list.html", {"page": page})


@login_required
@require_safe
def application_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = _application_or_404(request, pk)
    documents = (
        Document.objects.visible_to(request.user)
        .filter(pledge_application=application)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-pk")
    )
    return render(
        request,
        "pledges/workspace/application_detail.html",
        {
            "application": application,
            "assets": list(application.assets.all()),
            "documents": documents,
            "upload_form": DocumentUploadForm(initial={"kind": DocumentKind.FINANCIAL_STATEMENT}),
            "timeline": timeline_for(obj=application),
        },
    )


# --- creating and editing --------------------------------------------------------------


def _initial_from_query(
    request: AuthenticatedHttpRequest, *, assets: QuerySet[IPAsset], listings: QuerySet[Listing]
) -> tuple[dict[str, Any], Listing | None]:
    """`?listing=<id>` (a published pledge listing of one of my organisations) or
    `?asset=<id>` (an asset of one of them) preselect what the holder applies with. An id
    of anybody else's is a 404; anything that is not an id is ignored."""
    if (listing_id := _query_id(request, "listing")) is not None:
        listing = get_object_or_404(listings, pk=listing_id)
        initial = {
            "applicant": listing.holder_id,
            "listing": listing.pk,
            "assets": [asset.pk for asset in listing.assets.all()],
            "requested_amount": listing.asking_price,
        }
        return initial, listing
    if (asset_id := _query_id(request, "asset")) is not None:
        asset = get_object_or_404(assets, pk=asset_id)
        return {"applicant": asset.holder_id, "assets": [asset.pk]}, None
    return {}, None


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    applicants = _holder_organizations(request.user)
    if not applicants.exists():
        messages.info(request, _("Register your organisation first."))
        return redirect("parties:organization_register")
    assets = assets_for_organizations(organizations=applicants)
    listings = listings_for_organizations(organizations=applicants).filter(
        intent=ListingIntent.PLEDGE, state=ListingState.PUBLISHED
    )
    initial, listing = _initial_from_query(request, assets=assets, listings=listings)
    form = PledgeApplicationForm(
        request.POST or None,
        initial=initial,
        applicants=applicants,
        banks=_banks(),
        assets=assets,
        listings=listings,
        asset_notes=asset_notes_for_pledge(assets=assets),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        submit = request.POST.get("action") == "submit"
        try:
            application = services.pledge_application_create(
                by=request.user,
                applicant=data["applicant"],
                bank=data["bank"],
                assets=list(data["assets"]),
                requested_amount=data["requested_amount"],
                term_months=data["term_months"],
                purpose=data["purpose"],
                listing=data.get("listing"),
                submit=submit,
            )
        except ValidationError as error:
            # Nothing was saved: the form again, with the reasons next to their fields.
            form.apply_service_error(error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            if submit:
                messages.success(request, _submitted_message(application))
            else:
                messages.success(
                    request,
                    _("Saved the draft %(application)s. Submit it to the bank when it is ready.")
                    % {"application": application},
                )
            return _detail(application)
    return render(
        request, "pledges/workspace/application_form.html", {"form": form, "listing": listing}
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = _application_or_404(request, pk)
    if application.state not in services.EDITABLE_STATES:
        messages.info(
            request,
            _("An application that is “%(state)s” cannot be edited.")
            % {"state": application.get_state_display()},
        )
        return _detail(application)
    assets = assets_for_organizations(organizations=[application.applicant])
    form = PledgeApplicationForm(
        request.POST or None,
        applicants=None,
        banks=_banks(),
        assets=assets,
        asset_notes=asset_notes_for_pledge(assets=assets),
        application=application,
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        fields["assets"] = list(fields["assets"])
        try:
            application = services.pledge_application_update(
                application=application, by=request.user, **fields
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "not_editable":
                messages.error(request, " ".join(error.messages))
                return _detail(application)
            form.apply_service_error(error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Saved %(application)s.") % {"application": application})
            return _detail(application)
    return render(
        request,
        "pledges/workspace/application_form.html",
        {"form": form, "application": application},
    )


# --- the holder's transitions ----------------------------------------------------------

# By the name in the URL: the service, and the name it takes the note under (if any).
TRANSITIONS: dict[str, tuple[Callable[..., PledgeApplication], str]] = {
    "submit": (services.pledge_submit, ""),
    "resubmit": (services.pledge_resubmit, "note"),
    "withdraw": (services.pledge_withdraw, "note"),
    "cancel": (services.pledge_cancel, "reason"),
}


def _submitted_message(application: PledgeApplication) -> str:
    return _("%(application)s is sent to %(bank)s for review.") % {
        "application": application,
        "bank": application.bank.local_name,
    }


def _success_message(action: str, application: PledgeApplication) -> str:
    if action == "resubmit":
        return _("Your answer is sent; %(application)s is back with %(bank)s.") % {
            "application": application,
            "bank": application.bank.local_name,
        }
    if action == "withdraw":
        return _("%(application)s is withdrawn.") % {"application": application}
    if action == "cancel":
        return _("%(application)s is cancelled.") % {"application": application}
    return _submitted_message(application)


@login_required
@require_POST
def application_transition(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    application = _application_or_404(request, pk)
    if action not in TRANSITIONS:
        raise Http404
    service, note_argument = TRANSITIONS[action]
    extra: dict[str, str] = {}
    if note_argument:
        note_form = PledgeNoteForm(request.POST)
        if not note_form.is_valid():
            for error in note_form.errors["note"]:
                messages.error(request, str(error))
            return _detail(application)
        extra[note_argument] = note_form.cleaned_data["note"]
    try:
        application = service(application=application, by=request.user, **extra)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _success_message(action, application))
    return _detail(application)


# --- documents -------------------------------------------------------------------------


def _documents_url(application: PledgeApplication) -> str:
    return reverse("pledges:workspace_detail", args=[application.pk]) + "#documents"


application_document_upload = upload_view(
    target=_application_or_404,
    attach=lambda request, application: {
        "organization": application.applicant,
        "pledge_application": application,
    },
    redirect_to=_documents_url,
)
