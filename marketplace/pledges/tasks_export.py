"""The Celery job behind large xlsx exports of the pledge ledger (marketplace.pledges.export).

Celery autodiscovers `tasks.py` only: `tasks.py` imports this module so workers register
`pledges.export_xlsx`.
"""

from typing import Any

from celery import shared_task

from . import export


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
