"""Reads for the public pages. Each runs a fixed number of queries, whatever the data."""

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, QuerySet

from listings.models import AssetKind, IPAsset, Listing, ListingIntent
from marketplace.parties.models import (
    SERVICE_INSTITUTION_KINDS,
    Organization,
    VerificationState,
)

if TYPE_CHECKING:
    from .models import NewsPage


def _counts_by(queryset: QuerySet[Any], field: str) -> dict[str, int]:
    return dict(
        queryset.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n")
    )


def home_counts() -> dict[str, Any]:
    """The front page's figures: published listings by asset kind and by intent, assets
    recorded and organisations verified (four queries)."""
    published = Listing.objects.published()
    by_kind = _counts_by(published, "kind")
    by_intent = _counts_by(published, "intent")
    return {
        "listings_by_kind": [
            (value, label, by_kind.get(value, 0)) for value, label in AssetKind.choices
        ],
        "listings_by_intent": [
            (value, label, by_intent.get(value, 0)) for value, label in ListingIntent.choices
        ],
        "listings_total": sum(by_kind.values()),
        "assets_total": IPAsset.objects.count(),
        "organizations_verified": Organization.objects.filter(
            verification_state=VerificationState.VERIFIED
        ).count(),
    }


def newest_listings(*, limit: int) -> list[Listing]:
    """The newest published listings with what a card shows (two queries)."""
    return list(
        Listing.objects.published()
        .order_by("-published_at", "-pk")
        .select_related("holder")
        .prefetch_related(Prefetch("assets", queryset=IPAsset.objects.order_by("pk")))[:limit]
    )


def latest_news(*, limit: int) -> "QuerySet[NewsPage]":
    from .models import NewsPage  # the page models import this module

    return NewsPage.objects.live().public().order_by("-date", "-pk")[:limit]


# --- the service-institution directory --------------------------------------------------

INSTITUTION_FACETS = ("kind", "district")


def _institutions(filters: dict[str, Any], *, skip: str = "") -> QuerySet[Organization]:
    queryset = Organization.objects.filter(
        kind__in=SERVICE_INSTITUTION_KINDS, verification_state=VerificationState.VERIFIED
    )
    for name in INSTITUTION_FACETS:
        if name in filters and name != skip:
            queryset = queryset.filter(**{name: filters[name]})
    return queryset


def service_institutions(*, filters: dict[str, Any]) -> QuerySet[Organization]:
    """Verified appraisal firms, patent and trademark agencies and law firms."""
    return _institutions(filters).order_by("kind", "name", "pk")


def service_institution_facets(*, filters: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Counts per kind and per district, each leaving out its own filter (two queries)."""
    return {
        name: _counts_by(_institutions(filters, skip=name), name) for name in INSTITUTION_FACETS
    }
