"""Lifeline settings: one module, driven by environment variables with embedded defaults.

Parts: ``base`` (paths, secrets, hosts, apps, middleware), ``accounts`` (allauth, 2FA,
passwords) and, here, storage, background work, email, the index, HTTP security, recovery and
operations.

Out of the box (no environment at all) Lifeline runs on an SQLite file under ``var/``, the
database cache, file storage under ``var/files`` and an outbox that keeps emails in the
database so a newcomer can read them at ``/_dev/outbox/``. Every production concern is
switched on from the environment; see docs/deploy.md for the full list.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from lifeline.core.env import env, env_bool, env_int, env_list, env_overrides
from lifeline.ops.logging_config import build_logging
from lifeline.settings.accounts import *  # noqa: F403 - every part's names are settings
from lifeline.settings.accounts import ALLAUTH_TRUSTED_PROXY_COUNT
from lifeline.settings.base import *  # noqa: F403
from lifeline.settings.base import BASE_DIR, DEBUG, INSTALLED_APPS, PRODUCTION, VAR_DIR

# --- Storage ------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            # Keep connections: opening SQLite and running the PRAGMAs on every request cost
            # more than the request itself (docs/benchmarks.md).
            "CONN_MAX_AGE": 600,
            "NAME": VAR_DIR / "lifeline.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
# The default cache holds security state only (allauth's rate limits, 2FA lockouts), so it is
# shared by every process and never evicts a live key: lifeline.core.cache explains why. A
# Redis server must run with `maxmemory-policy noeviction` (docs/deploy.md).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "lifeline.core.cache.ReusingRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "lifeline.core.cache.DurableDatabaseCache",
            "LOCATION": "lifeline_cache",
            # Past this many rows, writes also delete expired ones; live rows are never culled.
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# Our own rate-limit counters (lifeline.core.ratelimit): a database table, or Redis.
LIFELINE_RATELIMIT_REDIS_URL = env("LIFELINE_RATELIMIT_REDIS_URL", REDIS_URL or "")

MEDIA_ROOT = Path(env("LIFELINE_FILES_DIR", str(VAR_DIR / "files")))
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "lifeline" / "static"]
# Outside production, whitenoise serves straight from the app directories (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if env("LIFELINE_S3_BUCKET"):
    # S3-compatible object storage through django-storages (see docs/deploy.md).
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("LIFELINE_S3_BUCKET"),
            "endpoint_url": env("LIFELINE_S3_ENDPOINT_URL") or None,
            "region_name": env("LIFELINE_S3_REGION") or None,
            "access_key": env("LIFELINE_S3_ACCESS_KEY") or None,
            "secret_key": env("LIFELINE_S3_SECRET_KEY") or None,
            "default_acl": None,
            "file_overwrite": False,
        },
    }

# --- Background work ------------------------------------------------------------------------
LIFELINE_TASKS_BACKEND = env("LIFELINE_TASKS_BACKEND", "rq" if env("LIFELINE_RQ") else "db")
if LIFELINE_TASKS_BACKEND == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": env("RQ_REDIS_URL", REDIS_URL or "redis://127.0.0.1:6379/0")}}
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
elif LIFELINE_TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Idempotent jobs run by `lifeline tick` (cron, a systemd timer, or `make run`).
LIFELINE_SCHEDULED_JOBS = [
    "lifeline.notifications.services.retry_due_emails",
    "lifeline.recovery.transition.sweep_timers",
    "lifeline.recovery.staff.metrics.refresh_desk_figures",
    "lifeline.recovery.staff.auto_approve.auto_approve_open_cases",
    "lifeline.recovery.proofs.repository.recheck_stale_repository_proofs",
    "lifeline.recovery.owner_alerts.send_owner_digests",
    "lifeline.desk.roles.apply_due_role_grants",
    "lifeline.core.ratelimit.sweep_expired",
    "lifeline.tokens.publishing.services.expire_pending_publishers",
    "lifeline.accounts.jobs.expire_unverified_signups",
    "lifeline.checkup.jobs.recheck_stale_domains",
    "lifeline.checkup.jobs.sweep_email_event_receipts",
    "lifeline.checkup.reminders.daily_reminders",
]

# --- Email ------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Lifeline <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env("SMTP_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env("SMTP_HOST"),
                "port": env_int("SMTP_PORT", 587),
                "username": env("SMTP_USER"),
                "password": env("SMTP_PASSWORD"),
                "use_tls": env_bool("SMTP_STARTTLS", True),
                "timeout": env_int("SMTP_TIMEOUT", 10),
            },
        }
    }
else:
    # The outbox keeps messages in the database, readable at /_dev/outbox/ when DEBUG is on.
    MAILERS = {"default": {"BACKEND": "lifeline.notifications.outbox.OutboxBackend"}}
# The dev outbox page: on with DEBUG, 404 otherwise.
LIFELINE_DEV_OUTBOX = env_bool("LIFELINE_DEV_OUTBOX", DEBUG)
# Emails are retried with exponential backoff, this many times, before they are marked failed.
LIFELINE_EMAIL_MAX_ATTEMPTS = env_int("LIFELINE_EMAIL_MAX_ATTEMPTS", 8)

# --- Email reachability (lifeline/checkup, docs/email-events.md) ---------------------------
# Defaults in lifeline/checkup/conf.py: the webhook secret (empty: the endpoint is off), the
# lapsed-domain backend ("null" or "rdap") and the RDAP bootstrap URL.
globals().update(
    env_overrides(
        "LIFELINE_BOUNCE_WEBHOOK_SECRET",
        "LIFELINE_DOMAIN_STATUS_BACKEND",
        "LIFELINE_RDAP_BOOTSTRAP_URL",
    )
)

# Big request bodies are streamed to disk, never held in memory (see index/upload).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest distribution file accepted by /legacy/ (streamed to a temporary file, hashed on
# the way; see lifeline/index/upload/handlers.py).
LIFELINE_UPLOAD_MAX_BYTES = env_int("LIFELINE_UPLOAD_MAX_BYTES", 100 * 1024 * 1024)
# Failed token authentications on /legacy/ per client IP before it answers 429 for a while.
LIFELINE_UPLOAD_AUTH_FAILURES = env("LIFELINE_UPLOAD_AUTH_FAILURES", "30/5m")

# --- Trusted publishing (docs/publishing.md) ---------------------------------------------------
# Defaults in lifeline/tokens/publishing/conf.py: the GitHub and GitLab issuers (change them for
# GitHub Enterprise or a self-hosted GitLab), the audience (this site's host name), minted token
# minutes, pending publisher days, the mint rate limit.
globals().update(
    env_overrides(
        "LIFELINE_OIDC_GITHUB_ISSUER",
        "LIFELINE_OIDC_GITLAB_ISSUER",
        "LIFELINE_OIDC_AUDIENCE",
        "LIFELINE_OIDC_TOKEN_MINUTES",
        "LIFELINE_OIDC_PENDING_DAYS",
        "LIFELINE_OIDC_MINT_RATE_LIMIT",
    )
)

# --- HTTP security ----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The session store keeps a session this long after its last write; Lifeline ends it sooner:
# after LIFELINE_SESSION_IDLE_TIMEOUT without a request (12 h) and LIFELINE_SESSION_MAX_AGE
# after the sign-in (14 days, = this), defaults in lifeline/accounts/conf.py (W003 checks them).
SESSION_COOKIE_AGE = 14 * 24 * 3600
globals().update(env_overrides("LIFELINE_SESSION_IDLE_TIMEOUT", "LIFELINE_SESSION_MAX_AGE"))
CSRF_FAILURE_VIEW = "lifeline.core.views.csrf_failure"
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("LIFELINE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("LIFELINE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("LIFELINE_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if ALLAUTH_TRUSTED_PROXY_COUNT:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Load balancers probe health (and Prometheus scrapes) over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^_health/", r"^metrics$"]
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a one-way decision for the operator's whole domain (hstspreload.org);
        # opt in with LIFELINE_HSTS_PRELOAD=1. Everything else `check --deploy` asks is on.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Account recovery and the desk (docs/recovery.md) ------------------------------------------
# Defaults, with what each means, in lifeline/recovery/conf.py (which converts the type).
globals().update(
    env_overrides(
        "LIFELINE_CODE_OF_CONDUCT_URL",  # shown as a link on the request form; never fetched
        "LIFELINE_RECOVERY_SUBMITTED_TTL_HOURS",
        "LIFELINE_RECOVERY_COOLING_OFF_STRONG_HOURS",
        "LIFELINE_RECOVERY_COOLING_OFF_HOURS",
        "LIFELINE_RECOVERY_CRITICAL_RELEASES",
        "LIFELINE_RECOVERY_CRITICAL_MAINTAINERS",
        "LIFELINE_RECOVERY_MIN_JUSTIFICATION",
        "LIFELINE_RECOVERY_OWNER_ALERTS_PER_DAY",
        "LIFELINE_RECOVERY_CANCEL_LINK_DAYS",
        "LIFELINE_RECOVERY_EMAIL_CODE_DIGITS",
        "LIFELINE_RECOVERY_FETCHER",
        "LIFELINE_RECOVERY_FETCH_ALLOW_PRIVATE",  # tests and local development ONLY
        "LIFELINE_RECOVERY_AUTO_APPROVE",
        "LIFELINE_RECOVERY_RESTORE_LINK_HOURS",
        "LIFELINE_RECOVERY_NEEDS_INFO_DAYS",
        "LIFELINE_DESK_SLA_DAYS",
        "LIFELINE_DEVICE_COOKIE_DAYS",
    )
)

# --- i18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Operations: logs, metrics ------------------------------------------------------------
# JSON logs with request ids, secrets redacted (lifeline/ops/logging_config.py).
LIFELINE_LOG_FORMAT = env("LIFELINE_LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = build_logging(
    log_format=LIFELINE_LOG_FORMAT,
    level=env("LOG_LEVEL", "INFO"),
    access_level=env("LIFELINE_ACCESS_LOG_LEVEL", "INFO"),
)
# Error reports scrub every sensitive-looking POST field, variable and value, decorated or not.
DEFAULT_EXCEPTION_REPORTER_FILTER = "lifeline.ops.reporting.SafeReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "lifeline.ops.reporting.SafeExceptionReporter"
# /metrics: a bearer token and/or client networks (CIDRs) allowed to scrape.
LIFELINE_METRICS_TOKEN = env("LIFELINE_METRICS_TOKEN")
LIFELINE_METRICS_ALLOW_IPS = env_list("LIFELINE_METRICS_ALLOW_IPS")
# Several processes (gunicorn workers): counters go through files in PROMETHEUS_MULTIPROC_DIR,
# made by gunicorn.conf.py and lifeline/ops/metrics.py.
