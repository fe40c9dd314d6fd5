"""The holder's workspace for IP assets and listings.

Every page is for members of the holding organisation only: the selectors look objects up
through the user's memberships, so anybody else gets a 404 (the object's existence is not
revealed). Writes go through the services; their errors show next to the fields they name,
or as messages for a transition that is not possible.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from marketplace.parties.http import AuthenticatedHttpRequest
from marketplace.parties.selectors import organizations_for_user

from . import pledges, services
from .forms import IPAssetEditForm, ListingForm
from .models import EDITABLE_LISTING_STATES, IPAsset, Listing, ListingIntent, ListingState
from .selectors import (
    asset_for_member,
    asset_notes_for_listing,
    assets_for_organizations,
    listing_for_member,
    listings_for_organizations,
    timeline_for,
)
from .validators import validate_ip_number

LISTINGS_PER_PAGE = 25
MAX_NUMBER_LENGTH = 60  # as IPAssetForm.number: longer input is not a number of any kind


def _asset_or_404(request: AuthenticatedHttpRequest, pk: int) -> IPAsset:
    try:
        return asset_for_member(user=request.user, pk=pk)
    except IPAsset.DoesNotExist:
        raise Http404 from None


def _listing_or_404(request: AuthenticatedHttpRequest, pk: int) -> Listing:
    try:
        return listing_for_member(user=request.user, pk=pk)
    except Listing.DoesNotExist:
        raise Http404 from None


# --- assets ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def asset_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    asset = _asset_or_404(request, pk)
    form = IPAssetEditForm(request.POST or None, asset=asset)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["district"] = data["district"] or asset.holder.district
        try:
            asset = services.asset_update(asset=asset, by=request.user, **data)
        except ValidationError as error:
            form.apply_service_error(error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Saved %(asset)s.") % {"asset": asset})
            return redirect("listings:asset_detail", pk=asset.pk)
    return render(request, "listings/asset_form.html", {"form": form, "asset": asset})


@login_required
@require_GET
def asset_check_number(request: AuthenticatedHttpRequest) -> JsonResponse:
    """Checks a number as it is typed (static/js/asset-number.js): format and check digit
    only. Whether it is already recorded is answered when the form is saved."""
    kind = request.GET.get("kind", "")
    number = request.GET.get("number", "")
    if len(number) > MAX_NUMBER_LENGTH:
        result = {"valid": False, "normalised": "", "message": _("This number is too long.")}
    else:
        try:
            normalised = validate_ip_number(kind, number)
        except ValidationError as error:
            result = {"valid": False, "normalised": "", "message": " ".join(error.messages)}
        else:
            result = {
                "valid": True,
                "normalised": normalised,
                "message": _("Valid number; it will be saved as %(number)s.")
                % {"number": normalised},
            }
    response = JsonResponse(result)
    response["Cache-Control"] = "private, no-store"
    return response


# --- listings --------------------------------------------------------------------------


@login_required
def listing_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    listings = listings_for_organizations(organizations=organizations_for_user(user=request.user))
    page = Paginator(listings, LISTINGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "listings/workspace/listing_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def listing_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    organizations = organizations_for_user(user=request.user)
    if not organizations.exists():
        messages.info(request, _("Register your organisation first."))
        return redirect("parties:organization_register")
    assets = assets_for_organizations(organizations=organizations)
    form = ListingForm(
        request.POST or None,
        organizations=organizations,
        assets=assets,
        asset_notes=asset_notes_for_listing(assets=assets),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            listing = services.listing_create(by=request.user, **data)
        except ValidationError as error:
            form.apply_service_error(error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Saved the draft “%(title)s”. Submit it for review when it is ready.")
                % {"title": listing.local_title},
            )
            return redirect("listings:workspace_listing_detail", pk=listing.pk)
    return render(request, "listings/workspace/listing_form.html", {"form": form})


@login_required
def listing_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _listing_or_404(request, pk)
    assets = list(listing.assets.all())
    pledged = pledges.active_pledges(assets=assets, listing=listing)
    return render(
        request,
        "listings/workspace/listing_detail.html",
        {
            "listing": listing,
            "assets": [(asset, pledged.get(asset.pk)) for asset in assets],
            # Before publication, the banks whose consent a transfer or licence still needs.
            "awaiting_consent": (
                pledges.pledgees(pledges.awaiting_consent(pledged.values()))
                if listing.intent != ListingIntent.PLEDGE
                and listing.state in (*EDITABLE_LISTING_STATES, ListingState.PENDING_REVIEW)
                else ""
            ),
            "timeline": timeline_for(obj=listing),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _listing_or_404(request, pk)
    if not listing.is_editable:
        messages.info(
            request,
            _("A listing that is “%(state)s” cannot be edited.")
            % {"state": listing.get_state_display()},
        )
        return redirect("listings:workspace_listing_detail", pk=listing.pk)
    assets = assets_for_organizations(organizations=[listing.holder])
    form = ListingForm(
        request.POST or None,
        organizations=None,
        assets=assets,
        asset_notes=asset_notes_for_listing(assets=assets, listing=listing),
        listing=listing,
    )
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.listing_update(listing=listing, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            if getattr(error, "code", None) == "not_editable":
                messages.error(request, " ".join(error.messages))
                return redirect("listings:workspace_listing_detail", pk=listing.pk)
            form.apply_service_error(error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Saved “%(title)s”.") % {"title": listing.local_title})
            return redirect("listings:workspace_listing_detail", pk=listing.pk)
    return render(
        request, "listings/workspace/listing_form.html", {"form": form, "listing": listing}
    )


# The holder's transitions, by the name in the URL, and the service that runs each.
TRANSITIONS: dict[str, Callable[..., Listing]] = {
    "submit": services.listing_submit,
    "resubmit": services.listing_resubmit,
    "withdraw": services.listing_withdraw,
}


def _success_message(action: str, listing: Listing) -> str:
    if action == "withdraw":
        return _("“%(title)s” is withdrawn from the portal.") % {"title": listing.local_title}
    waiting = pledges.awaiting_consent(
        pledges.active_pledges(assets=listing.assets.all(), listing=listing).values()
    )
    if waiting:
        return _(
            "“%(title)s” is sent for review by platform staff. Its pledged assets are published "
            "only with the consent of %(banks)s; the bank has been asked for it."
        ) % {"title": listing.title, "banks": pledges.pledgees(waiting)}
    return _("“%(title)s” is sent for review by platform staff.") % {"title": listing.local_title}


@login_required
@require_POST
def listing_transition(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    listing = _listing_or_404(request, pk)
    if action not in TRANSITIONS:
        raise Http404
    extra = {"note": request.POST.get("note", "")[:500]} if action == "withdraw" else {}
    try:
        listing = TRANSITIONS[action](listing=listing, by=request.user, **extra)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _success_message(action, listing))
    return redirect("listings:workspace_listing_detail", pk=listing.pk)
