"""Simple pages are rendered once per change and shared by every worker (issue 15, items 2, 4).

A worker's in-memory LRU is a front for the shared store (``SimplePage`` rows): a new worker,
simulated by clearing the LRU, serves a page another worker rendered without rendering it
again, with the same bytes, ETag and ``Content-Length``. An upload (serial bump) or a new
project makes the next request render the new version. The root index costs a constant
number of queries however many projects exist: no aggregate over the project table.
"""

from __future__ import annotations

import gzip

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifeline.index.models import Project, SimplePage
from lifeline.index.simple import render
from tests.index.helpers import upload

pytestmark = pytest.mark.django_db
JSON = "application/vnd.pypi.simple.v1+json"
PIP = "gzip, deflate"


@pytest.fixture
def published(client, maintainer, token):
    assert upload(client, token, "demo-pkg", "1.0").status_code == 200
    return token


def _renders_during(fn):
    before = render.renders
    result = fn()
    return render.renders - before, result


@pytest.mark.parametrize("path", ["/simple/demo-pkg/", "/simple/"])
@pytest.mark.parametrize("accept", ["text/html", JSON])
def test_a_new_worker_starts_warm(client, published, path, accept):
    first = client.get(path, HTTP_ACCEPT=accept, HTTP_ACCEPT_ENCODING=PIP)
    assert first.status_code == 200
    render.cache.clear()  # another worker: nothing in its memory

    with CaptureQueriesContext(connection) as queries:
        rendered, again = _renders_during(
            lambda: client.get(path, HTTP_ACCEPT=accept, HTTP_ACCEPT_ENCODING=PIP)
        )
    assert rendered == 0, "the page was rendered again instead of read from the shared store"
    # The state lookup and the stored rendering: no file or release query.
    assert len(queries) == 2, [q["sql"] for q in queries.captured_queries]
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert int(again["Content-Length"]) == len(again.content)
    assert again["Content-Encoding"] == "gzip" and b"demo-pkg" in gzip.decompress(again.content)
    # And the same page without gzip comes from the same stored rendering.
    render.cache.clear()
    plain_renders, plain = _renders_during(lambda: client.get(path, HTTP_ACCEPT=accept))
    assert plain_renders == 0 and plain.content == gzip.decompress(first.content)


def test_a_hot_page_costs_one_query(client, published):
    client.get("/simple/demo-pkg/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/simple/demo-pkg/").status_code == 200
    assert len(queries) == 1


def test_rendered_once_per_change_across_workers(client, published):
    rendered, _ = _renders_during(lambda: client.get("/simple/demo-pkg/"))
    assert rendered == 1
    for _worker in range(3):
        render.cache.clear()
        rendered, _ = _renders_during(lambda: client.get("/simple/demo-pkg/"))
        assert rendered == 0
    assert SimplePage.objects.filter(key__startswith="project:").count() == 1


def test_an_upload_is_served_at_once_by_every_worker(client, published):
    old = client.get("/simple/demo-pkg/")
    assert b"1.0" in old.content and b"2.0" not in old.content
    assert upload(client, published, "demo-pkg", "2.0").status_code == 200
    render.cache.clear()
    rendered, new = _renders_during(lambda: client.get("/simple/demo-pkg/"))
    assert rendered == 1 and b"2.0" in new.content and new["ETag"] != old["ETag"]
    # The old ETag no longer revalidates; the new one does.
    assert client.get("/simple/demo-pkg/", HTTP_IF_NONE_MATCH=old["ETag"]).status_code == 200
    assert client.get("/simple/demo-pkg/", HTTP_IF_NONE_MATCH=new["ETag"]).status_code == 304
    # The shared store holds one row per page and format, replaced, not accumulated.
    assert SimplePage.objects.filter(key__startswith="project:").count() == 1


def test_a_new_project_appears_in_the_root_index_of_every_worker(client, published):
    old = client.get("/simple/")
    assert b"demo-pkg" in old.content and b"other-pkg" not in old.content
    assert upload(client, published, "other-pkg", "1.0").status_code == 200
    render.cache.clear()
    new = client.get("/simple/")
    assert b"other-pkg" in new.content and new["ETag"] != old["ETag"]
    # A new project created outside the upload path (a signal bumps the serial) shows too.
    Project.objects.create(name="third", normalized_name="third")
    assert b"third" in client.get("/simple/").content


def test_a_deleted_project_leaves_the_root_index(client, published):
    client.get("/simple/")
    Project.objects.filter(normalized_name="demo-pkg").delete()
    assert b"demo-pkg" not in client.get("/simple/").content


def test_the_root_index_is_a_constant_number_of_queries(client, published):
    def queries_for_root() -> int:
        render.cache.clear()
        client.get("/simple/")  # renders (or reads) once
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/simple/").status_code == 200
        return len(queries)

    few = queries_for_root()
    Project.objects.bulk_create(
        Project(name=f"bulk-{i}", normalized_name=f"bulk-{i}") for i in range(200)
    )
    many = queries_for_root()
    assert few == many == 1
    # Bulk-loaded projects (no signals) still change the version: the newest id is in it.
    assert b"bulk-199" in client.get("/simple/").content


def test_the_root_index_runs_no_aggregate(client, published):
    client.get("/simple/")
    render.cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get("/simple/")
    sql = " ".join(q["sql"].upper() for q in queries.captured_queries)
    assert "COUNT(" not in sql and "LAST_CHANGED" not in sql


def test_a_failed_store_still_serves_the_page(client, published, monkeypatch):
    from django.db import DatabaseError

    def broken(*args, **kwargs):
        raise DatabaseError("read-only")

    monkeypatch.setattr(SimplePage.objects, "bulk_create", broken)
    SimplePage.objects.all().delete()
    render.cache.clear()
    response = client.get("/simple/demo-pkg/")
    assert response.status_code == 200 and b"demo-pkg" in response.content
