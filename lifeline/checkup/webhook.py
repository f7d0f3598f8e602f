"""``POST /_/email/events``: bounces and complaints from the mail provider (docs/email-events.md).

Sessionless (declared in ``lifeline.index.simple.middleware``): no cookie, CSRF token or
2FA gate applies; the HMAC signature over the timestamp and body is the only credential.
Off unless ``LIFELINE_BOUNCE_WEBHOOK_SECRET`` is set (404). Every refusal is a 4xx with a
JSON reason, never a 500.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from lifeline.checkup import conf
from lifeline.checkup.models import Bounce, EmailEventReceipt
from lifeline.checkup.services import bounce_record
from lifeline.checkup.signatures import signature_valid
from lifeline.core.client import client_context, request_client

TIMESTAMP_HEADER = "X-Lifeline-Timestamp"
SIGNATURE_HEADER = "X-Lifeline-Signature"


class Invalid(Exception):
    pass


@dataclass(frozen=True)
class EmailEvent:
    id: str
    kind: str  # Bounce.Kind
    email: str
    occurred_at: datetime


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status)


def _printable(value: str) -> bool:
    """No control characters (a NUL byte would even fail in PostgreSQL: a 500, not a 400)."""
    return not any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)


def _parse_event(raw: Any, position: int) -> EmailEvent:
    where = f"event {position}"
    if not isinstance(raw, dict):
        raise Invalid(f"{where}: must be a JSON object")
    event_id = raw.get("id")
    if (
        not isinstance(event_id, str)
        or not event_id.strip()
        or len(event_id) > 200
        or not _printable(event_id)
    ):
        raise Invalid(f'{where}: "id" must be a non-empty string of at most 200 characters')
    kind = raw.get("type")
    if kind == "complaint":
        parsed_kind = Bounce.Kind.COMPLAINT
    elif kind == "bounce":
        bounce_type = raw.get("bounce_type")
        if bounce_type not in ("hard", "soft"):
            raise Invalid(f'{where}: "bounce_type" must be "hard" or "soft"')
        parsed_kind = Bounce.Kind(bounce_type)
    else:
        raise Invalid(f'{where}: "type" must be "bounce" or "complaint"')
    email = raw.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 254 or not _printable(email):
        raise Invalid(f'{where}: "email" must be an email address')
    occurred = raw.get("occurred_at")
    if occurred is None:
        occurred_at = timezone.now()
    else:
        try:
            occurred_at = datetime.fromisoformat(str(occurred))
        except ValueError:
            raise Invalid(f'{where}: "occurred_at" must be an ISO 8601 date and time') from None
        if occurred_at.tzinfo is None:
            occurred_at = occurred_at.replace(tzinfo=UTC)
        try:
            occurred_at = occurred_at.astimezone(UTC)
        except OverflowError:
            raise Invalid(f'{where}: "occurred_at" is out of range') from None
        if occurred_at.year < 2000:
            raise Invalid(f'{where}: "occurred_at" is out of range') from None
    return EmailEvent(event_id.strip(), parsed_kind, email.strip(), occurred_at)


def parse_events(body: bytes) -> list[EmailEvent]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Invalid("the body must be JSON: an event object or a list of them") from None
    items = payload if isinstance(payload, list) else [payload]
    if not items:
        raise Invalid("no events")
    if len(items) > conf.webhook_max_events():
        raise Invalid(f"at most {conf.webhook_max_events()} events per request")
    return [_parse_event(item, i) for i, item in enumerate(items)]


def _check_timestamp(value: str) -> int:
    value = value.strip()
    if not value.isdigit() or len(value) > 12:
        raise Invalid(f"{TIMESTAMP_HEADER} must be Unix time in seconds")
    return int(value)


def receive(event: EmailEvent) -> str:
    """Apply one event unless its id was seen before: ``processed`` or ``duplicate``."""
    try:
        with transaction.atomic():
            EmailEventReceipt.objects.create(event_id=event.id, received_at=timezone.now())
            bounce_record(
                event_id=event.id, kind=event.kind, email=event.email, occurred_at=event.occurred_at
            )
    except IntegrityError:
        return "duplicate"
    return "processed"


@csrf_exempt
@never_cache
def email_events(request: HttpRequest) -> JsonResponse:
    secret = conf.webhook_secret()
    if not secret:
        return _error(404, "not_found", "Not found.")
    if request.method != "POST":
        return _error(405, "method_not_allowed", "Use POST.")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > conf.webhook_max_bytes():
        return _error(413, "too_large", "The request body is too large.")
    try:
        body = request.body
    except RequestDataTooBig:
        return _error(413, "too_large", "The request body is too large.")
    if len(body) > conf.webhook_max_bytes():
        return _error(413, "too_large", "The request body is too large.")
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    try:
        sent_at = _check_timestamp(timestamp)
    except Invalid as error:
        return _error(400, "bad_timestamp", str(error))
    if not signature_valid(
        secret=secret,
        timestamp=timestamp.strip(),
        body=body,
        signature=request.headers.get(SIGNATURE_HEADER, ""),
    ):
        return _error(401, "bad_signature", f"{SIGNATURE_HEADER} does not match the body.")
    if abs(time.time() - sent_at) > conf.replay_window().total_seconds():
        return _error(401, "stale_timestamp", f"{TIMESTAMP_HEADER} is outside the replay window.")
    try:
        events = parse_events(body)
    except Invalid as error:
        return _error(400, "bad_payload", str(error))
    with client_context(request_client(request)):
        results = [{"id": event.id, "result": receive(event)} for event in events]
    if all(r["result"] == "duplicate" for r in results):
        return JsonResponse(
            {
                "error": "replayed",
                "message": "Every event was received before.",
                "results": results,
            },
            status=409,
        )
    return JsonResponse({"results": results})
