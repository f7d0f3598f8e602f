"""Every security event tag, as ``source:subject:action`` (Warehouse's EventTag)."""

from django.db import models


class EventTag(models.TextChoices):
    # account: sign-in and credentials
    ACCOUNT_CREATED = "account:account:create", "Account created"
    LOGIN_SUCCESS = "account:login:success", "Signed in"
    LOGIN_FAILURE = "account:login:failure", "Failed sign-in attempt"
    LOGOUT = "account:logout:success", "Signed out"
    PASSWORD_CHANGE = "account:password:change", "Password changed"
    PASSWORD_RESET_REQUEST = "account:password:reset_request", "Password reset requested"
    PASSWORD_RESET = "account:password:reset", "Password reset"
    PASSWORD_SET = "account:password:set", "Password set"
    EMAIL_ADD = "account:email:add", "Email address added"
    EMAIL_VERIFY = "account:email:verify", "Email address verified"
    EMAIL_REMOVE = "account:email:remove", "Email address removed"
    EMAIL_PRIMARY = "account:email:primary_change", "Primary email address changed"
    EMAIL_UNVERIFY = "account:email:unverify", "Email address no longer verified"
    REAUTHENTICATED = "account:sudo:enter", "Confirmed identity for a sensitive action"
    SESSION_END = "account:session:end", "Session ended"
    ACCOUNT_DELETE = "account:account:delete", "Account deleted"
    SIGNUP_EXPIRED = "account:account:expire", "Unverified sign-up expired"
    # account: two-factor authentication
    TOTP_ADD = "account:totp:add", "Authenticator app added"
    TOTP_REMOVE = "account:totp:remove", "Authenticator app removed"
    WEBAUTHN_ADD = "account:webauthn:add", "Security key added"
    WEBAUTHN_REMOVE = "account:webauthn:remove", "Security key removed"
    WEBAUTHN_RENAME = "account:webauthn:rename", "Security key renamed"
    RECOVERY_CODES_GENERATE = "account:recovery_codes:generate", "Recovery codes generated"
    RECOVERY_CODES_REGENERATE = "account:recovery_codes:regenerate", "Recovery codes regenerated"
    RECOVERY_CODES_CONFIRM = "account:recovery_codes:confirm", "Saved recovery codes confirmed"
    RECOVERY_CODE_USE = "account:recovery_codes:use", "Recovery code used to sign in"
    MFA_FAILURE = "account:2fa:failure", "Failed second-factor attempt"
    MFA_LOCKOUT = "account:2fa:lockout", "Second-factor attempts locked out"
    DEVICE_FORGET = "account:device:forget", "Device forgotten"
    DEVICE_NEW = "account:device:new", "Signed in from a new device"
    # recovery contacts (lifeline/checkup/contacts*.py)
    CONTACT_INVITE = "account:recovery_contact:invite", "Recovery contact invited"
    CONTACT_ACCEPT = "account:recovery_contact:accept", "Recovery contact accepted"
    CONTACT_DECLINE = "account:recovery_contact:decline", "Recovery contact invitation declined"
    CONTACT_REMOVE = "account:recovery_contact:remove", "Recovery contact removed"
    VOUCH_REQUEST = "account:recovery_vouch:request", "Recovery contact asked to vouch"
    VOUCH_ANSWER = "account:recovery_vouch:answer", "Recovery contact answered a vouch request"
    # security checkup (lifeline/checkup)
    CHECKUP_REVIEW = "account:checkup:review", "Security checkup reviewed"
    CHECKUP_REMINDER = "account:checkup:reminder", "Security checkup reminder sent"
    CHECKUP_UNSUBSCRIBE = "account:checkup:unsubscribe", "Checkup reminder turned off"
    CHECKUP_RESUBSCRIBE = "account:checkup:resubscribe", "Checkup reminder turned back on"
    # API tokens
    TOKEN_CREATE = "account:api_token:create", "API token created"
    TOKEN_USE = "account:api_token:use", "API token used"
    TOKEN_REVOKE = "account:api_token:revoke", "API token revoked"
    # projects
    PROJECT_CREATE = "project:project:create", "Project created"
    RELEASE_ADD = "project:release:add", "Release added"
    RELEASE_FILE_ADD = "project:file:add", "File uploaded"
    RELEASE_YANK = "project:release:yank", "Release yanked"
    RELEASE_UNYANK = "project:release:unyank", "Release un-yanked"
    RELEASE_DELETE = "project:release:delete", "Release deleted"
    ROLE_ADD = "project:role:add", "Maintainer added"
    ROLE_REMOVE = "project:role:remove", "Maintainer removed"
    ROLE_CHANGE = "project:role:change", "Role changed"
    # trusted publishing (lifeline/tokens/publishing)
    PUBLISHER_ADD = "project:publisher:add", "Trusted publisher added"
    PUBLISHER_REMOVE = "project:publisher:remove", "Trusted publisher removed"
    PENDING_PUBLISHER_ADD = "account:pending_publisher:add", "Pending trusted publisher added"
    PENDING_PUBLISHER_REMOVE = (
        "account:pending_publisher:remove",
        "Pending trusted publisher removed",
    )
    PENDING_PUBLISHER_EXPIRE = (
        "account:pending_publisher:expire",
        "Pending trusted publisher expired",
    )
    OIDC_MINT = "publishing:oidc:mint", "Upload token minted by a trusted publisher"
    OIDC_REFUSE = "publishing:oidc:refuse", "Trusted publishing token request refused"
    # recovery
    RECOVERY_SUBMIT = "account:recovery:submit", "Account recovery requested"
    RECOVERY_TRANSITION = "account:recovery:transition", "Account recovery request updated"
    RECOVERY_CANCEL = "account:recovery:cancel_by_owner", "Account recovery cancelled by owner"
    RECOVERY_PROOF = "account:recovery:proof", "Recovery proof attempted"
    RECOVERY_RESTORE = "account:recovery:restore", "Account recovered"
    RECOVERY_CONTESTED = "account:recovery:contested", "Competing recovery request: case contested"
    RECOVERY_APPROVAL_REFUSED = (
        "account:recovery:approval_refused",
        "A support approval was refused by the rules",
    )
    # staff
    STAFF_FREEZE = "staff:account:freeze", "Account frozen by staff"
    STAFF_UNFREEZE = "staff:account:unfreeze", "Account unfrozen by staff"
    STAFF_CRITICAL = "staff:account:critical", "Account marked critical"
    STAFF_FORCE_RESET = "staff:account:force_password_reset", "Password reset forced by staff"
    STAFF_END_SESSIONS = "staff:account:end_sessions", "Signed out everywhere by staff"
    # support desk
    RECOVERY_DESK_ACTION = "account:recovery:desk_action", "Support acted on a recovery request"
    STAFF_ROLE_GRANT = "staff:role:grant", "Staff role granted"
    STAFF_ROLE_REVOKE = "staff:role:revoke", "Staff role removed"
    STAFF_ROLE_PROPOSE = "staff:role:propose", "Staff role proposed, awaiting a second admin"
    STAFF_ADMIN_CHANGE = "staff:admin:change", "Changed through the Django admin"
