"""Every write to IP assets and listings goes through these services."""

from .assets import asset_create, asset_update, asset_validate, assets_change_holder
from .listings import (
    listing_close,
    listing_create,
    listing_derive_fields,
    listing_expire,
    listing_publish,
    listing_reject,
    listing_resubmit,
    listing_submit,
    listing_update,
    listing_withdraw,
    listings_expire_due,
    listings_rebuild_search_text,
)
from .synonyms import (
    search_synonym_create,
    search_synonym_delete,
    search_synonym_update,
    search_synonym_validate,
    split_terms,
)

__all__ = [
    "asset_create",
    "asset_update",
    "asset_validate",
    "assets_change_holder",
    "listing_close",
    "listing_create",
    "listing_derive_fields",
    "listing_expire",
    "listing_publish",
    "listing_reject",
    "listing_resubmit",
    "listing_submit",
    "listing_update",
    "listing_withdraw",
    "listings_expire_due",
    "listings_rebuild_search_text",
    "search_synonym_create",
    "search_synonym_delete",
    "search_synonym_update",
    "search_synonym_validate",
    "split_terms",
]
