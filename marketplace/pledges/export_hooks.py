"""Wagtail admin hooks of the pledge statistics export: its URLs, and its entry in the
Reports menu (shown to whoever may open the pledge ledger). Imported by the app's
wagtail_hooks.py."""

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, include, path, re_path, reverse, reverse_lazy
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .export import JOB_ID_PATTERN
from .export_views import (
    FORM_URL_NAME,
    PledgeExportJobView,
    PledgeExportView,
    export_job_download,
    user_may_export,
)

urlpatterns = [
    path("", PledgeExportView.as_view(), name="form"),
    # The token names a directory of the storage: only the characters it is made of.
    re_path(rf"^jobs/(?P<token>{JOB_ID_PATTERN})/$", PledgeExportJobView.as_view(), name="job"),
    re_path(rf"^jobs/(?P<token>{JOB_ID_PATTERN})/download/$", export_job_download, name="download"),
]


class PledgeExportMenuItem(MenuItem):
    """Shown to whoever may export (`user_may_export`), and only when its URL exists: a hook
    module imported after the admin URLs were built (the menu hook is read later, at each
    render) must not break every admin page with a NoReverseMatch."""

    def __init__(self, label: Any, url_name: str, **kwargs: Any) -> None:
        super().__init__(label, reverse_lazy(url_name), **kwargs)
        self.url_name = url_name

    def is_shown(self, request: HttpRequest) -> bool:
        if not user_may_export(request.user):
            return False
        try:
            reverse(self.url_name)
        except NoReverseMatch:
            return False
        return True


@hooks.register("register_admin_urls")
def register_pledge_export_urls() -> list[Any]:
    return [path("pledge-export/", include((urlpatterns, "pledges_export")))]


@hooks.register("register_reports_menu_item")
def register_pledge_export_menu_item() -> MenuItem:
    return PledgeExportMenuItem(
        gettext_lazy("Pledge statistics export"),
        FORM_URL_NAME,
        name="pledge-statistics-export",
        icon_name="download",
        order=900,
    )
