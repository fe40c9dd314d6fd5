"""sitemap.xml: Wagtail's live pages plus the listings with a public page — published, or
closed with their result — (routes of the listing index page, not pages of their own)."""

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.contrib.sites.requests import RequestSite
from django.db.models import QuerySet
from django.http import HttpRequest
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap

from listings.models import Listing


class ListingSitemap(DjangoSitemap):
    changefreq = "weekly"

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def items(self) -> QuerySet[Listing, dict[str, Any]]:
        # Every listing with a public page: on offer, or closed with its result (as the
        # portal shows them: listings.models.PUBLIC_LISTING_STATES). Plain values: a
        # deferred-field Listing would load its FSM state one query per row.
        return Listing.objects.public().order_by("pk").values("pk", "updated_at")

    def location(self, item: dict[str, Any]) -> str:
        return Listing(pk=item["pk"]).get_absolute_url()

    def lastmod(self, item: dict[str, Any]) -> datetime:
        updated: datetime = item["updated_at"]
        return updated

    def get_urls(self, page: int | str = 1, site: Any = None, protocol: str | None = None) -> Any:
        # The same scheme and host as Wagtail gives its pages (the Wagtail Site's root URL),
        # rather than django.contrib.sites' example.com.
        root = urlsplit(WagtailSitemap(self.request).get_wagtail_site().root_url)
        site = RequestSite(self.request)
        site.domain = root.netloc
        return super().get_urls(page=page, site=site, protocol=root.scheme)


def portal_sitemaps(request: HttpRequest) -> dict[str, DjangoSitemap]:
    return {"pages": WagtailSitemap(request), "listings": ListingSitemap(request)}
