"""Settings shared by every environment.

Everything that differs between a laptop, CI and production comes from the environment
through django-environ; the defaults here are the embedded ones `make run` uses (SQLite,
eager Celery, local files, console e-mail, offline payments).
"""

from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local, untracked .env may hold a developer's overrides; CI and production use real env vars.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core ---------------------------------------------------------------------------
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-only-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1

# --- Applications -------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
]
WAGTAIL_APPS = [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_fsm_log",
    "django_celery_beat",
    "rest_framework",
    "drf_spectacular",
]
LOCAL_APPS = [
    "marketplace.parties",
    "marketplace.demo",
    "marketplace.documents",
    "marketplace.notifications",
    "listings",
    "marketplace.pledges",
    "marketplace.deals",
    "marketplace.payments",
    "cms",
]
INSTALLED_APPS = DJANGO_APPS + WAGTAIL_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Links in the e-mails a request causes use its address, unless SITE_URL says otherwise.
    "marketplace.notifications.site.RequestOriginMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After authentication: sends bank reviewers and staff to set up TOTP when MFA_REQUIRED.
    "marketplace.parties.middleware.RequireMFAMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "marketplace.notifications.context_processors.header",
                "marketplace.demo.context_processors.demo_banner",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------
# SQLite file by default; DATABASE_URL=postgres://… in CI and production.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)

# --- Cache --------------------------------------------------------------------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- Authentication -----------------------------------------------------------------
AUTH_USER_MODEL = "parties.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "parties:workspace"
LOGOUT_REDIRECT_URL = "/"

# allauth: e-mail is the login; no usernames.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SIGNUP_REDIRECT_URL = "parties:organization_register"
# Bank reviewers land on /bank/ after signing in; everybody else on LOGIN_REDIRECT_URL.
ACCOUNT_ADAPTER = "marketplace.parties.adapter.AccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "郑州知识产权交易运营平台"
# When on, bank reviewers and staff must have TOTP before they can use the site.
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=False)

# --- Internationalisation -----------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# Our catalogue, then the translations of third-party strings that the packages' own zh_Hans
# catalogues lack (kept apart: makemessages only rewrites the first). Django prefers
# LOCALE_PATHS to the apps' catalogues, and an earlier path to a later one.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "third_party"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "django_language"
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES

# --- Static and media files ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# Local files by default; AWS_STORAGE_BUCKET_NAME switches uploads to S3 (django-storages).
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": None,  # the bucket stays private; downloads are access-checked
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Large pledge statistics exports (exports/pledges/ in the default storage) are deleted this
# many days after they were made, by the daily "sweep-pledge-exports" job.
PLEDGE_EXPORT_RETENTION_DAYS = env.int("PLEDGE_EXPORT_RETENTION_DAYS", default=7)

# --- Celery -------------------------------------------------------------------------
# No broker configured → tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-task hands the task back
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Daily jobs (beat copies these into its database schedule at start-up); each is idempotent.
CELERY_BEAT_SCHEDULE = {
    "expire-listings": {
        "task": "listings.expire_due",
        "schedule": crontab(hour=0, minute=15),  # just after midnight, Asia/Shanghai
    },
    "mark-overdue-pledges": {
        "task": "pledges.mark_overdue",
        "schedule": crontab(hour=0, minute=30),  # loans whose maturity date was yesterday
    },
    "asset-expiry-watch": {
        "task": "listings.asset_expiry_watch",
        "schedule": crontab(hour=1, minute=0),  # reminders at 90/30 days; expire ended assets
    },
    "redeliver-notices": {
        "task": "notifications.deliver_pending",
        "schedule": crontab(minute="*/10"),  # notices whose delivery was lost (broker down)
    },
    "delete-orphan-documents": {
        "task": "documents.delete_orphans",
        "schedule": crontab(hour=3, minute=30),  # files whose upload rolled back afterwards
    },
    "sweep-pledge-exports": {
        "task": "pledges.sweep_exports",
        "schedule": crontab(hour=3, minute=45),  # exports older than PLEDGE_EXPORT_RETENTION_DAYS
    },
}

# --- E-mail -------------------------------------------------------------------------
_email = env.email("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="郑州知识产权交易运营平台 <noreply@localhost>"
)

# --- Payments -----------------------------------------------------------------------
# Without STRIPE_SECRET_KEY the offline provider is used: staff confirm receipt by hand.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")  # localstripe in tests
# The escrow account buyers pay offline deposits into, quoting the payment's reference.
OFFLINE_PAYMENT_ACCOUNT = {
    "name": env("OFFLINE_PAYMENT_ACCOUNT_NAME", default="郑州知识产权交易运营平台（演示）"),
    "bank": env("OFFLINE_PAYMENT_BANK", default="演示银行郑州分行"),
    "number": env("OFFLINE_PAYMENT_ACCOUNT_NUMBER", default="0000 0000 0000 0000"),
}

# --- Wagtail ------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "郑州知识产权交易运营平台"
# The Wagtail admin signs in through allauth (and its TOTP step), not its own form.
WAGTAILADMIN_LOGIN_URL = "account_login"
# The public address links in e-mails and notices use (https://ip.example.cn). Empty in
# development: the address of the request that caused them (see notifications.site).
SITE_URL = env("DJANGO_SITE_URL", default="")
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default=SITE_URL or "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "png", "jpg", "jpeg"]
# The admin works offline like the site (nothing loaded from a CDN): no request leaves it.
# No Gravatar: avatars are the uploaded picture or Wagtail's default.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# No browser call to releases.wagtail.org from the dashboard; upgrades go through the lock file.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No "What's new in Wagtail" banner: English release notes on wagtail.org, not for operators.
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

# --- REST framework -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Zhengzhou IP Exchange API",
    "VERSION": "1.0.0",
    "PREPROCESSING_HOOKS": ["marketplace.api.schema.only_public_api"],
}

# --- Security -----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview views set SAMEORIGIN for themselves

# --- Demo data ----------------------------------------------------------------------
# `seed_demo` creates accounts with published local-only passwords: never in production.
DEMO_DATA_ALLOWED = env.bool("DEMO_DATA_ALLOWED", default=True)
DEMO_PASSWORD = "zzipx-demo-2025"

# --- Logging ------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"jieba": {"level": "WARNING"}, "django_tasks": {"level": "WARNING"}},
}
