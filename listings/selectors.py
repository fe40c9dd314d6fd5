"""Reads for IP assets and listings."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Model, Prefetch, QuerySet
from django_fsm import FSMFieldMixin
from django_fsm_log.models import StateLog

from marketplace.parties.models import Organization, User, VerificationState

from .models import AssetKind, IPAsset, Listing, ListingQuerySet
from .search import segment_query
from .validators import validate_ip_number


def assets_for_organizations(*, organizations: Iterable[Organization]) -> QuerySet[IPAsset]:
    return (
        IPAsset.objects.filter(holder__in=list(organizations))
        .select_related("holder")
        .order_by("-created_at")
    )


def asset_for_member(*, user: User, pk: int) -> IPAsset:
    """The asset if `user` belongs to its holder; otherwise DoesNotExist (→ 404)."""
    return IPAsset.objects.select_related("holder").get(pk=pk, holder__memberships__user=user)


# --- the public portal --------------------------------------------------------------------

FACET_FIELDS = ("kind", "intent", "industry", "district")


@dataclass
class ListingSearch:
    """What the portal shows for one query string."""

    results: Any  # a QuerySet or Wagtail search results, in display order
    facets: dict[str, dict[str, int]]
    exact_asset: IPAsset | None = None
    query_words: str = ""


def _filtered(base: ListingQuerySet, filters: dict[str, Any], *, skip: str = "") -> Any:
    qs = base
    for name in FACET_FIELDS:
        if name in filters and name != skip:
            qs = qs.filter(**{name: filters[name]})
    if filters.get("l_belt"):
        qs = qs.filter(in_l_belt=True)
    if "price_min" in filters:
        qs = qs.filter(asking_price__gte=filters["price_min"])
    if "price_max" in filters:
        qs = qs.filter(asking_price__lte=filters["price_max"])
    if filters.get("verified"):
        # holder_id is a search filter field; the holder's state is not.
        verified = Organization.objects.filter(verification_state=VerificationState.VERIFIED)
        qs = qs.filter(holder_id__in=verified.values("pk"))  # one subquery, not a list
    return qs


def _exact_asset(query: str) -> IPAsset | None:
    """A query that is an asset's number (in any accepted spelling) names that asset."""
    for kind in AssetKind.values:
        try:
            number = validate_ip_number(kind, query)
        except ValidationError:
            continue
        asset = IPAsset.objects.filter(kind=kind, number=number).first()
        if asset is not None:
            return asset
    return None


def _ordered(qs: Any, sort: str) -> Any:
    if sort == "price_asc":
        return qs.order_by(F("asking_price").asc(nulls_last=True), "-published_at")
    if sort == "price_desc":
        return qs.order_by(F("asking_price").desc(nulls_last=True), "-published_at")
    # The tie-breaker is an expression: Wagtail's search refuses a plain "pk" (not a
    # FilterField) in order_by, and "?q=…&sort=newest" would fail with a 500.
    return qs.order_by("-published_at", F("pk").desc())


def listing_search(*, filters: dict[str, Any]) -> ListingSearch:
    """Published listings (closed ones with `closed`) matching the portal's validated
    filters.

    Without words the ORM answers; with words Wagtail's search backend does, on the
    jieba-segmented text, every word required. Facet counts leave out their own filter, so
    a visitor sees what else they could pick. The number of queries does not depend on
    the number of listings.
    """
    # Closed listings (their results) only when asked for; the default is what is on offer.
    base = Listing.objects.closed() if filters.get("closed") else Listing.objects.published()
    query = filters.get("q", "")
    sort = filters.get("sort") or ("relevance" if query else "newest")
    if query:
        exact = _exact_asset(query)
        if exact is not None:
            results = _ordered(_filtered(base, filters).filter(assets=exact), "newest")
            facets: dict[str, dict[str, int]] = {name: {} for name in FACET_FIELDS}
            return ListingSearch(results=results, facets=facets, exact_asset=exact)
        words = segment_query(query)
        if not words:
            return ListingSearch(results=base.none(), facets={n: {} for n in FACET_FIELDS})
        searched = _filtered(base, filters)
        if sort == "relevance":
            results = searched.search(words, operator="and")
        else:
            results = _ordered(searched, sort).search(
                words, operator="and", order_by_relevance=False
            )
        facets = {
            name: dict(
                _filtered(base, filters, skip=name).search(words, operator="and").facet(name)
            )
            for name in FACET_FIELDS
        }
        return ListingSearch(results=results, facets=facets, query_words=words)
    results = _ordered(_filtered(base, filters), sort)
    facets = {
        name: dict(
            _filtered(base, filters, skip=name)
            .order_by()
            .values_list(name)
            .annotate(n=Count("pk"))
            .values_list(name, "n")
        )
        for name in FACET_FIELDS
    }
    return ListingSearch(results=results, facets=facets)


def listings_for_cards(listings: Iterable[Listing]) -> list[Listing]:
    """Reload one page of listings with what a card shows, keeping their order."""
    ids = [listing.pk for listing in listings]
    loaded = (
        Listing.objects.filter(pk__in=ids)
        .select_related("holder")
        .prefetch_related(Prefetch("assets", queryset=IPAsset.objects.order_by("pk")))
    )
    by_id = {listing.pk: listing for listing in loaded}
    return [by_id[pk] for pk in ids if pk in by_id]


def listing_for_public(*, pk: int) -> Listing:
    """A published listing with its holder and assets; DoesNotExist otherwise (→ 404).
    What a visitor can make an offer on."""
    return (
        Listing.objects.published()
        .select_related("holder")
        .prefetch_related(Prefetch("assets", queryset=IPAsset.objects.order_by("pk")))
        .get(pk=pk)
    )


def listing_for_public_page(*, pk: int) -> Listing:
    """A listing with a public page (published, or closed with its result: see
    PUBLIC_LISTING_STATES) with its holder and assets; DoesNotExist otherwise (→ 404)."""
    return (
        Listing.objects.public()
        .select_related("holder")
        .prefetch_related(Prefetch("assets", queryset=IPAsset.objects.order_by("pk")))
        .get(pk=pk)
    )


# --- the holder's workspace ---------------------------------------------------------------


def listings_for_organizations(
    *, organizations: Iterable[Organization] | QuerySet[Organization]
) -> QuerySet[Listing]:
    """Listings of these organisations, newest first, with their holder and assets (one
    query each, whatever the number of rows). A queryset of organisations is used as a
    subquery, so it costs no query of its own."""
    holders = (
        organizations
        if isinstance(organizations, QuerySet)
        else [organization.pk for organization in organizations]
    )
    return (
        Listing.objects.filter(holder__in=holders)
        .select_related("holder")
        .prefetch_related(Prefetch("assets", queryset=IPAsset.objects.order_by("pk")))
        .order_by("-created_at", "-pk")
    )


def listing_for_member(*, user: User, pk: int) -> Listing:
    """The listing if `user` belongs to its holder; otherwise DoesNotExist (→ 404)."""
    return (
        Listing.objects.select_related("holder", "created_by")
        .prefetch_related(Prefetch("assets", queryset=IPAsset.objects.order_by("pk")))
        .get(pk=pk, holder__memberships__user=user)
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One audited transition, ready to show: who, when, from → to, the note."""

    timestamp: datetime.datetime
    by: User | None
    transition: str
    source_state: str
    source_label: str
    state: str
    state_label: str
    note: str


def _state_labels(model: type[Model]) -> dict[str, str]:
    for field in model._meta.fields:
        if isinstance(field, FSMFieldMixin):
            return {str(value): str(label) for value, label in field.flatchoices}
    return {}


# A state an object only passes through inside the service that creates it (a deal is
# created "new" and proposed at once): its entry reads as the first state, not "New → …".
CREATION_STATES = frozenset({"new"})


def _shown_source(state: str | None) -> str:
    return "" if not state or state in CREATION_STATES else state


def timeline_for(*, obj: Model) -> list[TimelineEntry]:
    """The audit rows (django-fsm-log) of `obj`, oldest first, in one query (plus the
    content type, which Django caches)."""
    labels = _state_labels(type(obj))
    rows = StateLog.objects.for_(obj).select_related("by").order_by("timestamp", "pk")
    return [
        TimelineEntry(
            timestamp=row.timestamp,
            by=row.by,
            transition=row.transition,
            source_state=_shown_source(row.source_state),
            source_label=labels.get(_shown_source(row.source_state), row.source_state or ""),
            state=row.state,
            state_label=labels.get(row.state, row.state),
            note=row.description or "",
        )
        for row in rows
    ]
