"""Recovery's words for people: short state names, proof names, desk actions, and the
describers of recovery's security events (registered with ``lifeline.events.display`` at
start-up, so the history page reads "Recovery request R-1A2B3C4D: open → approved
(cooling-off)" instead of "Account recovery request updated").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lifeline.core.humanize import humanize_value
from lifeline.events import display as events_display
from lifeline.events.tags import EventTag
from lifeline.recovery.states import State

# Short state names for sentences and the audit trail (State's labels speak to the requester).
STATE_NAMES: dict[str, str] = {
    State.SUBMITTED: "submitted (contact address unconfirmed)",
    State.OPEN: "open",
    State.NEEDS_INFO: "waiting for the requester",
    State.APPROVED: "approved (cooling-off)",
    State.READY: "restore link sent",
    State.COMPLETED: "completed (account restored)",
    State.DENIED: "denied",
    State.WITHDRAWN: "withdrawn",
    State.CANCELLED_BY_OWNER: "cancelled by the owner",
    State.EXPIRED: "expired",
}

PROOF_NAMES: dict[str, str] = {
    "api_token": "API token proof",
    "repository": "Repository file proof",
    "device": "Known browser proof",
    "password": "Current password proof",
    "email_code": "Emailed code proof",
    "knowledge": "Account knowledge answers",
}

# Desk actions that keep the state (``details["action"]`` of the audit row and the event).
ACTION_NAMES: dict[str, str] = {
    "assign": "Assigned",
    "escalate": "Escalated to a desk admin",
    "approve": "Approval recorded",
    "resend_restore_link": "New restore link sent",
    "contested": "Marked contested",
    "approve_refused": "Approval refused",
}

ACTOR_KINDS: dict[str, str] = {
    "requester": "the requester",
    "owner": "the account owner",
    "staff": "support",
    "policy": "automatic policy",
    "system": "the system",
}


def state_name(value: str) -> str:
    return STATE_NAMES.get(value, str(value).replace("_", " "))


def proof_name(method: str) -> str:
    return PROOF_NAMES.get(method, str(method).replace("_", " ").capitalize() + " proof")


def action_name(action: str) -> str:
    return ACTION_NAMES.get(action, str(action).replace("_", " ").capitalize())


def _request(details: Mapping[str, Any]) -> str:
    ref = details.get("request")
    return f"Recovery request {ref}" if ref else "Recovery request"


def _transition(details: Mapping[str, Any]) -> str:
    if not details.get("to"):
        return ""  # an old or malformed row: the tag's label says what is known
    change = f"{state_name(details.get('from', ''))} → {state_name(details.get('to', ''))}"
    text = f"{_request(details)}: {change}"
    if details.get("reason"):
        text += f" ({details['reason']})"
    return text


def _proof(details: Mapping[str, Any]) -> str:
    if not details.get("method"):
        return ""
    outcome = "succeeded" if details.get("result") == "ok" else "failed"
    return f"{_request(details)}: {proof_name(str(details.get('method', '')))} {outcome}"


def _submitted(details: Mapping[str, Any]) -> str:
    return f"{_request(details)} filed" + (
        f" (added to {details['attached_to']})" if details.get("attached_to") else ""
    )


def _desk_action(details: Mapping[str, Any]) -> str:
    action = str(details.get("action", ""))
    text = f"{_request(details)}: {action_name(action).lower()} by support"
    if action == "assign" and details.get("assignee"):
        text = f"{_request(details)}: assigned to {details['assignee']} (support)"
    if action == "approve" and details.get("approval") and details.get("needed"):
        text += f" ({details['approval']} of {details['needed']})"
    return text


def _restored(details: Mapping[str, Any]) -> str:
    parts = []
    if details.get("primary_email"):
        parts.append(f"new primary address {details['primary_email']}")
    if details.get("removed_2fa") is not None:
        parts.append(f"two-factor methods removed: {humanize_value(details['removed_2fa'])}")
    if details.get("sessions_ended") is not None:
        parts.append(f"sessions ended: {details['sessions_ended']}")
    if details.get("tokens") == "revoke":
        parts.append(f"API tokens revoked: {details.get('tokens_revoked', 0)}")
    elif details.get("tokens"):
        parts.append("API tokens kept")
    ref = f" through request {details['request']}" if details.get("request") else ""
    return f"Account recovered{ref}" + (f": {'; '.join(parts)}" if parts else "")


def _refused(details: Mapping[str, Any]) -> str:
    rule = str(details.get("rule") or "").replace("_", " ")
    return f"{_request(details)}: an approval was refused" + (f" ({rule})" if rule else "")


def register_event_describers() -> None:
    refused = getattr(EventTag, "RECOVERY_APPROVAL_REFUSED", None)  # added with issue 11
    if refused is not None:
        events_display.register(refused, _refused, whole_line=True)
    for tag, describer in {
        EventTag.RECOVERY_SUBMIT: _submitted,
        EventTag.RECOVERY_TRANSITION: _transition,
        EventTag.RECOVERY_CANCEL: _transition,
        EventTag.RECOVERY_PROOF: _proof,
        EventTag.RECOVERY_DESK_ACTION: _desk_action,
        EventTag.RECOVERY_RESTORE: _restored,
    }.items():
        events_display.register(tag, describer, whole_line=True)
