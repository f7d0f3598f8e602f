"""The one path for every email (Warehouse's ``@_email``).

``send_email`` renders ``emails/<template>/{subject.txt, body.txt, body.html}``, adds the
standard footer, writes one ``EmailLog`` row per recipient with the rendered message
encrypted, and queues delivery in the caller's transaction. By default it sends only to
*verified* addresses; pass ``include_unverified=True`` for the few emails whose purpose
is to verify an address.

The subject and the text body are plain text, rendered *without* HTML escaping (a passkey
named ``Tom's "key"`` reads as such, not ``Tom&#x27;s &quot;key&quot;``); the HTML body is
escaped as every HTML template is. Security notices (notices.py) get a "This wasn't me?"
link and reply to support.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone

from lifeline.core import crypto
from lifeline.core.client import current_client, describe_browser
from lifeline.core.tasks import enqueue
from lifeline.notifications.models import EmailLog
from lifeline.notifications.notices import is_security_notice
from lifeline.notifications.tasks import (  # delivery lives in tasks.py; re-exported here
    backoff,  # noqa: F401
    deliver,
    deliver_email,
)

logger = logging.getLogger(__name__)


def verified_addresses(user: Any) -> list[str]:
    return list(
        EmailAddress.objects.filter(user=user, verified=True)
        .order_by("-primary", "email")
        .values_list("email", flat=True)
    )


def base_context() -> dict[str, Any]:
    client = current_client()
    base_url = settings.LIFELINE_BASE_URL
    return {
        "site_name": settings.LIFELINE_SITE_NAME,
        "base_url": base_url,
        "site_domain": urlsplit(base_url).netloc,
        "support_email": settings.LIFELINE_SUPPORT_EMAIL,
        "not_me_url": f"{base_url}{reverse('not_me')}",
        "now": timezone.now(),
        "client_ip": client.ip or "unknown",
        "client_browser": describe_browser(client.user_agent),
    }


def render_text(name: str, context: dict[str, Any]) -> str:
    """Render a plain-text template with autoescaping off: it is not HTML."""
    return get_template(name).template.render(Context(context, autoescape=False))


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Render subject, text and HTML bodies, each with the standard footer.

    A security notice also gets the "This wasn't me?" paragraph, in both bodies.
    """
    ctx = base_context() | context
    ctx["security_notice"] = is_security_notice(template)
    subject = " ".join(render_text(f"emails/{template}/subject.txt", ctx).split())
    text = render_text(f"emails/{template}/body.txt", ctx).strip()
    if ctx["security_notice"]:
        text = f"{text}\n\n{render_text('emails/_not_me.txt', ctx).strip()}"
    html = render_to_string(f"emails/{template}/body.html", ctx).strip()
    footer_text = render_text("emails/_footer.txt", ctx).strip()
    full_html = render_to_string("emails/_layout.html", ctx | {"content": html, "subject": subject})
    return subject, f"{text}\n\n-- \n{footer_text}\n", full_html


# Headers the email path sets itself: a caller's ``headers`` may not replace them.
RESERVED_HEADERS = frozenset(
    {"from", "to", "cc", "bcc", "subject", "reply-to", "sender", "date", "message-id"}
    | {"mime-version", "content-type", "content-transfer-encoding"}
)
_HEADER_NAME = re.compile(r"[!-9;-~]+")  # RFC 5322 field-name: printable ASCII but ':'


def checked_headers(headers: dict[str, str] | None) -> dict[str, str]:
    """Extra headers as given, or ValueError naming the first bad one: a name that is not a
    header name, a reserved name, or a name or value with a CR or LF (header injection)."""
    checked: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ValueError(f"Email header {name!r}: name and value must be strings.")
        if "\r" in name or "\n" in name or "\r" in value or "\n" in value:
            raise ValueError(
                f"Email header {name.strip()!r}: CR or LF in a header name or value "
                "(header injection) is refused."
            )
        if not _HEADER_NAME.fullmatch(name):
            raise ValueError(f"Email header {name!r} is not a valid header name.")
        if name.lower() in RESERVED_HEADERS:
            raise ValueError(f"Email header {name!r} is set by the email path itself.")
        checked[name] = value
    return checked


def send_email(
    *,
    template: str,
    context: dict[str, Any] | None = None,
    user: Any | None = None,
    to: Iterable[str] | None = None,
    include_unverified: bool = False,
    headers: dict[str, str] | None = None,
) -> list[EmailLog]:
    """Queue ``template`` to ``to`` (or to every verified address of ``user``).

    ``headers`` are extra message headers (e.g. ``List-Unsubscribe``), stored encrypted with
    the message and set at delivery; a CR or LF in them raises ValueError before anything is
    queued. Returns the log rows created; an empty list when nobody qualified to receive it.
    """
    extra_headers = checked_headers(headers)
    context = dict(context or {})
    if user is not None:
        context.setdefault("user", user)
    if to is None:
        recipients = verified_addresses(user) if user is not None else []
    else:
        recipients = list(dict.fromkeys(addr.strip().lower() for addr in to if addr))
        if not include_unverified:
            verified = set(
                EmailAddress.objects.filter(email__in=recipients, verified=True).values_list(
                    "email", flat=True
                )
            )
            recipients = [addr for addr in recipients if addr in verified]
    logs = []
    with transaction.atomic():
        for address in recipients:
            subject, text, html = render_email(template, context | {"recipient": address})
            message = {"subject": subject, "text": text, "html": html}
            if is_security_notice(template):
                message["reply_to"] = [settings.LIFELINE_SUPPORT_EMAIL]
            if extra_headers:
                message["headers"] = extra_headers
            payload = crypto.encrypt(json.dumps(message))
            log = EmailLog.objects.create(
                to=address,
                user=user if user is not None and getattr(user, "pk", None) else None,
                template=template,
                subject=subject[:300],
                payload=payload,
            )
            enqueue(deliver_email, log.pk)
            logs.append(log)
    return logs


def retry_due_emails() -> int:
    """Re-queue emails whose retry is due (a lost enqueue or a stopped worker strands none)."""
    now = timezone.now()
    due = EmailLog.objects.filter(
        status__in=[EmailLog.Status.QUEUED, EmailLog.Status.RETRYING],
    ).exclude(next_attempt_at__gt=now)
    # Only sweep queued rows that have been waiting a while, so we don't race a live enqueue.
    due = due.exclude(status=EmailLog.Status.QUEUED, created__gt=now - timedelta(minutes=2))
    count = 0
    for log_id in due.values_list("pk", flat=True)[:500]:
        deliver(log_id)
        count += 1
    return count
