"""Re-check a domain at once when a password reset or a recovery request concerns it.

Hooks, not edits: a password-reset email (or a recovery email code) being queued to an
address, and a recovery request being recorded for an account. The email is held until the
check has run (holds.py), so a reset link to a lapsed domain is never delivered, however
many workers run. The lookup is not done inline: a registry round trip only for existing
accounts would tell an observer which addresses have one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from lifeline.checkup import badge, rdap, sections  # noqa: F401 - badge, sections: hooks
from lifeline.checkup.holds import hold
from lifeline.checkup.lapsed import user_domains
from lifeline.checkup.models import DomainCheck
from lifeline.core.domains import registrable_domain
from lifeline.core.tasks import enqueue
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.notifications.models import EmailLog

# Emails whose reader gains access to the account: check the address's domain first.
ACCESS_EMAILS = frozenset({"account_password_reset_key", "recovery_email_code"})
# One forced re-check per domain per this long, however many resets are requested.
FORCED_CHECK_FLOOR = timedelta(hours=1)


def domains_due(domains: list[str]) -> list[str]:
    """Those of ``domains`` not checked within the floor (none with the Null backend)."""
    if not domains or not rdap.get_backend().enabled:
        return []
    recent = set(
        DomainCheck.objects.filter(
            domain__in=domains, checked_at__gt=timezone.now() - FORCED_CHECK_FLOOR
        ).values_list("domain", flat=True)
    )
    return [d for d in domains if d and d not in recent]


@receiver(post_save, sender=EmailLog, dispatch_uid="checkup_access_email_domain_check")
def on_access_email(sender: Any, instance: EmailLog, created: bool, **kwargs: Any) -> None:
    if not (created and instance.template in ACCESS_EMAILS):
        return
    from lifeline.checkup.tasks import check_domain

    for domain in domains_due([registrable_domain(instance.to)]):
        hold(instance.pk)
        enqueue(check_domain, domain, instance.pk)


@receiver(post_save, sender=SecurityEvent, dispatch_uid="checkup_recovery_domain_check")
def on_recovery_submitted(sender: Any, instance: SecurityEvent, created: bool, **kw: Any) -> None:
    if created and instance.tag == EventTag.RECOVERY_SUBMIT and instance.user_id:
        from lifeline.checkup.tasks import check_domain

        for domain in domains_due(user_domains(instance.user_id)):
            enqueue(check_domain, domain)
