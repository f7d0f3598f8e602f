"""Holding an access email until its address's domain has been re-checked.

A password-reset link or a recovery email code gives its reader the account. When one is
queued to an address whose domain was not checked in the last hour, the email is held (its
log row is parked as failed with the ``HELD`` note, which delivery skips) and a domain check
is queued. The check releases it: back to the queue when the address is still verified,
left withdrawn when the check unverified it. Holding instead of checking inline keeps the
web request's timing the same whether or not an account uses the address.

A hold never strands an email: the check releases in a ``finally``, and the scheduled job
releases any hold older than ``STALE_HOLD`` (a worker that died mid-check).
"""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from lifeline.core.tasks import enqueue
from lifeline.notifications.models import EmailLog

HELD = "Held until the address's domain is re-checked."
STALE_HOLD = timedelta(minutes=15)


def hold(log_id: int) -> None:
    EmailLog.objects.filter(pk=log_id, status=EmailLog.Status.QUEUED).update(
        status=EmailLog.Status.FAILED, last_error=HELD
    )


def release(log_id: int) -> str:
    """Queue a held email again if its address is still verified: ``released``,
    ``withdrawn`` (the address is no longer verified) or ``not_held``."""
    from lifeline.notifications.tasks import deliver_email

    with transaction.atomic():
        log = (
            EmailLog.objects.select_for_update()
            .filter(pk=log_id, status=EmailLog.Status.FAILED, last_error=HELD)
            .first()
        )
        if log is None:
            return "not_held"
        if not EmailAddress.objects.filter(email__iexact=log.to, verified=True).exists():
            log.last_error = "Withdrawn: the address is no longer verified."
            log.save(update_fields=["last_error"])
            return "withdrawn"
        log.status = EmailLog.Status.QUEUED
        log.last_error = ""
        log.save(update_fields=["status", "last_error"])
        enqueue(deliver_email, log.pk)
    return "released"


def release_stale_holds() -> int:
    cutoff = timezone.now() - STALE_HOLD
    stale = EmailLog.objects.filter(
        status=EmailLog.Status.FAILED, last_error=HELD, created__lt=cutoff
    ).values_list("pk", flat=True)
    return sum(release(pk) == "released" for pk in list(stale[:500]))
