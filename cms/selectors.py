"""Reads for the public pages. Each runs a fixed number of queries, whatever the data."""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from listings.models import (
    AssetKind,
    IPAsset,
    LicenceType,
    Listing,
    ListingIntent,
    ListingState,
)
from marketplace.deals.selectors import completed_deal_for_listing
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


@dataclass(frozen=True)
class ListingResult:
    """What the public page of a closed listing says of its result, as an exchange's
    成交公告 does: the kind of deal and the day it closed, never the price or the buyer."""

    kind: str  # "transfer", "licence" or "pledge" (a pledge registered on it)
    closed_on: datetime.date | None
    licence_type: str = ""  # the licence's type, for a licence

    @property
    def licence_type_label(self) -> str:
        return str(LicenceType(self.licence_type).label) if self.licence_type else ""


def _local_day(moment: datetime.datetime | None) -> datetime.date | None:
    return None if moment is None else timezone.localtime(moment).date()


def listing_result(*, listing: Listing) -> ListingResult | None:
    """The result of a closed listing (None for any other): a completed transfer or
    licence (its kind, licence type and completion day; one query) or, for a pledge
    listing, the registration of the pledge (the day the listing closed; no query)."""
    if listing.state != ListingState.CLOSED:
        return None
    if listing.intent == ListingIntent.PLEDGE:
        return ListingResult(kind=ListingIntent.PLEDGE, closed_on=_local_day(listing.closed_at))
    deal = completed_deal_for_listing(listing_id=listing.pk)
    if deal is None:  # closed before deals were kept: the listing's own record
        return ListingResult(kind=listing.intent, closed_on=_local_day(listing.closed_at))
    return ListingResult(
        kind=deal.kind,
        closed_on=_local_day(deal.completed_at or listing.closed_at),
        licence_type=deal.licence_type or "",
    )
