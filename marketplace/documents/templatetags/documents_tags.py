from typing import Any

from django import template

from listings.models import IPAsset

from ..forms import DocumentUploadForm
from ..selectors import documents_for_asset, member_organization_ids

register = template.Library()


@register.inclusion_tag("documents/_asset_documents.html")
def asset_documents(asset: IPAsset, user: Any) -> dict[str, Any]:
    """The asset's documents the user may see, with download and (for members of the
    owning organisation) delete buttons, and the upload form for members of the holder.
    Two queries whatever the number of documents."""
    organization_ids = member_organization_ids(user=user)
    documents = list(documents_for_asset(asset=asset, user=user))
    for document in documents:
        document.can_delete = document.organization_id in organization_ids  # type: ignore[attr-defined]
    can_upload = asset.holder_id in organization_ids
    return {
        "asset": asset,
        "documents": documents,
        "can_upload": can_upload,
        "form": DocumentUploadForm() if can_upload else None,
    }
