"""Delivering one queued email, in the background (``send_email`` in services.py queues it).

``deliver`` and its task live here together, and services.py imports them, never the other
way round: a retry re-queues the same task without going back through services.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from lifeline.core import crypto
from lifeline.core.tasks import enqueue
from lifeline.notifications.models import EmailLog

logger = logging.getLogger("lifeline.notifications.services")


def backoff(attempt: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min ... capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempt - 1, 0), 3600))


def deliver(log_id: int) -> str:
    """Send one queued email. Safe to call twice: a sent email is never sent again."""
    with transaction.atomic():
        log = EmailLog.objects.select_for_update().filter(pk=log_id).first()
        if log is None or log.status in (EmailLog.Status.SENT, EmailLog.Status.FAILED):
            return log.status if log else "missing"
        try:
            message = json.loads(crypto.decrypt(log.payload))
            email = EmailMultiAlternatives(
                message["subject"],
                message["text"],
                settings.DEFAULT_FROM_EMAIL,
                [log.to],
                reply_to=message.get("reply_to"),
                headers=message.get("headers") or None,  # checked when queued (services)
            )
            email.attach_alternative(message["html"], "text/html")
            mailers.default.send_messages([email])
        except Exception as exc:  # any SMTP or network failure: retry with backoff
            log.attempts += 1
            log.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if log.attempts >= settings.LIFELINE_EMAIL_MAX_ATTEMPTS:
                log.status = EmailLog.Status.FAILED
                log.next_attempt_at = None
                logger.error("email %s to log #%s failed for good", log.template, log.pk)
            else:
                log.status = EmailLog.Status.RETRYING
                log.next_attempt_at = timezone.now() + backoff(log.attempts)
                enqueue(deliver_email, log.pk, run_after=log.next_attempt_at)
            log.save()
            return log.status
        log.attempts += 1
        log.status = EmailLog.Status.SENT
        log.sent_at = timezone.now()
        log.next_attempt_at = None
        log.payload = ""  # the message may hold a secret link: keep only the facts
        log.last_error = ""
        log.save()
        return log.status


@task()
def deliver_email(log_id: int) -> str:
    return deliver(log_id)
