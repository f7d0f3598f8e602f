"""Owner alerts about recovery requests, bounded per account per rolling day.

Why a bound: every confirmed request alerts the owner at every verified address. Without a
daily bound, withdrawing and re-filing (3 a hour under the per-username limit) could send
about 72 alerts a day, which buries the one that matters and trains the owner to ignore them.

The rule:

* The first ``LIFELINE_RECOVERY_OWNER_ALERTS_PER_DAY`` (3) new-request alerts of an account in
  any rolling 24 hours go out at once. The first alert about a request is therefore never
  held back while the owner has not heard from us that day.
* Later ones are not dropped: the request is marked ``owner_alert_deferred`` and rolls into
  the owner's digest (:func:`send_owner_digests`, a ``lifeline tick`` job).
* Failed proofs against the account reach the owner only through that digest.
* At most one digest per account per rolling 24 hours.
* Nothing here bounds the cooling-off email (``notify.cooling_off_started``): every
  approval tells the owner at once, with the cancel link, at least the cooling-off period
  before any restore. A suppressed new-request alert can delay the news, never skip it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from lifeline.core.client import describe_browser
from lifeline.notifications.services import send_email
from lifeline.recovery import conf
from lifeline.recovery.links import cancel_url
from lifeline.recovery.models import OwnerDigest, RecoveryProof, RecoveryRequest
from lifeline.recovery.states import QUEUED_STATES

DAY = timedelta(hours=24)
# Failed proofs older than this are not looked for again (the job runs every few minutes).
DIGEST_LOOKBACK = timedelta(days=7)
DIGEST_LIST_MAX = 20


def alerts_per_day() -> int:
    return conf.owner_alerts_per_day()


def alerts_sent_today(user: Any, *, now: Any = None) -> int:
    now = now or timezone.now()
    return RecoveryRequest.objects.filter(
        user=user, owner_alerted_at__gte=now - DAY, owner_alert_deferred=False
    ).count()


def alert_owner(
    *, request_obj: RecoveryRequest, template: str, context: dict[str, Any], force: bool = False
) -> bool:
    """Tell the owner about ``request_obj`` now, or roll it into the digest when the account
    already got its daily number of alerts. True when the email went out now.

    ``force`` skips the bound (a case the owner was already told about changed: its
    cooling-off stopped). The account row is locked so concurrent confirmations are counted
    one after the other.
    """
    user = request_obj.user
    if user is None:
        return False
    now = timezone.now()
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if force or alerts_sent_today(user, now=now) < alerts_per_day():
            send_email(
                template=template,
                user=user,
                context={
                    "request_obj": request_obj,
                    "request_ip": request_obj.submitted_ip or "unknown",
                    "request_browser": describe_browser(request_obj.submitted_user_agent),
                    "cancel_days": conf.cancel_link_days(),
                    **context,
                },
            )
            RecoveryRequest.objects.filter(pk=request_obj.pk).update(
                owner_alerted_at=now, owner_alert_deferred=False
            )
            return True
        RecoveryRequest.objects.filter(pk=request_obj.pk).update(owner_alert_deferred=True)
        return False


def _last_digest(user_id: int) -> OwnerDigest | None:
    return OwnerDigest.objects.filter(user_id=user_id).order_by("-sent_at").first()


def _failed_proofs(user_id: int, since: Any) -> list[RecoveryProof]:
    return list(
        RecoveryProof.objects.filter(
            request__user_id=user_id, result=RecoveryProof.Result.FAILED, created__gt=since
        )
        .select_related("request")
        .order_by("created")
    )


def send_owner_digests() -> int:
    """Scheduled job: one digest per account with news, at most one per rolling day.

    News is a new-request alert that was over the daily bound, or a proof that failed
    against the account since its last digest. Idempotent. Returns the digests sent.
    """
    now = timezone.now()
    deferred_users = set(
        RecoveryRequest.objects.filter(
            owner_alert_deferred=True, owner_alerted_at__isnull=True, user__isnull=False
        ).values_list("user_id", flat=True)
    )
    proof_users = set(
        RecoveryProof.objects.filter(
            result=RecoveryProof.Result.FAILED,
            created__gt=now - DIGEST_LOOKBACK,
            request__user__isnull=False,
        ).values_list("request__user_id", flat=True)
    )
    sent = 0
    User = get_user_model()
    for user_id in sorted(deferred_users | proof_users):
        with transaction.atomic():
            user = User.objects.select_for_update().filter(pk=user_id).first()
            if user is None:
                continue
            last = _last_digest(user_id)
            if last is not None and last.sent_at > now - DAY:
                continue
            since = max(last.sent_at, now - DIGEST_LOOKBACK) if last else now - DIGEST_LOOKBACK
            requests = list(
                RecoveryRequest.objects.filter(
                    user_id=user_id, owner_alert_deferred=True, owner_alerted_at__isnull=True
                ).order_by("created")
            )
            failed = _failed_proofs(user_id, since)
            if not requests and not failed:
                continue
            active = [r for r in requests if r.state in QUEUED_STATES]
            send_email(
                template="recovery_owner_digest",
                user=user,
                context={
                    "requests": requests[:DIGEST_LIST_MAX],
                    "request_count": len(requests),
                    "active": [(r, cancel_url(r)) for r in active],
                    "failed_proofs": failed[:DIGEST_LIST_MAX],
                    "failed_count": len(failed),
                    "cancel_days": conf.cancel_link_days(),
                },
            )
            RecoveryRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
                owner_alerted_at=now
            )
            OwnerDigest.objects.create(
                user=user, sent_at=now, requests=len(requests), failed_proofs=len(failed)
            )
            sent += 1
    return sent
