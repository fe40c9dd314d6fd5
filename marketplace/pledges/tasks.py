from celery import shared_task

from . import services


@shared_task(
    name="pledges.mark_overdue",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def mark_overdue_task() -> int:
    """Daily: disbursed loans past their maturity date become overdue (idempotent)."""
    return services.pledges_mark_overdue()
