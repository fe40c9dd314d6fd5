from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from marketplace.parties.http import AuthenticatedHttpRequest
from marketplace.parties.selectors import organizations_for_user

from . import services
from .forms import IPAssetForm
from .models import IPAsset
from .selectors import asset_for_member


@login_required
@require_http_methods(["GET", "POST"])
def asset_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    organizations = organizations_for_user(user=request.user)
    if not organizations.exists():
        messages.info(request, _("Register your organisation first."))
        return redirect("parties:organization_register")
    form = IPAssetForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["district"] = data["district"] or None
        try:
            asset = services.asset_create(by=request.user, **data)
        except ValidationError as error:
            form.apply_service_error(error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Recorded %(asset)s.") % {"asset": asset})
            return redirect("listings:asset_detail", pk=asset.pk)
    return render(request, "listings/asset_form.html", {"form": form})


@login_required
def asset_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        asset = asset_for_member(user=request.user, pk=pk)
    except IPAsset.DoesNotExist:
        raise Http404 from None
    return render(request, "listings/asset_detail.html", {"asset": asset})
