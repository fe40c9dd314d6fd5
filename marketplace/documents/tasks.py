from celery import shared_task

from . import services


@shared_task(
    name="documents.delete_orphans",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def delete_orphans_task() -> int:
    """Daily: stored files no document row points to (see services.document_orphans_delete).
    Safe to run twice: a second run finds nothing to delete."""
    return services.document_orphans_delete()
