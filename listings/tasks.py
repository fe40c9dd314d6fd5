from celery import shared_task

from . import services


@shared_task(
    name="listings.expire_due",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def expire_listings_task() -> int:
    """Daily: published listings past their validity date become expired."""
    return services.listings_expire_due()
