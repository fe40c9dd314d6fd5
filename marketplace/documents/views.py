"""Uploading, downloading and deleting documents. Whoever may not see a document (or the
asset it would belong to) gets a 404, so ids reveal nothing."""

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from listings.models import IPAsset
from listings.selectors import asset_for_member
from marketplace.parties.http import AuthenticatedHttpRequest

from . import services
from .downloads import document_response
from .forms import DocumentUploadForm
from .models import Document
from .selectors import document_for_user
from .uploadhandlers import SizeLimitUploadHandler
from .validators import MAX_DOCUMENT_SIZE

logger = logging.getLogger(__name__)

T = TypeVar("T")


def _asset_documents_url(asset_pk: int) -> str:
    return reverse("listings:asset_detail", args=[asset_pk]) + "#documents"


def upload_view(
    *,
    target: Callable[[AuthenticatedHttpRequest, int], T],
    attach: Callable[[AuthenticatedHttpRequest, T], dict[str, Any]] | None = None,
    redirect_to: Callable[[T], str],
    form_class: type[forms.Form] = DocumentUploadForm,
    store: Callable[[AuthenticatedHttpRequest, T, dict[str, Any]], Document] | None = None,
    done: Any = None,
) -> Callable[..., HttpResponse]:
    """A POST view that uploads one document to the object the URL names.

    `target(request, pk)` loads the object the user may attach to (or raises Http404);
    `attach(request, obj)` gives `document_upload` its owning organisation and the foreign
    key to set — or `store(request, obj, cleaned_data)` stores it through another service
    (which calls `document_upload`) and returns the document; `redirect_to(obj)` is where
    the user goes back to, with the outcome as a message (`done`, with %(name)s). The size
    limit must be in place before anything reads the body, and the CSRF check reads it; so
    the outer view is exempt and the inner one protected (as Django's docs show)."""

    @csrf_exempt
    @login_required
    @require_POST
    def view(request: AuthenticatedHttpRequest, **kwargs: int) -> HttpResponse:
        size_limit = SizeLimitUploadHandler(request, limit=MAX_DOCUMENT_SIZE)
        request.upload_handlers.insert(0, size_limit)
        (pk,) = kwargs.values()
        return upload(request, pk=pk, size_limit=size_limit)

    @csrf_protect
    def upload(
        request: AuthenticatedHttpRequest, *, pk: int, size_limit: SizeLimitUploadHandler
    ) -> HttpResponse:
        obj = target(request, pk)
        form = form_class(request.POST, request.FILES)
        if size_limit.exceeded:
            messages.error(
                request,
                _("The file is too large: at most %(limit)s.")
                % {"limit": filesizeformat(MAX_DOCUMENT_SIZE)},
            )
        elif not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else str(error))
        else:
            try:
                if store is not None:
                    document = store(request, obj, form.cleaned_data)
                else:
                    assert attach is not None, "upload_view needs attach or store"
                    document = services.document_upload(
                        by=request.user,
                        kind=form.cleaned_data["kind"],
                        uploaded_file=form.cleaned_data["file"],
                        **attach(request, obj),
                    )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(
                    request, (done or _("Uploaded %(name)s.")) % {"name": document.original_name}
                )
        return redirect(redirect_to(obj))

    return view


def _member_asset(request: AuthenticatedHttpRequest, pk: int) -> IPAsset:
    try:
        return asset_for_member(user=request.user, pk=pk)
    except IPAsset.DoesNotExist:
        raise Http404 from None


asset_document_upload = upload_view(
    target=_member_asset,
    attach=lambda request, asset: {"organization": asset.holder, "asset": asset},
    redirect_to=lambda asset: _asset_documents_url(asset.pk),
)


@login_required
@require_safe
def document_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    try:
        document = document_for_user(user=request.user, pk=pk)
    except Document.DoesNotExist:
        raise Http404 from None
    try:
        return document_response(document)
    except FileNotFoundError:
        logger.error("Document %s has no stored file %s", document.pk, document.file.name)
        raise Http404 from None


@login_required
@require_POST
def document_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        document = document_for_user(user=request.user, pk=pk)
    except Document.DoesNotExist:
        raise Http404 from None
    # Staff see every document but only members delete: PermissionDenied → 403.
    try:
        services.document_delete(by=request.user, document=document)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Deleted %(name)s.") % {"name": document.original_name})
    if document.asset_id is not None:
        return redirect(_asset_documents_url(document.asset_id))
    if document.pledge_application_id is not None:
        return redirect(
            reverse("pledges:workspace_detail", args=[document.pledge_application_id])
            + "#documents"
        )
    if document.deal_id is not None:
        return redirect(reverse("deals:detail", args=[document.deal_id]) + "#documents")
    return redirect("parties:workspace")
