"""Test settings: the embedded defaults unless DATABASE_URL / CELERY_BROKER_URL are set."""

import os
import re

from .base import *
from .base import CACHES, CELERY_BROKER_URL, CELERY_RESULT_BACKEND, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# pytest-xdist runs the suite in several processes (gw0, gw1, …): each gets its own test
# database (pytest-django adds the suffix), media folder and Redis databases, so that one
# worker's cache.clear() or Celery worker never touches another's.
XDIST_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


def _redis_db_for_worker(url: str) -> str:
    """redis://host:port/N → the worker's own database, counting down from N in steps of
    two (the broker and the cache sit side by side): 15, 13, 11 … for the broker."""
    if not url.startswith("redis") or not XDIST_WORKER:
        return url
    match = re.search(r"/(\d+)$", url)
    number = int(match.group(1)) if match else 0
    return re.sub(r"(/\d+)?$", f"/{(number - 2 * XDIST_WORKER) % 16}", url, count=1)


MEDIA_ROOT = env.path("MEDIA_ROOT", default="/tmp/zzipx-test-media")  # noqa: S108
if XDIST_WORKER:
    MEDIA_ROOT = f"{MEDIA_ROOT}-gw{XDIST_WORKER}"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The test database is created fresh in UTF-8 so Chinese text round-trips exactly.
    DATABASES["default"]["TEST"] = {"CHARSET": "UTF8", "TEMPLATE": "template0"}

if XDIST_WORKER:
    location = CACHES["default"].get("LOCATION")
    if isinstance(location, str):
        CACHES["default"]["LOCATION"] = _redis_db_for_worker(location)
    if CELERY_BROKER_URL:
        CELERY_BROKER_URL = _redis_db_for_worker(CELERY_BROKER_URL)
        CELERY_RESULT_BACKEND = _redis_db_for_worker(CELERY_RESULT_BACKEND or CELERY_BROKER_URL)
