"""The desk's queue: contested cases first, then filtered oldest first, a page at a time, with
what staff need to triage at a glance.

Every filter is applied in SQL before the page is cut, so "critical only" finds a critical case
however far down the queue it is (issue 15). The one exception is the exact evidence level: it
groups proofs by shared boundaries (``policy.independent_groups``), which SQL cannot say. SQL
keeps only the cases that *can* have the level (a strong level needs a strong proof that
succeeded, and so on), and the policy then decides, a chunk of cases at a time, until the page is
full or ``SCAN_LIMIT`` cases were read; the page says so when that limit stopped the search.

The page costs a constant number of queries whatever the size of the queue (without a level
filter): the counts, the contested section, the page's count and rows, then one query each for
the rows' proofs, contested accounts and escalations, and two for their accounts' sizes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from lifeline.recovery import conf, policy
from lifeline.recovery.evidence import accounts_critical, evidence_of_many
from lifeline.recovery.models import RecoveryAudit, RecoveryProof, RecoveryRequest
from lifeline.recovery.states import State

REVIEW_STATES = (State.OPEN, State.NEEDS_INFO)
PAGE_SIZE = 50
# Contested cases are listed whole above the pages; they are few (one open case in a hundred at
# scale). Past this many, the section says so and "Contested: yes" pages through them.
CONTESTED_LIMIT = 100
# The evidence-level filter evaluates at most this many cases per view, in chunks.
SCAN_LIMIT = 2000
SCAN_CHUNK = 250


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


@dataclass
class QueuePage:
    """One page of the queue, and the contested section shown above the first page."""

    rows: list[CaseRow]
    number: int
    num_pages: int | None  # None when the level search stopped as soon as the page was full
    has_next: bool
    total: int | None = None  # cases on all the pages (unknown for a level search)
    contested: list[CaseRow] = field(default_factory=list)
    contested_section: bool = False  # this page shows the contested section (page 1)
    contested_listed_first: bool = False  # a later page: they are on page 1
    contested_more: bool = False  # more than CONTESTED_LIMIT contested cases match
    searched: int = 0  # the level search stopped at SCAN_LIMIT cases: how many it read
    requested: str = ""  # the page asked for, when there is no such page

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def sla_days() -> int:
    return conf.desk_sla_days()


def _age(request_obj: RecoveryRequest, now: datetime) -> timedelta:
    return now - (request_obj.queued_at or request_obj.created)


# --- the filters as SQL -----------------------------------------------------------------------


def contested_q() -> Q:
    """The case is contested, or another request for the same account is.

    ``user_id IN (contested accounts)``, not a correlated ``EXISTS``: PostgreSQL hashes the
    few contested accounts once (``recovery_contested_user``) either way, but it costs the
    ``EXISTS`` as if run per row, and past ``jit_above_cost`` it spent 260 ms compiling the
    count of every case ("State: all") before running it in 50 ms."""
    claimed = RecoveryRequest.objects.filter(contested=True, user__isnull=False).values("user_id")
    return Q(contested=True) | Q(user_id__in=claimed)


def critical_q() -> Q:
    """``evidence.accounts_critical`` in SQL: staff flagged the account, or it owns or
    maintains a project at or over the release or role threshold (every role of the project
    counts, as there). tests/recovery/staff/test_queue.py checks the two agree."""
    from lifeline.index.models import Release, Role

    # By key, one account per case: a join to the accounts inside the OR below made
    # PostgreSQL hash every account (a sequential scan of all the users) for each count.
    flagged = Q(Exists(get_user_model().objects.filter(pk=OuterRef("user_id"), is_critical=True)))
    roles = Role.objects.filter(
        user_id=OuterRef("user_id"), role__in=[Role.Kind.OWNER, Role.Kind.MAINTAINER]
    )
    over: list[Q] = []
    release_threshold = conf.get("LIFELINE_RECOVERY_CRITICAL_RELEASES")
    if release_threshold:
        releases = (
            Release.objects.filter(project_id=OuterRef("project_id"))
            .order_by()
            .values("project_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        roles = roles.annotate(n_releases=Subquery(releases))
        over.append(Q(n_releases__gte=release_threshold))
    role_threshold = conf.get("LIFELINE_RECOVERY_CRITICAL_MAINTAINERS")
    if role_threshold:
        members = (
            Role.objects.filter(project_id=OuterRef("project_id"))
            .order_by()
            .values("project_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        roles = roles.annotate(n_roles=Subquery(members))
        over.append(Q(n_roles__gte=role_threshold))
    if not over:
        return flagged
    return flagged | Q(Exists(roles.filter(reduce(or_, over))))


def could_have_level(level: str) -> Q:
    """What SQL can say about an evidence level: strong evidence needs a strong proof that
    succeeded, moderate evidence a strong or medium one, and weak evidence has no strong one.
    The policy decides the rest (whether the proofs are independent)."""
    ok = RecoveryProof.objects.filter(request_id=OuterRef("pk"), result=RecoveryProof.Result.OK)
    strong = Exists(ok.filter(strength=policy.Strength.STRONG))
    if level == policy.Level.STRONG:
        return Q(strong)
    if level == policy.Level.MODERATE:
        medium = [policy.Strength.STRONG, policy.Strength.MEDIUM]
        return Q(Exists(ok.filter(strength__in=medium)))
    return ~Q(strong)


def _ordering(filters: QueueFilters) -> list[str]:
    if filters.order == "newest":
        return ["-queued_at", "-created", "-id"]
    return ["queued_at", "created", "id"]


def filtered(filters: QueueFilters, *, actor: Any, now: datetime) -> QuerySet[RecoveryRequest]:
    """Every filter SQL can apply, unordered and without the contested split."""
    qs = RecoveryRequest.objects.all()
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
    if filters.critical == "yes":
        qs = qs.filter(critical_q())
    elif filters.critical == "no":
        qs = qs.exclude(critical_q())
    if filters.level:
        qs = qs.filter(could_have_level(filters.level))
    return qs


# --- the page ---------------------------------------------------------------------------------


def _page_number(page: Any) -> int:
    try:
        return max(1, int(page))
    except (TypeError, ValueError):
        return 1


def _missing_page(page: Any, shown: int) -> str:
    """The page asked for, in words to quote back, when it is not the page shown."""
    if page in (None, ""):
        return ""
    try:
        return "" if int(page) == shown else str(page)[:20]
    except (TypeError, ValueError):
        return str(page)[:20]


@dataclass(frozen=True)
class _PageInfo:
    number: int
    num_pages: int | None
    has_next: bool
    total: int | None = None
    searched: int = 0


def _scan_level(
    listing: QuerySet[RecoveryRequest], level: str, wanted: int
) -> tuple[list[int], dict[int, policy.Evidence], bool, int]:
    """Ids of cases at ``level`` in order, reading chunks until ``wanted`` are found: (ids,
    their evidence, whether every candidate was read, how many were read)."""
    matched: list[int] = []
    evidence: dict[int, policy.Evidence] = {}
    read = 0
    while len(matched) < wanted and read < SCAN_LIMIT:
        size = min(SCAN_CHUNK, SCAN_LIMIT - read)
        chunk = list(listing.only("pk")[read : read + size])
        read += len(chunk)
        levels = evidence_of_many(chunk)
        for request_obj in chunk:
            if levels[request_obj.pk].level.value == level and len(matched) < wanted:
                matched.append(request_obj.pk)
                evidence[request_obj.pk] = levels[request_obj.pk]
        if len(chunk) < size:
            return matched, evidence, True, read
    return matched, evidence, False, read


def _level_page(
    listing: QuerySet[RecoveryRequest], level: str, number: int
) -> tuple[list[RecoveryRequest], dict[int, policy.Evidence], _PageInfo]:
    matched, evidence, complete, read = _scan_level(listing, level, number * PAGE_SIZE + 1)
    found_pages = max(1, math.ceil(len(matched) / PAGE_SIZE))
    stopped_by_limit = not complete and len(matched) < number * PAGE_SIZE + 1
    number = min(number, found_pages)
    ids = matched[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    by_id = RecoveryRequest.objects.select_related("user", "assignee").in_bulk(ids)
    info = _PageInfo(
        number=number,
        num_pages=found_pages if complete or stopped_by_limit else None,
        has_next=len(matched) > number * PAGE_SIZE,
        searched=read if stopped_by_limit else 0,
    )
    return [by_id[pk] for pk in ids if pk in by_id], evidence, info


def queue_page(
    filters: QueueFilters, *, actor: Any, page: Any = 1, now: datetime | None = None
) -> QueuePage:
    """Page ``page`` (any value: a bad or too-large number gives the nearest page) of the
    queue, with the contested cases above the first page."""
    now = now or timezone.now()
    ordering = _ordering(filters)
    base = filtered(filters, actor=actor, now=now)
    asked = _page_number(page)
    if filters.contested == "yes":
        listing, section = base.filter(contested_q()), None
    elif filters.contested == "no":
        listing, section = base.exclude(contested_q()), None
    else:
        listing, section = base.exclude(contested_q()), base.filter(contested_q())

    listing = listing.order_by(*ordering)
    known: dict[int, policy.Evidence] = {}
    if filters.level:
        requests, known, info = _level_page(listing, filters.level, asked)
    else:
        paginated = Paginator(listing.select_related("user", "assignee"), PAGE_SIZE)
        django_page = paginated.get_page(asked)
        requests = list(django_page.object_list)
        info = _PageInfo(
            number=django_page.number,
            num_pages=paginated.num_pages,
            has_next=django_page.has_next(),
            total=paginated.count,
        )
    # The contested section sits above the first page shown (also when a page number past
    # the end gave the first page).
    contested: list[RecoveryRequest] = []
    contested_more = False
    if section is not None and info.number == 1:
        contested = list(
            section.select_related("user", "assignee").order_by(*ordering)[: CONTESTED_LIMIT + 1]
        )
        contested_more = len(contested) > CONTESTED_LIMIT
        contested = contested[:CONTESTED_LIMIT]
        if filters.level:
            levels = evidence_of_many(contested)
            known.update(levels)
            contested = [r for r in contested if levels[r.pk].level.value == filters.level]
    rows = case_rows([*contested, *requests], now=now, evidence=known)
    return QueuePage(
        rows=rows[len(contested) :],
        contested=rows[: len(contested)],
        number=info.number,
        num_pages=info.num_pages,
        has_next=info.has_next,
        total=info.total,
        contested_section=section is not None and info.number == 1,
        contested_listed_first=section is not None and info.number > 1,
        contested_more=contested_more,
        searched=info.searched,
        requested=_missing_page(page, info.number),
    )


def queue(filters: QueueFilters, *, actor: Any, now: datetime | None = None) -> list[CaseRow]:
    """The first page as one list: the contested cases, then the rest."""
    first = queue_page(filters, actor=actor, now=now)
    return [*first.contested, *first.rows]


def case_rows(
    requests: Sequence[RecoveryRequest],
    *,
    now: datetime,
    evidence: dict[int, policy.Evidence] | None = None,
) -> list[CaseRow]:
    """What the queue shows of each case: five queries for all of them, none per row."""
    evidence = dict(evidence or {})
    missing = [r for r in requests if r.pk not in evidence]
    if missing:
        evidence.update(evidence_of_many(missing))
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
    critical_of = accounts_critical({r.user_id: r.user for r in requests if r.user_id}.values())
    sla = timedelta(days=sla_days())
    rows = []
    for r in requests:
        critical, reasons = critical_of.get(r.user_id, (False, []))
        age = _age(r, now)
        rows.append(
            CaseRow(
                request_obj=r,
                evidence=evidence[r.pk],
                critical=critical,
                critical_reasons=reasons,
                contested=r.contested or r.user_id in contested_users,
                escalated=r.pk in escalated,
                age=age,
                overdue=r.state in REVIEW_STATES and age > sla,
            )
        )
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
