"""The case thread: messages between the requester and support."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from lifeline.recovery import notify
from lifeline.recovery.models import RecoveryMessage, RecoveryRequest
from lifeline.recovery.proofs.common import ProofRefused, limit
from lifeline.recovery.states import TERMINAL_STATES, State
from lifeline.recovery.transition import recovery_transition

MAX_MESSAGE_LENGTH = 5000


def recovery_message_post(
    *,
    request_obj: RecoveryRequest,
    body: str,
    author_kind: str,
    author: Any | None = None,
) -> RecoveryMessage:
    """Add a message to the case thread.

    A support message emails the requester (with the status link) and counts as the first
    response. A requester's reply to a request waiting for information puts it back in the
    queue (``needs_info`` → ``open``).
    """
    body = (body or "").strip()
    if not body:
        raise ProofRefused("empty", "Write a message first.")
    if len(body) > MAX_MESSAGE_LENGTH:
        raise ProofRefused("too_long", f"Keep messages under {MAX_MESSAGE_LENGTH} characters.")
    if request_obj.state in TERMINAL_STATES:
        raise ProofRefused("closed", "This request is closed.")
    if author_kind == RecoveryMessage.AuthorKind.REQUESTER:
        limit("reply", [(str(request_obj.pk), "reply")])
    with transaction.atomic():
        message = RecoveryMessage.objects.create(
            request=request_obj,
            author_kind=author_kind,
            author=author if getattr(author, "pk", None) else None,
            body=body,
        )
        if author_kind == RecoveryMessage.AuthorKind.STAFF:
            if request_obj.first_response_at is None:
                RecoveryRequest.objects.filter(pk=request_obj.pk).update(
                    first_response_at=timezone.now()
                )
            notify.support_message(request_obj, message)
        elif request_obj.state == State.NEEDS_INFO:
            recovery_transition(
                request_obj=request_obj,
                to_state=State.OPEN,
                actor=None,
                actor_kind="requester",
                details={"reason": "requester replied"},
            )
    return message
