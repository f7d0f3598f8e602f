"""Desk metrics, shared by the metrics page and the requester's queue estimate.

All durations are measured from ``queued_at`` (the moment the contact address was confirmed
and the case entered the queue): to ``first_response_at`` (the first staff action or
message) and to ``decided_at`` (approved or denied). The window is the last 30 days.

The requester's estimate (:func:`queue_estimate`) is the desk's median time to decision,
from the same :func:`decision_stats`, so the two pages can never disagree. It is withheld
below :data:`MIN_DECISIONS_FOR_ESTIMATE` decisions: a median of one or two cases says
nothing, and dividing the queue by a tiny decision rate (what an earlier version did) turned
one two-minute decision in a month into "about 31 days".

The figures are computed together and kept in the shared cache: the metrics page and every
requester's status page read the same copy (:func:`desk_figures`), so a view costs one cache
read instead of evaluating the evidence of every decided case. ``lifeline tick`` recomputes
them every minute (:func:`refresh_desk_figures`, a scheduled job), so no request pays for
the computation (0.4 s of CPU at 100,000 cases, docs/benchmarks.md) and a figure is at most a
minute old. The copy lives :data:`FIGURES_SECONDS`: if the scheduler stops, the first view
after that recomputes. Passing ``now`` computes afresh (tests, reports).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from lifeline.recovery import conf, policy
from lifeline.recovery.evidence import evidence_of_many
from lifeline.recovery.models import RecoveryAudit, RecoveryRequest
from lifeline.recovery.states import State

WINDOW = timedelta(days=30)
DECISION_STATES = (State.APPROVED, State.DENIED)
MIN_DECISIONS_FOR_ESTIMATE = 5
FIGURES_SECONDS = 300  # the tick refreshes every minute; a view computes only past this
FIGURES_KEY = "lifeline:desk-figures:v1"


@dataclass(frozen=True)
class DecisionStats:
    count: int  # decisions in the window
    median: timedelta | None  # queued → decided
    window: timedelta = WINDOW

    @property
    def per_day(self) -> float:
        return self.count / max(self.window.days, 1)


@dataclass(frozen=True)
class WeekBucket:
    start: datetime
    approved: int
    denied: int

    @property
    def total(self) -> int:
        return self.approved + self.denied


def _median(durations: list[timedelta]) -> timedelta | None:
    if not durations:
        return None
    return timedelta(seconds=statistics.median(d.total_seconds() for d in durations))


def open_by_state() -> dict[str, int]:
    """How many cases are in each not-yet-finished state (zeros included)."""
    states = [State.SUBMITTED, State.OPEN, State.NEEDS_INFO, State.APPROVED, State.READY]
    counts = dict(
        RecoveryRequest.objects.filter(state__in=states)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return {s.value: counts.get(s.value, 0) for s in states}


def decision_stats(*, now: datetime | None = None, window: timedelta = WINDOW) -> DecisionStats:
    """Decisions taken in the window and the median time from queue to decision."""
    now = now or timezone.now()
    rows = list(
        RecoveryRequest.objects.filter(
            decided_at__gte=now - window, decided_at__lte=now, queued_at__isnull=False
        ).values_list("queued_at", "decided_at")
    )
    return DecisionStats(
        count=len(rows), median=_median([d - q for q, d in rows if d >= q]), window=window
    )


@dataclass(frozen=True)
class QueueEstimate:
    """What the requester is told about the wait, from the desk's own figures."""

    stats: DecisionStats
    target: timedelta  # the desk's target (LIFELINE_DESK_SLA_DAYS), said as a target
    minimum: int = MIN_DECISIONS_FOR_ESTIMATE

    @property
    def enough(self) -> bool:
        return self.stats.median is not None and self.stats.count >= self.minimum

    @property
    def typical(self) -> timedelta | None:
        """The median time from queue to decision, or None when there are too few decisions."""
        return self.stats.median if self.enough else None


def desk_target() -> timedelta:
    return timedelta(days=conf.desk_sla_days())


def queue_estimate(
    *, now: datetime | None = None, stats: DecisionStats | None = None
) -> QueueEstimate:
    """The requester's estimate: the desk's median time to decision, if the sample allows.

    Without ``now`` or ``stats``, from the cached :func:`desk_figures` (the metrics page's).
    """
    if stats is None:
        stats = decision_stats(now=now) if now is not None else desk_figures().decisions
    return QueueEstimate(stats=stats, target=desk_target())


def median_first_response(
    *, now: datetime | None = None, window: timedelta = WINDOW
) -> timedelta | None:
    now = now or timezone.now()
    rows = RecoveryRequest.objects.filter(
        first_response_at__gte=now - window, first_response_at__lte=now, queued_at__isnull=False
    ).values_list("queued_at", "first_response_at")
    return _median([f - q for q, f in rows if f >= q])


def decisions_per_week(*, now: datetime | None = None, weeks: int = 8) -> list[WeekBucket]:
    """First decisions (from the review states) per week, oldest week first.

    Weeks are the 7-day periods ending now, so the last bucket is always complete.
    """
    now = now or timezone.now()
    start = now - timedelta(weeks=weeks)
    rows = RecoveryAudit.objects.filter(
        created__gt=start,
        created__lte=now,
        to_state__in=DECISION_STATES,
        from_state__in=[State.OPEN, State.NEEDS_INFO],
    ).values_list("created", "to_state")
    buckets = [[0, 0] for _ in range(weeks)]
    for created, to_state in rows:
        index = min(int((created - start) / timedelta(weeks=1)), weeks - 1)
        buckets[index][0 if to_state == State.APPROVED else 1] += 1
    return [
        WeekBucket(start=start + timedelta(weeks=i), approved=a, denied=d)
        for i, (a, d) in enumerate(buckets)
    ]


def evidence_levels(requests: list[RecoveryRequest]) -> dict[int, policy.Evidence]:
    """The evidence of many requests at once (one query for all their proofs)."""
    return evidence_of_many(requests)


def share_by_level(*, now: datetime | None = None, window: timedelta = WINDOW) -> dict[str, int]:
    """Cases decided in the window, by evidence level.

    Proofs can only be added while a case is in review, so the level computed now is the
    level the decision was taken on.
    """
    now = now or timezone.now()
    # Only the ids: the evidence comes from the proofs, and loading thousands of whole rows
    # was most of the metrics' recomputation at 100,000 cases (bench/scale_pages.py).
    decided = list(
        RecoveryRequest.objects.filter(decided_at__gte=now - window, decided_at__lte=now)
        .order_by()
        .only("pk")
    )
    counts = Counter(e.level.value for e in evidence_levels(decided).values())
    return {level.value: counts.get(level.value, 0) for level in policy.Level}


@dataclass(frozen=True)
class DeskFigures:
    """Everything the metrics page shows, computed at ``computed_at``."""

    computed_at: datetime
    by_state: dict[str, int]
    decisions: DecisionStats
    median_first_response: timedelta | None
    weeks: list[WeekBucket]
    levels: dict[str, int]


def compute_figures(*, now: datetime | None = None) -> DeskFigures:
    now = now or timezone.now()
    return DeskFigures(
        computed_at=now,
        by_state=open_by_state(),
        decisions=decision_stats(now=now),
        median_first_response=median_first_response(now=now),
        weeks=decisions_per_week(now=now),
        levels=share_by_level(now=now),
    )


def _share_fresh_figures() -> DeskFigures:
    figures = compute_figures()
    cache.set(FIGURES_KEY, figures, FIGURES_SECONDS)
    return figures


def refresh_desk_figures() -> int:
    """Scheduled job (``lifeline tick``): compute the figures and share them; returns the
    number of decisions in the window."""
    return _share_fresh_figures().decisions.count


def desk_figures() -> DeskFigures:
    """The desk's figures from the shared cache (computed here only if the tick has not run
    for :data:`FIGURES_SECONDS`)."""
    figures = cache.get(FIGURES_KEY)
    return figures if isinstance(figures, DeskFigures) else _share_fresh_figures()
