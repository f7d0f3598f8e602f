"""Signals → metric counters (counted when the change commits)."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_logged_in
from allauth.mfa.signals import authentication_failed
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.ops import metrics


@receiver(user_logged_in, dispatch_uid="lifeline.ops.logins")
def count_login(sender: Any, **kwargs: Any) -> None:
    metrics.LOGINS.inc()


@receiver(user_login_failed, dispatch_uid="lifeline.ops.login_failures")
def count_login_failure(sender: Any, **kwargs: Any) -> None:
    metrics.LOGIN_FAILURES.inc()


@receiver(authentication_failed, dispatch_uid="lifeline.ops.mfa_failures")
def count_mfa_failure(sender: Any, authenticator: Any = None, **kwargs: Any) -> None:
    metrics.MFA_FAILURES.labels(getattr(authenticator, "type", "unknown") or "unknown").inc()


@receiver(post_save, sender=SecurityEvent, dispatch_uid="lifeline.ops.uploads")
def count_upload(sender: Any, instance: SecurityEvent, created: bool, **kwargs: Any) -> None:
    if created and instance.tag == EventTag.RELEASE_FILE_ADD:
        transaction.on_commit(metrics.UPLOADS.inc)
