"""Security events in words: each tag with what its details say.

The history page and the desk's account timeline show ``describe(event)``, never a bare tag
label ("Account recovery request updated" three times says nothing) nor a Python repr.

Tags of this app's neighbours are described here from their details alone. An app above
``events`` whose details need its own vocabulary (recovery state and proof names) registers
a describer with :func:`register` from its ``AppConfig.ready``, so this module never imports
it. Staff justifications are internal to the desk and never shown here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from lifeline.core.humanize import humanize_details, humanize_duration, humanize_value
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag

logger = logging.getLogger(__name__)

# details -> the sentence after the label ("" when there is nothing to add).
Describer = Callable[[Mapping[str, Any]], str]

_DESCRIBERS: dict[str, tuple[Describer, bool]] = {}

# Keys never shown to people: internal ids, staff-only text, digests.
HIDDEN_KEYS = (
    "justification",
    "authenticator_id",
    "user_id",
    "device",
    "public_id",
    "token_public_id",
    "sha256",
    "request",
    "actor_kind",
    "method",
    "home_page",
    "project_urls",
    "files",
)

METHOD_NAMES = {
    "password": "password",
    "totp": "authenticator app",
    "webauthn": "security key",
    "recovery_codes": "recovery code",
}


def register(tag: str, describer: Describer, *, whole_line: bool = False) -> None:
    """Describe ``tag``'s details with ``describer`` (called by higher apps at start-up).

    The describer's text follows the tag's label ("Email address added: a@example.com"),
    or with ``whole_line`` replaces it ("Recovery request R-1: open → denied").
    """
    _DESCRIBERS[str(tag)] = (describer, whole_line)


def _generic(details: Mapping[str, Any]) -> str:
    shown = humanize_details(dict(details), skip=HIDDEN_KEYS)
    return "; ".join(f"{label}: {value}" for label, value in shown if value != "—")


def describe(event: SecurityEvent) -> str:
    """The event as one line: its label, then its details in words."""
    details = event.details if isinstance(event.details, dict) else {}
    describer, whole_line = _DESCRIBERS.get(event.tag, (_generic, False))
    try:
        extra = describer(details)
    except Exception:  # a malformed old row must not break the history page
        logger.warning("Could not describe event %s", event.pk, exc_info=True)
        extra = ""
    if whole_line and extra:
        return extra
    if event.project and event.tag.startswith("project:"):
        extra = f"{event.project} {extra}".strip()
    label = event.label
    if not extra:
        return label
    return f"{label}: {extra}"


# --- describers for the tags whose details need more than labels -------------------------------


def _email(details: Mapping[str, Any]) -> str:
    return str(details.get("email") or "")


def _from_to(details: Mapping[str, Any]) -> str:
    before, after = details.get("from"), details.get("to")
    if before and after:
        return f"{humanize_value(before)} → {humanize_value(after)}"
    return humanize_value(after) if after else ""


def _factor(details: Mapping[str, Any]) -> str:
    name = details.get("name")
    if not name:
        return ""
    return f"“{name}”" + (" (passkey)" if details.get("passkey") else "")


def _codes(details: Mapping[str, Any]) -> str:
    count = details.get("count")
    return "" if count is None else f"{count} unused code{'' if count == 1 else 's'}"


def _code_used(details: Mapping[str, Any]) -> str:
    left = details.get("remaining")
    return "" if left is None else f"{left} code{'' if left == 1 else 's'} left"


def _method(details: Mapping[str, Any]) -> str:
    method = details.get("method")
    return f"with {METHOD_NAMES.get(str(method), humanize_value(method))}" if method else ""


def _lockout(details: Mapping[str, Any]) -> str:
    wait = details.get("retry_after_seconds")
    return f"blocked for {humanize_duration(wait)}" if wait else ""


def _sessions(details: Mapping[str, Any]) -> str:
    if details.get("session_ip"):
        return f"the session from {details['session_ip']}"
    count = details.get("count")
    if count is None:
        return ""
    return f"{count} other session{'' if count == 1 else 's'}"


def _token(details: Mapping[str, Any]) -> str:
    name = details.get("token_name")
    scope = details.get("scope")
    parts = [f"“{name}”"] if name else []
    if scope:
        parts.append("for all projects" if scope == "all" else f"for project {scope}")
    return " ".join(parts)


def _role(details: Mapping[str, Any]) -> str:
    who, role = details.get("username"), details.get("role")
    if who and role:
        return f"{who} as {humanize_value(role)}"
    return str(who or "")


def _version(details: Mapping[str, Any]) -> str:
    version = details.get("version")
    text = f"version {version}" if version else ""
    if details.get("filename"):
        text = str(details["filename"])
    if details.get("reason"):
        text += f" (reason: {details['reason']})"
    return text


def _critical(details: Mapping[str, Any]) -> str:
    if "critical" not in details:
        return ""
    return "recovery now needs two approvers" if details["critical"] else "flag removed"


def _device(details: Mapping[str, Any]) -> str:
    return str(details.get("browser") or "")


def _staff_role(details: Mapping[str, Any]) -> str:
    before, after = details.get("from") or "no role", details.get("to") or "no role"
    return f"{before} → {after}"


for _tag, _fn in {
    EventTag.EMAIL_ADD: _email,
    EventTag.EMAIL_VERIFY: _email,
    EventTag.EMAIL_REMOVE: _email,
    EventTag.EMAIL_PRIMARY: _from_to,
    EventTag.WEBAUTHN_ADD: _factor,
    EventTag.WEBAUTHN_REMOVE: _factor,
    EventTag.WEBAUTHN_RENAME: _from_to,
    EventTag.TOTP_ADD: lambda d: "",
    EventTag.TOTP_REMOVE: lambda d: "",
    EventTag.RECOVERY_CODES_GENERATE: _codes,
    EventTag.RECOVERY_CODES_REGENERATE: _codes,
    EventTag.RECOVERY_CODES_CONFIRM: lambda d: "",
    EventTag.RECOVERY_CODE_USE: _code_used,
    EventTag.LOGIN_FAILURE: _method,
    EventTag.MFA_FAILURE: _method,
    EventTag.MFA_LOCKOUT: _lockout,
    EventTag.SESSION_END: _sessions,
    EventTag.TOKEN_CREATE: _token,
    EventTag.TOKEN_USE: _token,
    EventTag.TOKEN_REVOKE: _token,
    EventTag.ROLE_ADD: _role,
    EventTag.ROLE_REMOVE: _role,
    EventTag.ROLE_CHANGE: _role,
    EventTag.PROJECT_CREATE: lambda d: "",
    EventTag.RELEASE_ADD: _version,
    EventTag.RELEASE_FILE_ADD: _version,
    EventTag.RELEASE_YANK: _version,
    EventTag.RELEASE_UNYANK: _version,
    EventTag.RELEASE_DELETE: _version,
    EventTag.DEVICE_FORGET: _device,
    EventTag.STAFF_FREEZE: lambda d: "",
    EventTag.STAFF_UNFREEZE: lambda d: "",
    EventTag.STAFF_END_SESSIONS: lambda d: "",
    EventTag.STAFF_CRITICAL: _critical,
    EventTag.STAFF_ROLE_GRANT: _staff_role,
    EventTag.STAFF_ROLE_REVOKE: _staff_role,
}.items():
    register(_tag, _fn)
