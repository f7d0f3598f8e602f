"""The desk queue costs a constant number of queries (issue 15, item 6).

Whether an account is critical (it can upload to a big project, as owner or maintainer) was
computed with one query per row; it is now computed for all rows at once. The page runs the
same number of queries for 3 cases as for 30, and each row still says the right thing.
"""

from __future__ import annotations

import secrets

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lifeline.index.models import Project, Release, Role
from lifeline.recovery.evidence import account_is_critical, accounts_critical
from lifeline.recovery.models import RecoveryProof, RecoveryRequest
from lifeline.recovery.states import State
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def make_cases(count: int, *, start: int = 0) -> list[RecoveryRequest]:
    """``count`` open cases, each for an account that owns one project and maintains another,
    with a proof; every third account's project is over the maintainer threshold."""
    now = timezone.now()
    cases = []
    for i in range(start, start + count):
        user = UserFactory(username=f"acct{i}")
        own = Project.objects.create(name=f"own-{i}", normalized_name=f"own-{i}")
        Release.objects.create(project=own, version="1.0", canonical_version="1")
        Role.objects.create(project=own, user=user, role=Role.Kind.OWNER)
        shared = Project.objects.create(name=f"shared-{i}", normalized_name=f"shared-{i}")
        Role.objects.create(project=shared, user=user, role=Role.Kind.MAINTAINER)
        if i % 3 == 0:  # a big project by its maintainers: critical through a maintainer role
            for j in range(3):
                helper = UserFactory(username=f"helper{i}-{j}")
                Role.objects.create(project=shared, user=helper, role=Role.Kind.MAINTAINER)
        request_obj = RecoveryRequest.objects.create(
            username_entered=user.username,
            user=user,
            contact_email=f"c{i}@contact.example",
            state=State.OPEN,
            queued_at=now,
            challenge=secrets.token_hex(16),
        )
        RecoveryProof.objects.create(
            request=request_obj,
            method=RecoveryProof.Method.API_TOKEN,
            result=RecoveryProof.Result.OK,
            strength=RecoveryProof.Strength.STRONG,
            boundary="api_token",
        )
        cases.append(request_obj)
    return cases


def queue_queries(client) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/desk/")
    assert response.status_code == 200
    return len(queries), response.content


def test_the_queue_page_is_a_constant_number_of_queries(staff_client, settings):
    settings.LIFELINE_RECOVERY_CRITICAL_MAINTAINERS = 4
    make_cases(3)
    queue_queries(staff_client)  # the session's first request does its one-off bookkeeping
    few, page = queue_queries(staff_client)
    assert page.count(b"acct") >= 3
    make_cases(27, start=3)
    many, page = queue_queries(staff_client)
    assert page.count(b"acct29") >= 1
    assert few == many, f"{few} queries for 3 cases, {many} for 30"


def test_batched_criticality_matches_the_one_account_rule(settings):
    settings.LIFELINE_RECOVERY_CRITICAL_MAINTAINERS = 4
    cases = make_cases(6)
    users = [c.user for c in cases]
    with CaptureQueriesContext(connection) as queries:
        batched = accounts_critical(users)
    assert len(queries) == 2
    for user in users:
        assert batched[user.pk] == account_is_critical(user)
    # Accounts 0 and 3 maintain a project with 4 maintainers: critical through a maintainer role.
    assert [batched[u.pk][0] for u in users] == [True, False, False, True, False, False]
    assert "4 maintainers" in batched[users[0].pk][1][0]
