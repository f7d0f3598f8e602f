"""The navigation badge: how many checklist items are open, cached per user.

Computing the checkup takes a handful of queries, too many for every page. The badge reads
one cache entry per request (one query with the database cache, none with Redis or in
memory). The entry is dropped whenever something it depends on changes (receivers below:
every security change records an event, and addresses, factors, codes and tokens are
watched directly), and expires after ``LIFELINE_CHECKUP_BADGE_SECONDS`` so that what time
alone changes (a review falling due, a token going stale) shows up too.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from lifeline.accounts.mfa.models import RecoveryCodesConfirmation
from lifeline.checkup import conf
from lifeline.checkup.reminder_models import CheckupReview
from lifeline.events.models import SecurityEvent
from lifeline.tokens.models import ApiToken


def _key(user_id: int) -> str:
    return f"checkup:badge:v1:{user_id}"


def badge_for(user: Any) -> tuple[str, int]:
    """``(status, open items)`` for ``user``: ("strong", 0) means no badge."""
    cached = cache.get(_key(user.pk))
    if cached is not None:
        return cached[0], cached[1]
    from lifeline.checkup.facts import assess_user

    assessment = assess_user(user)
    value = (assessment.status.value, len(assessment.open_items))
    cache.set(_key(user.pk), value, conf.badge_cache_seconds())
    return value


def forget_badge(user_id: int | None) -> None:
    """Drop the cached badge now, and again when the transaction commits (a page rendered
    in between could have cached the state from before the change)."""
    if user_id:
        key = _key(user_id)
        cache.delete(key)
        transaction.on_commit(lambda: cache.delete(key))


def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, RecoveryCodesConfirmation):
        user_id = (
            Authenticator.objects.filter(pk=instance.authenticator_id)
            .values_list("user_id", flat=True)
            .first()
        )
    else:
        user_id = getattr(instance, "user_id", None)
    forget_badge(user_id)


for _model in (
    SecurityEvent,
    EmailAddress,
    Authenticator,
    RecoveryCodesConfirmation,
    ApiToken,
    CheckupReview,
):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"checkup_badge_{_model.__name__}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"checkup_badge_d_{_model.__name__}")
