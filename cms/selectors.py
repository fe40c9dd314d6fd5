"""Reads for the public pages."""

from django.db.models import Count

from listings.models import AssetKind, IPAsset
from marketplace.parties.models import Organization, VerificationState


def home_counts() -> dict[str, object]:
    """Constant-query figures for the home page: assets by kind, organisations."""
    by_kind = dict(
        IPAsset.objects.order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return {
        "assets_by_kind": [(label, by_kind.get(value, 0)) for value, label in AssetKind.choices],
        "assets_total": sum(by_kind.values()),
        "organizations_verified": Organization.objects.filter(
            verification_state=VerificationState.VERIFIED
        ).count(),
    }
