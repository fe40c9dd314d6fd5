"""The Celery jobs behind large xlsx exports of the pledge ledger (marketplace.pledges.export):
building one, and the daily sweep of old ones.

Celery autodiscovers `tasks.py` only: `tasks.py` imports this module so workers register
`pledges.export_xlsx` and `pledges.sweep_exports`.
"""

import logging
from typing import Any

from celery import shared_task

from . import export

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="pledges.export_xlsx",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=3,
)
def export_xlsx_task(self: Any, token: str) -> int | None:
    """Build and store the workbook of export job `token`; idempotent (a finished job is
    left alone). After the last retry the job is marked failed, so its page stops waiting."""
    try:
        job = export.export_job_run(token)
    except Exception as error:
        if self.request.retries >= self.max_retries or self.request.is_eager:
            export.export_job_fail(token, repr(error))
        raise
    return job.entries if job else None


@shared_task(
    name="pledges.sweep_exports",
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=3,
)
def sweep_exports_task() -> int:
    """Daily: delete the export jobs older than PLEDGE_EXPORT_RETENTION_DAYS (see
    export.export_files_sweep). Safe to run twice: a second run finds nothing to delete."""
    deleted = export.export_files_sweep()
    logger.info("Pledge export sweep: %d file(s) deleted", deleted)
    return deleted
