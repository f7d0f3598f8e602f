"""The desk's queue: contested cases first, then filtered oldest first, with what staff need
to triage at a glance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from lifeline.recovery import conf, policy
from lifeline.recovery.evidence import accounts_critical
from lifeline.recovery.models import RecoveryAudit, RecoveryRequest
from lifeline.recovery.staff.metrics import evidence_levels
from lifeline.recovery.states import State

REVIEW_STATES = (State.OPEN, State.NEEDS_INFO)


@dataclass(frozen=True)
class QueueFilters:
    state: str = "review"  # "review" (open + needs_info), "all", or a State value
    level: str = ""  # policy.Level value or ""
    critical: str = ""  # "yes", "no" or ""
    contested: str = ""  # "yes", "no" or ""
    min_age_days: int | None = None
    assignee: str = ""  # "", "me", "none" or a username
    order: str = "oldest"  # "oldest" or "newest"


@dataclass
class CaseRow:
    request_obj: RecoveryRequest
    evidence: policy.Evidence
    critical: bool
    contested: bool
    escalated: bool
    age: timedelta
    overdue: bool
    critical_reasons: list[str] = field(default_factory=list)

    @property
    def age_days(self) -> int:
        return self.age.days


def sla_days() -> int:
    return conf.desk_sla_days()


def _age(request_obj: RecoveryRequest, now: datetime) -> timedelta:
    return now - (request_obj.queued_at or request_obj.created)


def queue(
    filters: QueueFilters, *, actor: Any, now: datetime | None = None, limit: int = 500
) -> list[CaseRow]:
    now = now or timezone.now()
    qs = RecoveryRequest.objects.select_related("user", "assignee")
    if filters.state == "review":
        qs = qs.filter(state__in=REVIEW_STATES)
    elif filters.state != "all":
        qs = qs.filter(state=filters.state)
    if filters.assignee == "me":
        qs = qs.filter(assignee=actor)
    elif filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee__username__iexact=filters.assignee)
    if filters.min_age_days is not None:
        cutoff = now - timedelta(days=filters.min_age_days)
        qs = qs.filter(Q(queued_at__lte=cutoff) | Q(queued_at__isnull=True, created__lte=cutoff))
    ordering = ["queued_at", "created", "id"]
    if filters.order == "newest":
        ordering = ["-queued_at", "-created", "-id"]
    requests = list(qs.order_by(*ordering)[:limit])

    evidence = evidence_levels(requests)
    user_ids = {r.user_id for r in requests if r.user_id}
    contested_users = set(
        RecoveryRequest.objects.filter(user_id__in=user_ids, contested=True).values_list(
            "user_id", flat=True
        )
    )
    escalated = set(
        RecoveryAudit.objects.filter(
            request_id__in=[r.pk for r in requests], details__action="escalate"
        ).values_list("request_id", flat=True)
    )
    # Every account's size at once: a constant number of queries, not one per row.
    critical_of = accounts_critical({r.user_id: r.user for r in requests if r.user_id}.values())
    rows = []
    for r in requests:
        critical, reasons = critical_of.get(r.user_id, (False, []))
        age = _age(r, now)
        row = CaseRow(
            request_obj=r,
            evidence=evidence[r.pk],
            critical=critical,
            critical_reasons=reasons,
            contested=r.contested or r.user_id in contested_users,
            escalated=r.pk in escalated,
            age=age,
            overdue=r.state in REVIEW_STATES and age > timedelta(days=sla_days()),
        )
        if filters.level and row.evidence.level.value != filters.level:
            continue
        if filters.critical and row.critical != (filters.critical == "yes"):
            continue
        if filters.contested and row.contested != (filters.contested == "yes"):
            continue
        rows.append(row)
    # Contested cases first (two people claim the account, or the owner objected); the
    # chosen order holds within each group (the sort is stable).
    rows.sort(key=lambda row: not row.contested)
    return rows


def queue_counts(*, now: datetime | None = None) -> dict[str, int]:
    """The numbers at the top of the queue."""
    now = now or timezone.now()
    review = RecoveryRequest.objects.filter(state__in=REVIEW_STATES)
    cutoff = now - timedelta(days=sla_days())
    return {
        "open": review.filter(state=State.OPEN).count(),
        "needs_info": review.filter(state=State.NEEDS_INFO).count(),
        "approved": RecoveryRequest.objects.filter(state=State.APPROVED).count(),
        "ready": RecoveryRequest.objects.filter(state=State.READY).count(),
        "unassigned": review.filter(assignee__isnull=True).count(),
        "overdue": review.filter(
            Q(queued_at__lte=cutoff) | Q(queued_at__isnull=True, created__lte=cutoff)
        ).count(),
    }
