"""Core settings: paths, secrets, hosts, apps, middleware and templates.

Part of the settings package (``lifeline.settings``, which imports every part); the
environment drives each value, docs/deploy.md lists them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from lifeline.core.dev_secrets import dev_secret
from lifeline.core.env import env, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # the repository
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
