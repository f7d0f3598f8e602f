"""Accounts: django-allauth, second factors, passwords (part of ``lifeline.settings``).

allauth reads these names from django.conf.settings, so they are settings, not an app's
``conf.py`` defaults; Lifeline's own account defaults live in lifeline/accounts/conf.py.
"""

from __future__ import annotations

from lifeline.core.env import env, env_bool, env_int, env_list
from lifeline.settings.base import LIFELINE_SITE_NAME, PRODUCTION

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
