"""The staff and requester pages cost a constant number of queries (issue 15, "at a million
users"): the desk queue, a case page, the desk metrics (computed afresh, not from the cache)
and a requester's status page run the same queries for 5 cases (one of each shape) as for
30, whatever the accounts (critical by their projects' maintainers, by the staff flag, or
not), the proofs, the audit trail and the messages. bench/scale_pages.py times the same pages
at 1M users.

Rows are written directly through the models (looked up by app label, so moving services
between modules does not touch this test). Runs on SQLite, and on PostgreSQL with
``DATABASE_URL``. No timings here: only counts.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lifeline.recovery import crypto
from tests.factories import UserFactory
from tests.fixtures_mfa import enter_sudo, make_2fa_account

pytestmark = pytest.mark.django_db

STAFF_JUSTIFICATION = "Token and repository proofs both check out."


def model(label: str) -> Any:
    return apps.get_model(label)


def make_cases(count: int, *, start: int = 0, staff: Any = None) -> list[Any]:
    """``count`` cases for ``count`` accounts, in the shapes the desk meets.

    Every account owns a project with a release and maintains another; every third
    maintained project has four maintainers more (critical by maintainers, with the
    threshold the tests set), every fifth account is flagged critical by staff. Cases cycle
    through open (some assigned, some contested), waiting for the requester, and decided in
    the metrics window (approved or denied); each has 1-3 proofs, its audit trail and a
    message from each side.
    """
    project, release, role = (model(f"index.{m}") for m in ("Project", "Release", "Role"))
    request_model = model("recovery.RecoveryRequest")
    proof, audit, message = (
        model(f"recovery.{m}") for m in ("RecoveryProof", "RecoveryAudit", "RecoveryMessage")
    )
    now = timezone.now()
    cases = []
    for i in range(start, start + count):
        user = UserFactory(username=f"acct{i}", is_critical=i % 5 == 4)
        own = project.objects.create(name=f"own-{i}", normalized_name=f"own-{i}")
        release.objects.create(project=own, version="1.0", canonical_version="1", uploader=user)
        role.objects.create(project=own, user=user, role="owner")
        shared = project.objects.create(name=f"shared-{i}", normalized_name=f"shared-{i}")
        role.objects.create(project=shared, user=user, role="maintainer")
        if i % 3 == 0:
            for j in range(4):
                helper = UserFactory(username=f"helper{i}-{j}")
                role.objects.create(project=shared, user=helper, role="maintainer")
        shape = ("open", "open", "needs_info", "approved", "denied")[i % 5]
        queued = now - timedelta(days=1 + i % 9, hours=i)
        decided = queued + timedelta(hours=5) if shape in ("approved", "denied") else None
        responded = queued + timedelta(hours=2) if shape != "open" else None
        case = request_model.objects.create(
            username_entered=user.username,
            user=user,
            contact_email=f"c{i}@contact.example",
            contact_verified_at=queued - timedelta(minutes=5),
            state=shape,
            created=queued - timedelta(minutes=10),
            queued_at=queued,
            decided_at=decided,
            first_response_at=responded,
            completes_at=now + timedelta(days=2) if shape == "approved" else None,
            contested=shape == "open" and i % 4 == 1,
            assignee=staff if i % 2 else None,
            challenge=secrets.token_hex(16),
        )
        for k in range(1 + i % 3):
            method, strength, boundary = (
                ("api_token", "strong", "api_token"),
                ("repository", "strong", f"repository:code.example/acct{i}"),
                ("knowledge", "weak", "knowledge"),
            )[k]
            proof.objects.create(
                request=case,
                method=method,
                result="ok" if (i + k) % 4 else "failed",
                strength=strength,
                boundary=boundary,
                reason="Checked.",
            )
        path = {"open": ["open"], "needs_info": ["open", "needs_info"]}.get(shape, ["open", shape])
        previous = "submitted"
        for to in path:
            by_staff = to != "open"
            audit.objects.create(
                request=case,
                from_state=previous,
                to_state=to,
                actor=staff if by_staff else None,
                actor_kind="staff" if by_staff else "requester",
                justification=STAFF_JUSTIFICATION if by_staff else "",
                created=decided or responded or queued,
            )
            previous = to
        message.objects.create(request=case, author_kind="requester", body="My old address.")
        message.objects.create(request=case, author_kind="staff", author=staff, body="Thanks.")
        cases.append(case)
    return cases


@pytest.fixture
def desk(client, settings) -> Any:
    """A support staff member with 2FA, signed in with both factors."""
    settings.LIFELINE_RECOVERY_CRITICAL_MAINTAINERS = 4
    account = make_2fa_account(UserFactory(username="sam", is_staff=True))
    account.user.groups.add(Group.objects.get_or_create(name="support")[0])
    client.force_login(account.user)
    enter_sudo(client, account.user)
    client.staff = account.user
    return client


def queries_for(client: Any, url: str, *, fresh_cache: bool = False) -> tuple[int, bytes]:
    if fresh_cache:
        cache.clear()  # the metrics figures are cached for a minute: count their computation
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), response.content


def status_client(case: Any) -> tuple[Client, str]:
    """A requester's browser that entered the status link of ``case``."""
    case.refresh_from_db()
    browser = Client(REMOTE_ADDR="198.51.100.9")
    token = crypto.status_token(str(case.public_id), case.contact_verified_at.isoformat())
    entered = browser.get(f"/recovery/status/{case.public_id}/{token}/")
    assert entered.status_code == 302
    return browser, f"/recovery/status/{case.public_id}/"


def test_desk_pages_cost_the_same_queries_for_5_cases_as_for_30(desk):
    # Five: one case of each shape, so no query is skipped for lack of rows (Django runs no
    # query for an empty ``__in``: with no decision in the window, one query fewer).
    few_cases = make_cases(5, staff=desk.staff)
    first = few_cases[0]
    pages = {
        "queue": ("/desk/", False),
        "queue, all states": ("/desk/?state=all", False),
        "case": (f"/desk/cases/{first.public_id}/", False),
        "metrics": ("/desk/metrics/", True),
    }
    for url, fresh in pages.values():
        queries_for(desk, url, fresh_cache=fresh)  # one-off session bookkeeping
    few = {name: queries_for(desk, url, fresh_cache=fresh) for name, (url, fresh) in pages.items()}

    make_cases(25, start=5, staff=desk.staff)
    many = {name: queries_for(desk, url, fresh_cache=fresh) for name, (url, fresh) in pages.items()}

    counts = {name: (few[name][0], many[name][0]) for name in pages}
    assert all(a == b for a, b in counts.values()), f"queries (5 cases, 30 cases): {counts}"
    # The larger pages really show the larger data.
    assert b"acct29" in many["queue, all states"][1] and b"acct29" not in few["queue"][1]
    assert many["metrics"][1] != few["metrics"][1]


def test_a_case_page_costs_the_same_whatever_the_case_holds(desk):
    """Two open cases of the same shape, one with a proof and two messages, the other with
    three proofs, a longer audit trail and twenty more messages: the same queries (nothing
    is fetched per proof, audit row or message)."""
    small = make_cases(1, staff=desk.staff)[0]
    big = make_cases(1, start=30, staff=desk.staff)[0]  # 30 has the shape of 0
    proof, audit, message = (
        model(f"recovery.{m}") for m in ("RecoveryProof", "RecoveryAudit", "RecoveryMessage")
    )
    for method, boundary in (("repository", "repository:code.example/acct30"), ("knowledge", "")):
        proof.objects.create(
            request=big, method=method, result="ok", strength="strong", boundary=boundary
        )
    for n in range(10):
        message.objects.create(request=big, author_kind="requester", body=f"More detail {n}.")
        message.objects.create(request=big, author_kind="staff", author=desk.staff, body="Noted.")
        audit.objects.create(
            request=big,
            from_state="open",
            to_state="open",
            actor=desk.staff,
            actor_kind="staff",
            justification=STAFF_JUSTIFICATION,
            details={"action": "assign"},
        )
    for case in (small, big):
        queries_for(desk, f"/desk/cases/{case.public_id}/")  # one-off session bookkeeping
    few, _ = queries_for(desk, f"/desk/cases/{small.public_id}/")
    many, page = queries_for(desk, f"/desk/cases/{big.public_id}/")
    assert page.count(b"More detail") == 10
    assert few == many, f"{few} queries for the small case, {many} for the big one"


def test_the_requester_status_page_costs_the_same_for_5_cases_as_for_30(desk):
    mine = make_cases(5, staff=desk.staff)[0]
    browser, url = status_client(mine)
    browser.get(url)  # one-off session bookkeeping
    cache.clear()
    few, page = queries_for(browser, url)
    assert b"queue" in page.lower()

    make_cases(25, start=5, staff=desk.staff)
    cache.clear()
    many, _ = queries_for(browser, url)
    assert few == many, f"{few} queries with 5 cases, {many} with 30"
