from celery import shared_task

from . import services
from .services import watch


@shared_task(
    name="listings.expire_due",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def expire_listings_task() -> int:
    """Daily: published listings past their validity date become expired."""
    return services.listings_expire_due()


@shared_task(
    name="listings.asset_expiry_watch",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def asset_expiry_watch_task() -> dict[str, int]:
    """Daily: remind holders 90 and 30 days before an asset's protection ends; expire the
    assets whose protection ended and withdraw their published listings (see
    services.watch). Safe to run twice: a second run finds nothing to do."""
    return watch.assets_expiry_watch()
