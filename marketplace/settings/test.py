"""Test settings: the embedded defaults unless DATABASE_URL / CELERY_BROKER_URL are set."""

from .base import *
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env.path("MEDIA_ROOT", default="/tmp/zzipx-test-media")  # noqa: S108
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The test database is created fresh in UTF-8 so Chinese text round-trips exactly.
    DATABASES["default"]["TEST"] = {"CHARSET": "UTF8", "TEMPLATE": "template0"}
