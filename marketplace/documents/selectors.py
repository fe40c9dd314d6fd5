"""Reads for documents: what a user may see, with what the pages show."""

from typing import Any

from django.db.models import QuerySet

from listings.models import IPAsset
from marketplace.parties.models import Membership

from .models import Document


def document_for_user(*, user: Any, pk: int) -> Document:
    """The document if `user` is a member of its organisation or staff; DoesNotExist
    otherwise (→ 404, so nobody learns which ids exist)."""
    return Document.objects.visible_to(user).get(pk=pk)


def documents_for_asset(*, asset: IPAsset, user: Any) -> QuerySet[Document]:
    return (
        Document.objects.visible_to(user)
        .filter(asset=asset)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-pk")
    )


def member_organization_ids(*, user: Any) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user).values_list("organization_id", flat=True))
