"""Reads for deals: a party sees its deals; anybody else gets DoesNotExist (→ 404)."""

from django.db.models import OuterRef, Q, QuerySet, Subquery

from marketplace.parties.models import User
from marketplace.parties.selectors import acting_organization_ids

from .models import Deal, DealState, RecordalEvidence


def deals_for_user(*, user: User) -> QuerySet[Deal]:
    """The deals of the user's organisations, each with `evidence_state`: the state of its
    newest recordal evidence (None before any), which decides the next step once the
    recordal is filed — in the same query, whatever the number of deals."""
    if not user.is_authenticated:
        return Deal.objects.none()
    orgs = acting_organization_ids(user=user)
    newest_evidence = RecordalEvidence.objects.filter(deal=OuterRef("pk")).order_by(
        "-submitted_at", "-pk"
    )
    return (
        Deal.objects.filter(Q(buyer_id__in=orgs) | Q(seller_id__in=orgs))
        .exclude(state="new")
        .select_related("listing", "buyer", "seller")
        .annotate(evidence_state=Subquery(newest_evidence.values("state")[:1]))
        .order_by("-created_at", "-pk")
    )


def deal_for_party(*, user: User, pk: int) -> Deal:
    return deals_for_user(user=user).get(pk=pk)


def completed_deal_for_listing(*, listing_id: int) -> Deal | None:
    """The deal that completed on the listing (and so closed it), if any: one query. Its
    kind, licence type and completion time are what the public result says; its price and
    parties are not read here."""
    return (
        Deal.objects.filter(listing_id=listing_id, state=DealState.COMPLETED)
        .only("pk", "listing_id", "kind", "licence_type", "completed_at", "state")
        .order_by("-completed_at", "-pk")
        .first()
    )
