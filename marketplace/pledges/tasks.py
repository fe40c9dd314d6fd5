from celery import shared_task

from . import services
from .tasks_export import export_xlsx_task  # noqa: F401  (autodiscovery reads tasks.py)


@shared_task(
    name="pledges.mark_overdue",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def mark_overdue_task() -> int:
    """Daily: disbursed loans past their maturity date become overdue (idempotent)."""
    return services.pledges_mark_overdue()
