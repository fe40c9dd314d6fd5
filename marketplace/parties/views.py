from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from listings.selectors import assets_for_organizations, listings_for_organizations
from marketplace.deals.selectors import deals_for_user
from marketplace.deals.templatetags.deal_tags import deal_rows
from marketplace.pledges.selectors import pledges_for_holder

from . import services
from .forms import OrganizationRegistrationForm
from .http import AuthenticatedHttpRequest
from .models import MembershipRole
from .selectors import memberships_for_user

WORKSPACE_LISTINGS = 10  # the newest shown on the workspace home; the rest are a click away
WORKSPACE_ROWS = 5  # newest pledge applications and deals on the workspace home


@login_required
def workspace(request: AuthenticatedHttpRequest) -> HttpResponse:
    memberships = list(memberships_for_user(user=request.user))
    organizations = [m.organization for m in memberships]
    assets = assets_for_organizations(organizations=organizations)[:50]
    # The newest listings with their holder in one query; the list page shows the assets.
    newest = listings_for_organizations(organizations=organizations).prefetch_related(None)
    listings = list(newest[:WORKSPACE_LISTINGS]) if organizations else []
    pledges = list(pledges_for_holder(user=request.user).prefetch_related(None)[:WORKSPACE_ROWS])
    deals = deals_for_user(user=request.user)[:WORKSPACE_ROWS]
    # The organisations the user acts for (selectors.acting_memberships: not as a bank's
    # reviewer), taken from the memberships already loaded rather than asked for again.
    acting = {m.organization_id for m in memberships if m.role != MembershipRole.REVIEWER}
    return render(
        request,
        "parties/workspace.html",
        {
            "memberships": memberships,
            "assets": assets,
            "listings": listings,
            "pledges": pledges,
            "deal_rows": deal_rows(deals, acting),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = OrganizationRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_register(
                by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.apply_service_error(error)
        else:
            messages.success(
                request,
                _("%(name)s is registered and awaiting verification by platform staff.")
                % {"name": organization.local_name},
            )
            return redirect("parties:workspace")
    return render(request, "parties/organization_form.html", {"form": form})
