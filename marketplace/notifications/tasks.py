from celery import shared_task

from . import services


@shared_task(
    name="notifications.deliver",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def deliver_notice_task(notice_id: int) -> dict[str, int]:
    """After the commit of a notice: notifications for its recipients and their e-mails
    (see services.notice_deliver). Safe to run twice: nobody gets anything twice."""
    return services.notice_deliver(notice_id=notice_id)


@shared_task(
    name="notifications.deliver_pending",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def deliver_pending_task() -> int:
    """Every few minutes: queue again the notices whose delivery was never queued or never
    finished (see services.notices_deliver_pending)."""
    return services.notices_deliver_pending()
