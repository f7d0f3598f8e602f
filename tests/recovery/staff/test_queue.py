"""The desk queue, as a service: every filter finds its cases however far down the queue they
are (the old queue cut 500 rows first and filtered after), 50 cases a page, contested cases
first, and the SQL form of "critical" says what the policy says (issue 15)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from lifeline.index.models import Project, Release, Role
from lifeline.recovery.evidence import accounts_critical
from lifeline.recovery.models import RecoveryProof, RecoveryRequest
from lifeline.recovery.staff import queue as staff_queue
from lifeline.recovery.staff.queue import PAGE_SIZE, QueueFilters, critical_q, queue_page
from lifeline.recovery.states import State
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OK, STRONG = RecoveryProof.Result.OK, RecoveryProof.Strength.STRONG


def open_cases(count: int, *, now: datetime, start: int = 0, **fields: Any) -> list[Any]:
    """``count`` open cases naming no account, the first the oldest (one minute apart)."""
    return RecoveryRequest.objects.bulk_create(
        RecoveryRequest(
            username_entered=f"nobody{i}",
            contact_email=f"c{i}@contact.example",
            state=State.OPEN,
            queued_at=now - timedelta(days=3, minutes=-i),
            challenge=secrets.token_hex(16),
            **fields,
        )
        for i in range(start, start + count)
    )


def newest_case(
    now: datetime, *, user: Any = None, state: str = State.OPEN, **fields: Any
) -> RecoveryRequest:
    """A case queued after every case of ``open_cases``: the last one, oldest first."""
    return RecoveryRequest.objects.create(
        username_entered=user.username if user else "someone",
        user=user,
        contact_email="late@contact.example",
        state=state,
        queued_at=now - timedelta(hours=1),
        challenge=secrets.token_hex(16),
        **fields,
    )


def strong_proofs(request_obj: RecoveryRequest) -> None:
    for method, boundary in (("api_token", "api_token"), ("repository", "repository:gh.io/a")):
        RecoveryProof.objects.create(
            request=request_obj, method=method, result=OK, strength=STRONG, boundary=boundary
        )


def shown(page: staff_queue.QueuePage) -> list[int]:
    return [row.request_obj.pk for row in page.rows]


@pytest.fixture
def actor(db) -> Any:
    return UserFactory(username="sam", is_staff=True)


@pytest.fixture
def now() -> datetime:
    return timezone.now()


def test_critical_and_contested_filters_find_a_case_past_the_old_500_row_limit(actor, now):
    open_cases(505, now=now)
    critical = newest_case(now, user=UserFactory(username="bigshot", is_critical=True))
    claimed = UserFactory(username="claimed")
    # Contested through another request for the same account (the owner objected to it).
    RecoveryRequest.objects.create(
        username_entered="claimed",
        user=claimed,
        contact_email="first@contact.example",
        state=State.CANCELLED_BY_OWNER,
        contested=True,
        challenge=secrets.token_hex(16),
    )
    contested = newest_case(now, user=claimed)

    only_critical = queue_page(QueueFilters(critical="yes"), actor=actor)
    assert shown(only_critical) == [critical.pk] and only_critical.total == 1
    assert only_critical.rows[0].critical

    only_contested = queue_page(QueueFilters(contested="yes"), actor=actor)
    assert shown(only_contested) == [contested.pk]
    assert only_contested.rows[0].contested and not only_contested.contested_section

    # Unfiltered: the newest case of 507 is contested, so it comes first, in its own section.
    first = queue_page(QueueFilters(), actor=actor)
    assert [row.request_obj.pk for row in first.contested] == [contested.pk]
    assert first.contested_section and len(first.rows) == PAGE_SIZE
    assert contested.pk not in shown(first) and first.total == 506
    assert first.num_pages == 11 and first.has_next

    not_critical = queue_page(QueueFilters(critical="no", contested="no"), actor=actor, page=11)
    assert critical.pk not in shown(not_critical) and not_critical.total == 505


def test_the_level_filter_finds_a_strong_case_past_the_first_page(actor, now, monkeypatch):
    monkeypatch.setattr(staff_queue, "SCAN_CHUNK", 20)  # several chunks for 60 cases
    open_cases(60, now=now)
    strong = newest_case(now)
    strong_proofs(strong)
    # One strong proof alone is moderate: SQL lets it through, the policy keeps it out.
    moderate = open_cases(1, now=now, start=60)[0]
    RecoveryProof.objects.create(
        request=moderate, method="api_token", result=OK, strength=STRONG, boundary="api_token"
    )

    found = queue_page(QueueFilters(level="strong"), actor=actor)
    assert shown(found) == [strong.pk]
    assert found.rows[0].evidence.level == "strong"
    assert found.num_pages == 1 and not found.has_next and not found.searched

    weak = queue_page(QueueFilters(level="weak"), actor=actor)
    # The search stopped once the page was full (and one more found): the count is unknown.
    assert len(weak.rows) == PAGE_SIZE and weak.has_next and weak.num_pages is None
    second = queue_page(QueueFilters(level="weak"), actor=actor, page=2)
    assert len(second.rows) == 10 and not second.has_next and second.num_pages == 2
    assert strong.pk not in shown(second) and moderate.pk not in shown(second)
    assert queue_page(QueueFilters(level="moderate"), actor=actor).rows[0].request_obj == moderate


def test_the_level_search_says_when_it_stopped_at_its_limit(actor, now, monkeypatch):
    monkeypatch.setattr(staff_queue, "SCAN_LIMIT", 30)
    monkeypatch.setattr(staff_queue, "SCAN_CHUNK", 20)
    open_cases(40, now=now)
    strong = newest_case(now)
    strong_proofs(strong)
    # Without a strong proof a case can't be strong: SQL skips the 40, the policy reads one.
    assert shown(queue_page(QueueFilters(level="strong"), actor=actor)) == [strong.pk]

    moderate = queue_page(QueueFilters(level="moderate"), actor=actor)
    assert moderate.rows == [] and not moderate.searched  # nothing could be moderate: nothing read
    for case in RecoveryRequest.objects.filter(username_entered__startswith="nobody"):
        RecoveryProof.objects.create(
            request=case, method="api_token", result=OK, strength=STRONG, boundary="api_token"
        )
    capped = queue_page(QueueFilters(level="strong"), actor=actor)
    # The 40 one-proof cases come first (oldest) and are moderate; the search stops at 30.
    assert capped.rows == [] and capped.searched == 30
    newest = queue_page(QueueFilters(level="strong", order="newest"), actor=actor)
    assert shown(newest) == [strong.pk]


def test_pages_of_fifty_oldest_first_and_bad_page_numbers(actor, now):
    cases = open_cases(60, now=now)
    first = queue_page(QueueFilters(), actor=actor)
    assert shown(first) == [c.pk for c in cases[:PAGE_SIZE]]
    assert (first.number, first.num_pages, first.total, first.has_next) == (1, 2, 60, True)
    second = queue_page(QueueFilters(), actor=actor, page="2")
    assert shown(second) == [c.pk for c in cases[PAGE_SIZE:]]
    assert second.has_previous and not second.has_next and not second.requested
    newest = queue_page(QueueFilters(order="newest"), actor=actor, page=2)
    assert shown(newest) == [c.pk for c in reversed(cases[:10])]
    for bad, number in (("abc", 1), ("0", 1), ("-3", 1), ("999", 2), ("9" * 40, 2)):
        page = queue_page(QueueFilters(), actor=actor, page=bad)
        assert page.number == number and page.rows, bad
        assert page.requested == bad[:20]


def test_contested_cases_come_first_and_only_on_the_first_page(actor, now):
    cases = open_cases(55, now=now)
    RecoveryRequest.objects.filter(pk__in=[cases[30].pk, cases[54].pk]).update(contested=True)
    first = queue_page(QueueFilters(), actor=actor)
    assert [r.request_obj.pk for r in first.contested] == [cases[30].pk, cases[54].pk]
    assert all(r.contested for r in first.contested) and first.total == 53
    second = queue_page(QueueFilters(), actor=actor, page=2)
    assert second.contested == [] and second.contested_listed_first

    assert cases[30].pk not in shown(first) + shown(second)
    # The first page as one list (contested, then oldest first), as before pagination.
    assert [r.request_obj.pk for r in staff_queue.queue(QueueFilters(), actor=actor)][:3] == [
        cases[30].pk,
        cases[54].pk,
        cases[0].pk,
    ]


def test_a_page_past_the_end_of_one_page_is_the_first_with_its_contested_section(actor, now):
    cases = open_cases(3, now=now)
    RecoveryRequest.objects.filter(pk=cases[2].pk).update(contested=True)
    past = queue_page(QueueFilters(), actor=actor, page=7)
    assert past.number == 1 and past.requested == "7" and past.contested_section
    assert [r.request_obj.pk for r in past.contested] == [cases[2].pk]
    assert shown(past) == [cases[0].pk, cases[1].pk]


def test_the_contested_section_has_a_limit_and_says_so(actor, now, monkeypatch):
    monkeypatch.setattr(staff_queue, "CONTESTED_LIMIT", 3)
    open_cases(5, now=now, contested=True)
    first = queue_page(QueueFilters(), actor=actor)
    assert len(first.contested) == 3 and first.contested_more
    assert len(queue_page(QueueFilters(contested="yes"), actor=actor).rows) == 5


def account(name: str, *, flagged: bool = False, releases: int = 1, roles: int = 1) -> Any:
    """An account that owns one project with ``releases`` releases and ``roles`` roles."""
    user = UserFactory(username=name, is_critical=flagged)
    project = Project.objects.create(name=f"{name}-p", normalized_name=f"{name}-p")
    for n in range(releases):
        Release.objects.create(project=project, version=f"1.{n}", canonical_version=f"1.{n}")
    Role.objects.create(project=project, user=user, role=Role.Kind.OWNER)
    for n in range(roles - 1):
        helper = UserFactory(username=f"{name}-helper{n}")
        Role.objects.create(project=project, user=helper, role=Role.Kind.MAINTAINER)
    return user


@pytest.mark.parametrize("releases_threshold,roles_threshold", [(3, 4), (0, 4), (3, 0), (0, 0)])
def test_critical_in_sql_agrees_with_the_policy(now, settings, releases_threshold, roles_threshold):
    settings.LIFELINE_RECOVERY_CRITICAL_RELEASES = releases_threshold
    settings.LIFELINE_RECOVERY_CRITICAL_MAINTAINERS = roles_threshold
    users = [
        account("small"),
        account("flagged", flagged=True),
        account("releases", releases=3),
        account("nearly", releases=2, roles=3),
        account("team", roles=4),
    ]
    maintainer = UserFactory(username="maintainer")  # maintains the big team's project
    Role.objects.create(
        project=Project.objects.get(name="team-p"), user=maintainer, role=Role.Kind.MAINTAINER
    )
    users += [maintainer, UserFactory(username="none")]
    cases = {newest_case(now, user=u).pk: u.pk for u in users}
    cases[newest_case(now).pk] = None  # a request naming no account
    in_sql = set(RecoveryRequest.objects.filter(critical_q()).values_list("pk", flat=True))
    by_policy = accounts_critical(users)
    expected = {pk for pk, user_pk in cases.items() if user_pk and by_policy[user_pk][0]}
    assert in_sql == expected
    assert len(expected) == 1 + bool(releases_threshold) + 2 * bool(roles_threshold)
