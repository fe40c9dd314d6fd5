"""Celery: eager in-process without a broker; a real worker answers on Redis."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import AsyncResult, EagerResult
from django.conf import settings

from marketplace.celery import app, ping

PROJECT_ROOT = Path(settings.BASE_DIR)


def test_without_a_broker_the_settings_make_tasks_run_eagerly():
    """A fresh process with CELERY_BROKER_URL empty, as on a laptop: the settings switch to
    eager mode and ping answers in-process."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.test",
        "CELERY_BROKER_URL": "",  # empty, not unset: also overrides a developer's .env
        "CELERY_RESULT_BACKEND": "",
    }
    env.pop("DATABASE_URL", None)
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from marketplace.celery import app, ping\n"
        "result = ping.delay()\n"
        "print(settings.CELERY_TASK_ALWAYS_EAGER, app.conf.task_always_eager,"
        " type(result).__name__, result.get(timeout=1))\n"
    )

    completed = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["True", "True", "EagerResult", "pong"]


def test_in_eager_mode_ping_never_touches_the_broker(celery_conf, point_broker_at):
    # given eager mode, and a broker URL where nothing listens
    celery_conf.task_always_eager = True
    point_broker_at("redis://127.0.0.1:1/0")

    # when
    result = ping.delay()

    # then it ran here and now
    assert isinstance(result, EagerResult)
    assert result.get(timeout=1) == "pong"


@pytest.mark.redis
def test_a_worker_on_redis_answers_ping(celery_conf, point_broker_at):
    """A real worker thread on the Redis broker. The task goes to a queue of its own so
    messages left in the default queue by other runs cannot reach this worker."""
    # given a worker on the broker from CELERY_BROKER_URL, not eager
    celery_conf.task_always_eager = False
    point_broker_at(settings.CELERY_BROKER_URL)
    queue = f"test-ping-{uuid.uuid4().hex}"

    with start_worker(
        app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=10
    ):
        # when
        result = ping.apply_async(queue=queue)

        # then the answer came back from the worker, through the result backend
        assert isinstance(result, AsyncResult)
        assert not isinstance(result, EagerResult)
        assert result.get(timeout=10) == "pong"
        assert result.state == "SUCCESS"
