"""Running notice delivery in tests.

Delivery is queued on commit (`deliver_notice_task.delay`). The tests run it in-process, as
the embedded default does, whatever the broker: CI's PostgreSQL + Redis run has no worker
consuming the queue. The real worker path is tested in tests/test_celery.py.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from kombu import pools

from marketplace.celery import app as celery_app


def _fresh_broker_pools() -> None:
    """Even an eager .delay() takes a producer from kombu's global pools (keyed by broker
    URL), and the root conftest's `celery_conf` closes the app's pool but leaves it in
    that registry: the next .delay() on the same URL then fails with "Acquire on closed
    pool". Start and leave with empty pools, as a new process would."""
    pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def tasks_in_process() -> Iterator[None]:
    """Run queued tasks eagerly for the block, then restore the setting."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    _fresh_broker_pools()
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = saved
        _fresh_broker_pools()
