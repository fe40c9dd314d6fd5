"""The Celery application.

Without CELERY_BROKER_URL the settings make every task run eagerly in-process (the
embedded default); with it, a worker and beat run on Redis (see the Procfile).
"""

import os
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.production")

app = Celery("marketplace")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(bind=True, name="marketplace.ping")
def ping(self: Any) -> str:
    """Round-trip check used by /healthz/ tests and operators: answers from a worker."""
    return "pong"
