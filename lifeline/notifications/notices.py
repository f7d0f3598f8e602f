"""Which emails are security notices: they tell someone about a change to their account.

Every notice ends with a "This wasn't me?" link to a page that says what to do next, and a
reply to it reaches support (``LIFELINE_SUPPORT_EMAIL``) instead of a no-reply address.
Emails that ask the reader to do something themselves (verify an address, reset a password,
follow a recovery request they filed) are not notices and stay uncluttered.

The names are template names, not imports, so apps higher up add theirs here without this
module depending on them. tests/notifications/test_templates.py makes every new email
template be classified, one way or the other.
"""

from __future__ import annotations

SECURITY_NOTICES: frozenset[str] = frozenset(
    {
        # accounts
        "account_admin_change",
        "account_deleted",
        "account_email_changed",
        "account_email_confirm",
        "account_email_deleted",
        "account_password_changed",
        "account_password_reset",
        "account_password_set",
        "account_sessions_ended",  # staff signed the account out everywhere
        "mfa_failed_attempts",
        "mfa_method_added",
        "mfa_method_removed",
        "mfa_recovery_code_used",
        "mfa_recovery_codes_confirmed",
        "mfa_recovery_codes_generated",
        # checkup: an address stopped being trusted (bounces, lapsed domain)
        "email_address_unverified",
        "new_device_signin",  # a full login from a browser the account had not used
        "recovery_contact_added",  # a recovery contact link was made (both sides)
        "recovery_contact_removed",  # ... or ended, declined (both sides)
        # tokens
        "api_token_created",
        "api_token_revoked",
        "trusted_publisher_changed",
        # recovery: what the account's owner is told
        "recovery_owner_alert",
        "recovery_cooling_off_owner",
        "recovery_email_code",
        "recovery_account_recovered",
        "recovery_force_reset",
        "recovery_contested_owner",
        "recovery_owner_digest",
        "recovery_password_changed_during_request",
    }
)

# Reminders ask the reader to improve their own account (lifeline/checkup/reminders.py):
# not notices, and each kind can be turned off by the reader.
REMINDERS: frozenset[str] = frozenset(
    {
        "checkup_reminder_no_2fa",
        "checkup_reminder_codes_unconfirmed",
        "checkup_reminder_codes_low",
        "checkup_reminder_addresses",
        "checkup_reminder_review",
        "checkup_reminder_stale_tokens",
    }
)


def is_security_notice(template: str) -> bool:
    return template in SECURITY_NOTICES
