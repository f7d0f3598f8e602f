"""Checkup reminders: a daily job emails each user what their checkup still needs.

Six kinds (``ReminderKind``). Each kind reaches a user at most once per
``LIFELINE_REMINDER_EVERY_DAYS`` (30), a user gets at most one reminder per run (the most
urgent kind due; the others follow on later days), new accounts get a grace week, and a
user may turn each kind off with a signed one-click link (security notices can't be turned
off). Every reminder goes to every verified address and records an event.

Scale: users are never all loaded. Each kind is one query that selects only the users who
need it (``_due_query``), read in primary-key batches. Two facts are finished in Python for
the batch alone: codes left (a bit mask inside allauth's JSON) and registrable domains
(the Public Suffix List), after SQL has narrowed to users with confirmed codes, or has
counted the mail hosts of each user's verified addresses (fewer than two hosts is due
outright; two or more are compared by registrable domain).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Lower, StrIndex, Substr
from django.urls import reverse
from django.utils import timezone

from lifeline.accounts.mfa.codes import unused_code_count
from lifeline.accounts.mfa.models import RecoveryCodesConfirmation
from lifeline.accounts.mfa.status import PRIMARY_TYPES
from lifeline.checkup import conf
from lifeline.checkup.assessment import LOW_CODES, REVIEW_EVERY
from lifeline.checkup.facts import stale_tokens, stale_tokens_q
from lifeline.checkup.reminder_models import (
    CheckupReview,
    ReminderKind,
    ReminderOptOut,
    ReminderSent,
)
from lifeline.core.domains import registrable_domain
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.notifications.services import send_email
from lifeline.tokens.models import ApiToken

# Most urgent first: a run sends each user only the first kind due.
ORDER = (
    ReminderKind.NO_2FA,
    ReminderKind.CODES_UNCONFIRMED,
    ReminderKind.ADDRESSES,
    ReminderKind.CODES_LOW,
    ReminderKind.STALE_TOKENS,
    ReminderKind.REVIEW,
)
FIX_PATHS = {
    ReminderKind.NO_2FA: ("mfa_index", ""),
    ReminderKind.CODES_UNCONFIRMED: ("mfa_confirm_recovery_codes", ""),
    ReminderKind.CODES_LOW: ("mfa_generate_recovery_codes", ""),
    ReminderKind.ADDRESSES: ("account_email", ""),
    ReminderKind.STALE_TOKENS: ("account_security", "#check-tokens"),
    ReminderKind.REVIEW: ("account_security", "#check-review"),
}
_SALT = "lifeline.checkup.reminders.unsubscribe"
_RUN_KEY = "checkup:reminders:last-run"


def template_for(kind: str) -> str:
    return f"checkup_reminder_{kind}"


def fix_path(kind: str) -> str:
    name, anchor = FIX_PATHS[ReminderKind(kind)]
    return reverse(name) + anchor


# --- Unsubscribing ---------------------------------------------------------------------------


def unsubscribe_token(user: Any, kind: str) -> str:
    """A signed, non-expiring token naming the user and one kind (it can only turn that kind
    of reminder off, so it needs no expiry)."""
    return signing.dumps([user.pk, str(kind)], salt=_SALT, compress=False)


def read_unsubscribe_token(token: str) -> tuple[int, ReminderKind] | None:
    try:
        user_id, kind = signing.loads(token, salt=_SALT)
        return int(user_id), ReminderKind(kind)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def unsubscribe_url(user: Any, kind: str) -> str:
    from django.conf import settings

    path = reverse("checkup_unsubscribe", args=[unsubscribe_token(user, kind)])
    return f"{settings.LIFELINE_BASE_URL}{path}"


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 ``List-Unsubscribe`` and RFC 8058 one-click: a mail client's unsubscribe
    button POSTs ``List-Unsubscribe=One-Click`` to the kind's own link (views.unsubscribe)."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def opted_out_kinds(user: Any) -> set[str]:
    return set(ReminderOptOut.objects.filter(user=user).values_list("kind", flat=True))


def reminder_unsubscribe(*, user: Any, kind: str) -> bool:
    """Turn one kind of reminder off. Returns False when it was off already."""
    with transaction.atomic():
        _, created = ReminderOptOut.objects.get_or_create(user=user, kind=kind)
        if created:
            record_event(
                tag=EventTag.CHECKUP_UNSUBSCRIBE, user=user, actor=user, details={"kind": kind}
            )
    return created


def reminder_resubscribe(*, user: Any, kind: str) -> bool:
    with transaction.atomic():
        deleted, _ = ReminderOptOut.objects.filter(user=user, kind=kind).delete()
        if deleted:
            record_event(
                tag=EventTag.CHECKUP_RESUBSCRIBE, user=user, actor=user, details={"kind": kind}
            )
    return bool(deleted)


# --- Who is due ------------------------------------------------------------------------------


def _hosts_subquery() -> Subquery:
    """How many different mail hosts a user's verified addresses are at."""
    host = Lower(Substr("email", StrIndex("email", Value("@")) + 1))
    return Subquery(
        EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
        .annotate(host=host)
        .values("user")
        .annotate(n=Count("host", distinct=True))
        .values("n")[:1]
    )


def _due_query(kind: ReminderKind, now: datetime) -> QuerySet:
    """Users who may get ``kind`` now: active, past the grace period, reachable, not opted
    out, not reminded of this kind lately, not reminded of anything in this run's period;
    and whose account has the problem (finished in Python for two kinds)."""
    users = get_user_model().objects.filter(
        is_active=True, date_joined__lt=now - conf.reminder_grace()
    )
    users = users.filter(Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)))
    users = users.exclude(Exists(ReminderOptOut.objects.filter(user=OuterRef("pk"), kind=kind)))
    users = users.exclude(
        Exists(
            ReminderSent.objects.filter(
                user=OuterRef("pk"), kind=kind, sent_at__gt=now - conf.reminder_every()
            )
        )
    )
    users = users.exclude(
        Exists(
            ReminderSent.objects.filter(
                user=OuterRef("pk"), sent_at__gt=now - conf.reminder_run_every()
            )
        )
    )
    has_method = Exists(Authenticator.objects.filter(user=OuterRef("pk"), type__in=PRIMARY_TYPES))
    confirmed = Exists(
        RecoveryCodesConfirmation.objects.filter(
            authenticator__user=OuterRef("pk"),
            authenticator__type=Authenticator.Type.RECOVERY_CODES,
        )
    )
    if kind == ReminderKind.NO_2FA:
        return users.exclude(has_method)
    if kind == ReminderKind.CODES_UNCONFIRMED:
        return users.filter(has_method).exclude(confirmed)
    if kind == ReminderKind.CODES_LOW:
        return users.filter(confirmed)
    if kind == ReminderKind.ADDRESSES:
        return users.annotate(hosts=_hosts_subquery())
    if kind == ReminderKind.STALE_TOKENS:
        return users.filter(
            Exists(ApiToken.objects.filter(stale_tokens_q(now), user=OuterRef("pk")))
        )
    reviewed = CheckupReview.objects.filter(user=OuterRef("pk"), reviewed_at__gt=now - REVIEW_EVERY)
    return users.filter(date_joined__lt=now - REVIEW_EVERY).exclude(Exists(reviewed))


def _finish_in_python(kind: ReminderKind, users: list[Any]) -> list[Any]:
    """The batch's users who really are due, for the two kinds SQL can't fully decide."""
    ids = [u.pk for u in users]
    if kind == ReminderKind.CODES_LOW:
        codes = {
            a.user_id: a
            for a in Authenticator.objects.filter(
                user_id__in=ids, type=Authenticator.Type.RECOVERY_CODES
            ).only("id", "user_id", "data")
        }
        return [u for u in users if unused_code_count(codes.get(u.pk)) <= LOW_CODES]
    if kind == ReminderKind.ADDRESSES:
        several = [u.pk for u in users if (u.hosts or 0) >= 2]
        domains: dict[int, set[str]] = {}
        rows = EmailAddress.objects.filter(user_id__in=several, verified=True)
        for user_id, email in rows.values_list("user_id", "email"):
            domains.setdefault(user_id, set()).add(registrable_domain(email))
        return [u for u in users if (u.hosts or 0) < 2 or len(domains.get(u.pk, ())) < 2]
    return users


def due_users(kind: ReminderKind, *, now: datetime | None = None) -> Iterator[Any]:
    """Yield the users due ``kind``, reading ``LIFELINE_REMINDER_BATCH_SIZE`` at a time."""
    now = now or timezone.now()
    size = conf.reminder_batch_size()
    last = 0
    while True:
        batch = list(_due_query(kind, now).filter(pk__gt=last).order_by("pk")[:size])
        if not batch:
            return
        last = batch[-1].pk
        yield from _finish_in_python(kind, batch)
        if len(batch) < size:
            return


# --- Sending ---------------------------------------------------------------------------------


def _context(user: Any, kind: ReminderKind) -> dict[str, Any]:
    from django.conf import settings

    context: dict[str, Any] = {
        "fix_url": f"{settings.LIFELINE_BASE_URL}{fix_path(kind)}",
        "unsubscribe_url": unsubscribe_url(user, kind),
        "kind_label": kind.label,
    }
    if kind == ReminderKind.CODES_LOW:
        codes = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.RECOVERY_CODES
        ).first()
        context["codes_left"] = unused_code_count(codes)
    if kind == ReminderKind.STALE_TOKENS:
        context["tokens"] = [t.name for t in stale_tokens(user)]
    return context


def send_reminder(*, user: Any, kind: ReminderKind, now: datetime | None = None) -> int:
    """Email ``kind`` to every verified address of ``user``, note it, record an event.
    Returns the number of emails queued."""
    now = now or timezone.now()
    with transaction.atomic():
        ReminderSent.objects.update_or_create(user=user, kind=kind, defaults={"sent_at": now})
        context = _context(user, kind)
        logs = send_email(
            template=template_for(kind),
            user=user,
            context=context,
            headers=unsubscribe_headers(context["unsubscribe_url"]),
        )
        record_event(
            tag=EventTag.CHECKUP_REMINDER,
            user=user,
            actor=None,
            details={"kind": str(kind), "addresses": len(logs)},
        )
    return len(logs)


def send_due_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """Send every reminder due now (the most urgent kind per user). Returns counts per kind."""
    now = now or timezone.now()
    sent: dict[str, int] = {}
    for kind in ORDER:
        count = 0
        for user in due_users(kind, now=now):
            send_reminder(user=user, kind=kind, now=now)
            count += 1
        sent[str(kind)] = count
    return sent


def daily_reminders() -> dict[str, int] | str:
    """The scheduled job (``lifeline tick``): does its work at most once per
    ``LIFELINE_REMINDER_RUN_HOURS``, however often tick runs."""
    period = conf.reminder_run_every().total_seconds()
    if not cache.add(_RUN_KEY, timezone.now().isoformat(), period):
        return "not due"
    return send_due_reminders()
