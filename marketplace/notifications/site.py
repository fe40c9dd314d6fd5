"""The address links in e-mails point at.

In production that is settings.SITE_URL (required there): a Host header is never trusted to
build a link that leaves the site. In development, where SITE_URL is empty, it is the address
the request that caused the notice came in on (`make run HOST=… PORT=…`, a LAN address, a
tunnel), so a link in a console e-mail opens the site that sent it.
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_request_origin: ContextVar[str] = ContextVar("request_origin", default="")


def site_url() -> str:
    """The site's public address without a trailing slash, e.g. https://ip.example.cn."""
    return (settings.SITE_URL or _request_origin.get() or settings.WAGTAILADMIN_BASE_URL).rstrip(
        "/"
    )


class RequestOriginMiddleware:
    """Remembers the request's scheme and host for site_url() while it is handled (only
    when SITE_URL is not set)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SITE_URL:
            return self.get_response(request)
        token = _request_origin.set(f"{request.scheme}://{request.get_host()}")
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(token)
