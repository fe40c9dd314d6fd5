"""The "Pledge statistics export" screens of the Wagtail admin.

The export is the whole pledge ledger, so it is open to whoever may open the ledger's index,
and to no one else: the ledger's permission policy (`StaffPermissionPolicy`, active staff
holding a ledger permission) decides, for the form, the job's page, the download and the
menu item alike.

Staff choose a period and a format. CSV streams at once, whatever the size. An xlsx of up to
`XLSX_IMMEDIATE_LIMIT` entries is built in the request; a larger one is a Celery job, and the
browser is sent to the job's page, which refreshes itself until the file is ready and then
offers it. The job's state and file live in the default storage (see export.py).

The URLs and the Reports menu item defined here are registered by the app's wagtail_hooks.py.
"""

import datetime
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import path, re_path, reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets import AdminDateInput
from wagtail.permissions import policy_registry

from marketplace.documents.downloads import attachment_disposition, presigns_urls
from marketplace.parties.models import User

from . import export
from .export import (
    CSV_MEDIA_TYPE,
    JOB_ID_PATTERN,
    XLSX_IMMEDIATE_LIMIT,
    XLSX_MEDIA_TYPE,
    PledgeExport,
)
from .ledger_admin import PledgeLedgerIndexView
from .models import PledgeLedgerEntry

FORM_URL_NAME = "pledges_export:form"
JOB_URL_NAME = "pledges_export:job"
DOWNLOAD_URL_NAME = "pledges_export:download"
JOB_REFRESH_SECONDS = 5


# The permissions that open the ledger's index (any one of them).
EXPORT_PERMISSIONS = PledgeLedgerIndexView.any_permission_required


def user_may_export(user: Any) -> bool:
    """Whether `user` may open the ledger's index, and so export it."""
    # Looked up at request time: the policy is registered when Wagtail loads the hooks.
    policy = policy_registry.get_by_type(PledgeLedgerEntry)
    return bool(policy.user_has_any_permission(user, EXPORT_PERMISSIONS))


class ExportPermissionMixin(PermissionCheckedMixin):
    """Wagtail's check of the ledger's policy; a refusal is Wagtail's own "permission
    denied" (a redirect to the dashboard with a message)."""

    model = PledgeLedgerEntry
    any_permission_required = EXPORT_PERMISSIONS


class FORMAT:
    XLSX = "xlsx"
    CSV = "csv"
    CSV_MONTHLY = "csv_monthly"


class PledgeExportForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From (registration date)"),
        widget=AdminDateInput,
        error_messages={"required": gettext_lazy("Give the first day of the period.")},
    )
    end = forms.DateField(
        label=gettext_lazy("To (registration date, inclusive)"),
        widget=AdminDateInput,
        error_messages={"required": gettext_lazy("Give the last day of the period.")},
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[
            (FORMAT.XLSX, gettext_lazy("Excel (xlsx): the registrations and a monthly summary")),
            (FORMAT.CSV, gettext_lazy("CSV: the registrations")),
            (FORMAT.CSV_MONTHLY, gettext_lazy("CSV: the monthly summary")),
        ],
        initial=FORMAT.XLSX,
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is not None and end is not None:
            try:
                export.validate_range(start, end)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


def _attachment(response: HttpResponseBase, filename: str) -> HttpResponseBase:
    response["Content-Disposition"] = attachment_disposition(filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class PledgeExportView(ExportPermissionMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "pledges/export/form.html"
    form_class = PledgeExportForm
    page_title = gettext_lazy("Pledge statistics export")
    header_icon = "download"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_initial(self) -> dict[str, Any]:
        today = timezone.localdate()
        return {"start": today.replace(month=1, day=1), "end": today, "format": FORMAT.XLSX}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["immediate_limit"] = XLSX_IMMEDIATE_LIMIT
        # The date widgets' script (initDateChooser), which the template loads before the
        # form: each widget calls it where it is rendered.
        context["media"] = context["form"].media
        return context

    def form_valid(self, form: PledgeExportForm) -> HttpResponseBase:  # type: ignore[override]
        start: datetime.date = form.cleaned_data["start"]
        end: datetime.date = form.cleaned_data["end"]
        chosen: str = form.cleaned_data["format"]
        language = translation.get_language() or "zh-hans"
        data = PledgeExport(start, end, language=language)
        if chosen in (FORMAT.CSV, FORMAT.CSV_MONTHLY):
            monthly = chosen == FORMAT.CSV_MONTHLY
            chunks = export.csv_monthly(data) if monthly else export.csv_entries(data)
            name = export.export_filename(start, end, "csv")
            if monthly:
                name = name.replace("pledge-registrations", "pledge-registrations-monthly")
            streamed = StreamingHttpResponse(
                (chunk.encode("utf-8") for chunk in chunks), content_type=CSV_MEDIA_TYPE
            )
            return _attachment(streamed, name)
        if export.entries_count(start, end) <= XLSX_IMMEDIATE_LIMIT:
            response = HttpResponse(export.xlsx_bytes(data), content_type=XLSX_MEDIA_TYPE)
            return _attachment(response, export.export_filename(start, end, "xlsx"))
        by = cast(User, self.request.user)  # the permission check let only staff in
        token = export.export_job_start(start=start, end=end, language=language, by=by)
        return redirect(JOB_URL_NAME, token=token)


class PledgeExportJobView(ExportPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """The job's page: "being prepared" (refreshing itself), "ready" with the download
    link, or "failed" with the way back. An unknown token answers 404 with "this export
    has expired, start a new one": tokens are unguessable, so an unknown one is a job the
    daily sweep deleted (export.export_files_sweep)."""

    template_name = "pledges/export/job.html"
    page_title = gettext_lazy("Pledge statistics export")
    header_icon = "download"
    # Set by the download view when the job is known but its workbook is gone.
    expired = False

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse(FORM_URL_NAME), "label": self.get_page_title()},
            {"url": "", "label": _("Export job")},
        ]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = self.get_context_data(**kwargs)
        return self.render_to_response(context, status=404 if context["job"] is None else 200)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job = None if self.expired else export.export_job(self.kwargs["token"])
        context.update(
            job=job,
            refresh_seconds=JOB_REFRESH_SECONDS if job and job.state == "pending" else None,
            download_url=reverse(DOWNLOAD_URL_NAME, kwargs={"token": job.token}) if job else None,
            form_url=reverse(FORM_URL_NAME),
            retention_days=settings.PLEDGE_EXPORT_RETENTION_DAYS,
        )
        return context


def _expired(request: HttpRequest, token: str) -> HttpResponseBase:
    """The job's page saying the export has expired (404)."""
    return PledgeExportJobView.as_view(expired=True)(request, token=token)


def export_job_download(request: HttpRequest, token: str) -> HttpResponseBase:
    """The finished workbook, to whoever may export; from a private bucket by a short-lived
    signed URL, else streamed from the storage."""
    if not user_may_export(request.user):
        raise PermissionDenied
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    job = export.export_job(token)
    if job is None:
        return _expired(request, token)
    if job.state != "ready":
        raise Http404  # its page says where it stands
    storage: Any = default_storage
    if presigns_urls(storage):
        if not storage.exists(job.path):  # swept after the markers were read
            return _expired(request, token)
        url = storage.url(
            job.path,
            parameters={
                "ResponseContentDisposition": attachment_disposition(job.filename),
                "ResponseContentType": XLSX_MEDIA_TYPE,
            },
            expire=60,
        )
        response: HttpResponseBase = HttpResponseRedirect(url)
        response["Referrer-Policy"] = "no-referrer"
        return response
    try:
        handle = default_storage.open(job.path, "rb")
    except FileNotFoundError:
        return _expired(request, token)
    return _attachment(FileResponse(handle, content_type=XLSX_MEDIA_TYPE), job.filename)


# --- URLs and menu item (registered in wagtail_hooks.py) ------------------------------------

urlpatterns = [
    path("", PledgeExportView.as_view(), name="form"),
    # The token names a directory of the storage: only the characters it is made of.
    re_path(rf"^jobs/(?P<token>{JOB_ID_PATTERN})/$", PledgeExportJobView.as_view(), name="job"),
    re_path(rf"^jobs/(?P<token>{JOB_ID_PATTERN})/download/$", export_job_download, name="download"),
]


class PledgeExportMenuItem(MenuItem):
    """The Reports menu's entry, shown to whoever may export (`user_may_export`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            gettext_lazy("Pledge statistics export"), reverse_lazy(FORM_URL_NAME), **kwargs
        )

    def is_shown(self, request: HttpRequest) -> bool:
        return user_may_export(request.user)
