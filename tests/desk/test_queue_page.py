"""The queue page at the desk: 50 cases a page with page links, contested cases in their own
section, a clear page for any page number, the same queries for 5 cases as for 60, and the
timer sweep at most once a minute (issue 15)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lifeline.desk.views.queue import SWEEP_KEY
from lifeline.recovery.models import RecoveryRequest
from lifeline.recovery.staff import queue as staff_queue
from lifeline.recovery.states import State
from tests.recovery.staff.test_queue import newest_case, open_cases, strong_proofs

pytestmark = pytest.mark.django_db


def get(client, query: str = "") -> str:
    response = client.get(f"/desk/{query}")
    assert response.status_code == 200, query
    return response.content.decode()


def references(html: str) -> list[str]:
    return re.findall(r">(R-[0-9A-F]{8})</a>", html)


def test_fifty_a_page_with_labelled_page_links_that_keep_the_filters(staff_client):
    now = timezone.now()
    cases = open_cases(60, now=now)
    first = get(staff_client)
    assert references(first) == [c.reference for c in cases[:50]]
    assert "<dt>Open</dt><dd>60</dd>" in first  # the counts still count every case
    assert "Page 1 of 2<" in first and "60 cases match, oldest first, 50 a page." in first
    assert 'aria-label="Next page, page 2"' in first and 'aria-label="Queue pages"' in first
    second = get(staff_client, "?page=2")
    assert references(second) == [c.reference for c in cases[50:]]
    assert 'aria-label="Previous page, page 1"' in second and "Next page" not in second
    assert "<title>Support desk (page 2)" in second

    filtered = get(staff_client, "?order=newest&assignee=none")
    assert 'href="?order=newest&amp;assignee=none&amp;page=2"' in filtered
    assert references(filtered)[0] == cases[-1].reference


def test_a_page_that_does_not_exist_gives_a_page_that_says_so(staff_client):
    open_cases(60, now=timezone.now())
    for query, shown in (("?page=abc", 1), ("?page=999", 2), ("?page=-1", 1)):
        html = get(staff_client, query)
        assert f"this is page {shown}." in html, query
        assert f"Page {shown} of 2" in html
    assert "There is no page “999” (there are 2)" in get(staff_client, "?page=999")
    assert "There is no page" not in get(staff_client, "?page=1")
    # An absurd age filter is refused by the form, not a server error.
    assert "No cases match." not in get(staff_client, "?min_age_days=99999999999")


def test_contested_cases_in_their_own_section_on_the_first_page(staff_client):
    now = timezone.now()
    cases = open_cases(60, now=now)
    RecoveryRequest.objects.filter(pk=cases[-1].pk).update(contested=True)
    first = get(staff_client)
    assert '<h2 id="contested-heading">Contested</h2>' in first
    assert references(first)[0] == cases[-1].reference  # the newest case, listed first
    assert first.index("contested-heading") < first.index("Other cases")
    assert "Page 1 of 2<" in first and "59 cases match" in first
    second = get(staff_client, "?page=2")
    assert "contested-heading" not in second and "Contested cases are listed first" in second
    assert cases[-1].reference not in second
    # Filtered to contested cases: one plain list, no section.
    only = get(staff_client, "?contested=yes")
    assert "contested-heading" not in only and references(only) == [cases[-1].reference]


def test_the_level_search_says_when_it_stopped(staff_client, monkeypatch):
    monkeypatch.setattr(staff_queue, "SCAN_LIMIT", 20)
    now = timezone.now()
    open_cases(30, now=now)
    strong = newest_case(now)
    strong_proofs(strong)
    assert references(get(staff_client, "?level=strong")) == [strong.reference]
    html = get(staff_client, "?level=weak&order=newest&page=2")
    assert "Searched the newest 20 cases for weak evidence" in html
    assert "Page 1 of 1" not in html and "this is page 1." in html


def queries(client, query: str = "") -> int:
    with CaptureQueriesContext(connection) as captured:
        get(client, query)
    return len(captured)


def test_the_first_page_costs_the_same_queries_for_5_cases_as_for_60(staff_client):
    now = timezone.now()
    open_cases(4, now=now)
    RecoveryRequest.objects.filter(pk=newest_case(now).pk).update(contested=True)
    get(staff_client)  # the session's first request does its one-off bookkeeping
    few = (queries(staff_client), queries(staff_client, "?critical=yes&contested=no"))
    open_cases(55, now=now, start=4)
    many = (queries(staff_client), queries(staff_client, "?critical=yes&contested=no"))
    assert few == many, f"queries for 5 cases {few}, for 60 {many}"
    assert queries(staff_client, "?page=2") <= many[0]


def test_the_desk_fires_due_timers_at_most_once_a_minute(staff_client):
    cache.delete(SWEEP_KEY)
    due = timezone.now() - timedelta(seconds=1)
    first = newest_case(timezone.now(), state=State.APPROVED, completes_at=due)
    with CaptureQueriesContext(connection) as captured:
        get(staff_client)
    first.refresh_from_db()
    assert first.state == State.READY  # no worker needed: the desk's look moved it
    assert [q for q in captured if '"completes_at" <=' in q["sql"]]  # the sweep's query

    second = newest_case(timezone.now(), state=State.APPROVED, completes_at=due)
    with CaptureQueriesContext(connection) as captured:
        get(staff_client)
    second.refresh_from_db()
    assert second.state == State.APPROVED  # swept less than a minute ago: not again
    assert not [q for q in captured if '"completes_at" <=' in q["sql"]]  # no sweep query

    cache.delete(SWEEP_KEY)  # a minute later
    get(staff_client)
    second.refresh_from_db()
    assert second.state == State.READY
