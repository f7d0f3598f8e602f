"""Scheduled jobs (``lifeline tick``): domain re-checks and the webhook receipts sweep."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.utils import timezone

from lifeline.checkup import conf, rdap
from lifeline.checkup.holds import release_stale_holds
from lifeline.checkup.lapsed import domain_check
from lifeline.checkup.models import DomainCheck, EmailEventReceipt
from lifeline.core.domains import registrable_domain


def recheck_stale_domains() -> int:
    """Check each domain of a verified address not checked in the last 30 days (at most
    ``LIFELINE_DOMAIN_CHECKS_PER_RUN`` per run, oldest first). Idempotent; returns the
    number checked. Does nothing with the Null backend. First releases any access email
    whose hold outlived its check (holds.py)."""
    release_stale_holds()
    backend = rdap.get_backend()
    if not backend.enabled:
        return 0
    now = timezone.now()
    domains = {
        registrable_domain(e)
        for e in EmailAddress.objects.filter(verified=True).values_list("email", flat=True)
    } - {""}
    fresh = set(
        DomainCheck.objects.filter(
            domain__in=domains, checked_at__gt=now - conf.domain_recheck_after()
        ).values_list("domain", flat=True)
    )
    last = dict(DomainCheck.objects.filter(domain__in=domains).values_list("domain", "checked_at"))
    due = sorted(domains - fresh, key=lambda d: (d in last, last.get(d) or now, d))
    checked = 0
    for domain in due[: conf.domain_checks_per_run()]:
        domain_check(domain=domain, force=True, backend=backend)
        checked += 1
    return checked


def sweep_email_event_receipts() -> int:
    """Forget webhook event ids older than the retention period."""
    cutoff = timezone.now() - max(conf.receipt_retention(), 2 * conf.replay_window())
    deleted, _ = EmailEventReceipt.objects.filter(received_at__lt=cutoff).delete()
    return deleted
