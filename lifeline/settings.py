"""Lifeline settings: one module, driven by environment variables with embedded defaults.

Out of the box (no environment at all) Lifeline runs on an SQLite file under ``var/``, the
database cache, file storage under ``var/files`` and an outbox that keeps emails in the
database so a newcomer can read them at ``/_dev/outbox/``. Every production concern is
switched on from the environment; see docs/deploy.md for the full list.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from lifeline.core.dev_secrets import dev_secret
from lifeline.core.env import env, env_bool, env_int, env_list, env_overrides
from lifeline.ops.logging_config import build_logging

BASE_DIR = Path(__file__).resolve().parent.parent
# Importing this module creates nothing: VAR_DIR is made when Django starts (CoreConfig.ready)
# and a development secret file when the secret is first used (lifeline/core/dev_secrets.py).
VAR_DIR = Path(os.environ.get("LIFELINE_VAR_DIR", BASE_DIR / "var"))


def _secret_from_var(filename: str, make: Callable[[], str]) -> str:
    return dev_secret(VAR_DIR / filename, make)


# --- Core -------------------------------------------------------------------------------
DEBUG = env_bool("LIFELINE_DEBUG", env_bool("DEBUG", False))
# Production mode refuses to invent secrets: they must come from the environment.
PRODUCTION = env_bool("LIFELINE_PRODUCTION", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production.")
    SECRET_KEY = _secret_from_var("secret_key", lambda: secrets.token_urlsafe(50))
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

# Fernet keys for secrets at rest (TOTP secrets, recovery-code seeds, queued emails).
# The first key encrypts; all keys decrypt. Rotate by putting a new key first.
LIFELINE_ENCRYPTION_KEYS = env_list("LIFELINE_ENCRYPTION_KEYS")
if not LIFELINE_ENCRYPTION_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured("LIFELINE_ENCRYPTION_KEYS must be set in production.")

    def _fernet_key() -> str:
        from cryptography.fernet import Fernet

        return Fernet.generate_key().decode()

    LIFELINE_ENCRYPTION_KEYS = [_secret_from_var("encryption_key", _fernet_key)]

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public base URL, used in emails and in the footer that names the domain links point to.
# Development: `lifeline serve --port N` sets it to http://localhost:N for everything it
# starts. Production has no default: the lifeline.E001 system check refuses to start.
_DEV_BASE_URL = "" if PRODUCTION else "http://localhost:8000"
LIFELINE_BASE_URL = env("LIFELINE_BASE_URL", _DEV_BASE_URL).rstrip("/")
LIFELINE_SITE_NAME = env("LIFELINE_SITE_NAME", "Lifeline")
# Where people write when something is wrong with their account (security notices name it
# and reply to it). Production has no default: the lifeline.E002 system check requires it.
_BASE_HOST = urlsplit(LIFELINE_BASE_URL).hostname or "localhost"
_DEV_SUPPORT_EMAIL = "" if PRODUCTION else f"support@{_BASE_HOST}"
LIFELINE_SUPPORT_EMAIL = env("LIFELINE_SUPPORT_EMAIL", _DEV_SUPPORT_EMAIL)

INSTALLED_APPS = [
    # django.contrib.admin, with a site that keeps security models read-only and audits the
    # rest (lifeline/accounts/admin_lockdown.py).
    "lifeline.accounts.admin_lockdown.LifelineAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_tasks_db",
    "lifeline.core",
    "lifeline.events",
    "lifeline.notifications",
    "lifeline.accounts",
    "lifeline.checkup",
    "lifeline.tokens",
    "lifeline.index",
    "lifeline.recovery",
    "lifeline.desk",
    "lifeline.ops",
]

MIDDLEWARE = [
    # Request id + access log + request metrics (and /_health/*, answered before host checks).
    "lifeline.ops.middleware.RequestLogMiddleware",
    # The database is away: a clean 503, not a 500 (docs/deploy.md).
    "lifeline.ops.middleware.DatabaseUnavailableMiddleware",
    # The simple API (pip, uv) skips sessions/auth/CSRF: see lifeline/index/simple/middleware.py.
    "lifeline.index.simple.middleware.SimpleApiMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lifeline.core.middleware.ClientContextMiddleware",
    "lifeline.core.middleware.RejectNullCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends sessions idle too long or too old (ASVS 7.3.1/7.3.2), before usersessions records use.
    "lifeline.accounts.session_limits.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "lifeline.accounts.mfa.middleware.Require2FAMiddleware",
]

ROOT_URLCONF = "lifeline.urls"
WSGI_APPLICATION = "lifeline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "lifeline" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lifeline.core.context_processors.site",
                "lifeline.core.context_processors.banners",
            ],
        },
    },
]

# Apps contribute site-wide banners (e.g. "save your recovery codes") through these.
LIFELINE_BANNER_PROVIDERS: list[str] = [
    "lifeline.accounts.mfa.banners.mfa_banners",
    "lifeline.recovery.banners.owner_recovery_banners",
    "lifeline.checkup.banners.unverified_address_banners",
    "lifeline.checkup.contacts_views.invitation_banners",
    "lifeline.recovery.vouch_views.vouch_banners",
]

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

# --- Accounts (django-allauth) ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# One backend, one password hash per attempt, known account or not (no timing oracle).
AUTHENTICATION_BACKENDS = ["lifeline.accounts.auth_backend.LoginBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "account_security"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "lifeline.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "lifeline.accounts.forms.SignupForm",
    "reset_password": "lifeline.accounts.forms.ResetPasswordForm",
}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
# Stored (not HMAC) keys, so unverifying an address can revoke its old links
# (lifeline/checkup/stale_links.py).
ACCOUNT_EMAIL_CONFIRMATION_HMAC = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_MAX_EMAIL_ADDRESSES = 5
# A sign-up that confirmed no address is deleted after this long (lifeline/accounts/jobs.py):
# 72 h is the lifetime of the confirmation link, so nothing confirmable is lost.
LIFELINE_UNVERIFIED_SIGNUP_TTL_HOURS = env_int("LIFELINE_UNVERIFIED_SIGNUP_TTL_HOURS", 72)
ACCOUNT_CHANGE_EMAIL = False
ACCOUNT_USERNAME_MIN_LENGTH = 1
ACCOUNT_USERNAME_VALIDATORS = "lifeline.accounts.validators.username_validators"
ACCOUNT_PRESERVE_USERNAME_CASING = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Sudo mode: a recent password (or second factor) is needed for sensitive changes.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# Sudo mode lasts at most 10 minutes, whatever the environment asks for.
ACCOUNT_REAUTHENTICATION_TIMEOUT = min(env_int("LIFELINE_SUDO_SECONDS", 600), 600)
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("LIFELINE_TRUSTED_PROXY_COUNT", 0)
USERSESSIONS_TRACK_ACTIVITY = True

MFA_ADAPTER = "lifeline.accounts.mfa.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_PASSKEY_SIGNUP_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("LIFELINE_WEBAUTHN_INSECURE_ORIGIN", not PRODUCTION)
MFA_TOTP_TOLERANCE = 1
MFA_RECOVERY_CODE_COUNT = 10
# 20 digits = 66 bits a code (allauth's 8 are ~27 bits, below NIST 800-63B-4 and PyPI's 64).
MFA_RECOVERY_CODE_DIGITS = 20
# Let 2FA users add addresses (several verified ones help recovery); mandatory verification
# with no login on confirmation already closes the squatting attack allauth's rule prevents.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_FORMS = {
    "authenticate": "lifeline.accounts.mfa.forms.AuthenticateForm",
    "reauthenticate": "lifeline.accounts.mfa.forms.ReauthenticateForm",
    "activate_totp": "lifeline.accounts.mfa.forms.ActivateTOTPForm",
    "authenticate_webauthn": "lifeline.accounts.mfa.forms.AuthenticateWebAuthnForm",
    "reauthenticate_webauthn": "lifeline.accounts.mfa.forms.ReauthenticateWebAuthnForm",
    "login_webauthn": "lifeline.accounts.mfa.forms.LoginWebAuthnForm",
    "edit_webauthn": "lifeline.accounts.mfa.forms.EditWebAuthnForm",
}
MFA_TOTP_ISSUER = LIFELINE_SITE_NAME

# 2FA is required to publish, manage projects and tokens.
LIFELINE_REQUIRE_2FA = env_bool("LIFELINE_REQUIRE_2FA", True)
# While 2FA is required, a signed-in user without it reaches only these paths (prefixes),
# minus the blocked ones; the public read-only pages are reachable with GET/HEAD only.
LIFELINE_2FA_EXEMPT_PREFIXES = [
    "/account/",
    "/_dev/",
    "/static/",
    "/recovery/",
    "/_health/",
    "/metrics",
    "/simple/",
    "/files/",
    "/legacy/",
    "/favicon",
    "/robots.txt",
]
LIFELINE_2FA_BLOCKED_PREFIXES = ["/account/tokens/"]
LIFELINE_2FA_READ_ONLY_PREFIXES = ["/projects/", "/project/", "/user/", "/search/"]
# Second-factor attempts (codes, keys, and the "I saved my codes" check), per user and IP.
LIFELINE_2FA_RATE_LIMITS = {
    "user": env_list("LIFELINE_2FA_RATE_LIMIT_USER", "5/5m,20/h"),
    "ip": env_list("LIFELINE_2FA_RATE_LIMIT_IP", "20/5m,100/h"),
}
# Email every verified address after this many failed second-factor attempts in an hour.
LIFELINE_2FA_FAILURE_ALERT_AFTER = 3
# Prompt to regenerate recovery codes when this many or fewer are left.
LIFELINE_RECOVERY_CODES_LOW = 2

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# No composition rules (ASVS 6.2.5, NIST SP 800-63B): length, the common-password list, the
# breached check and similarity to the account's own details; a long all-digit password is fine.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "lifeline.accounts.passwords.MaximumLengthValidator"},
    {"NAME": "lifeline.accounts.passwords.ContextWordsValidator"},
    {"NAME": "lifeline.accounts.passwords.BreachedPasswordValidator"},
]
# Pluggable breached-password check: "null" (default) or "hibp" (k-anonymity range API);
# "null" in production is the system check warning lifeline.W002 (ASVS 6.2.12).
LIFELINE_BREACHED_PASSWORD_BACKEND = env("LIFELINE_BREACHED_PASSWORD_BACKEND", "null")
LIFELINE_BREACHED_PASSWORD_URL = env(
    "LIFELINE_BREACHED_PASSWORD_URL", "https://api.pwnedpasswords.com/range/"
)

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
