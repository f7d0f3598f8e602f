"""Health endpoints and the clean 503 when the database is away."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.db import OperationalError

from lifeline.ops import health

pytestmark = pytest.mark.django_db


def test_live_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/_health/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert (
        response["Cache-Control"].startswith("no-store") or "no-cache" in response["Cache-Control"]
    )


def test_ready_checks_database_cache_and_storage(client):
    response = client.get("/_health/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "storage": "ok"}
    assert not default_storage.listdir("_health")[1]  # the probe file is cleaned up


def test_ready_answers_a_load_balancer_probing_by_ip(client, settings):
    settings.ALLOWED_HOSTS = ["pypi.example.org"]
    assert client.get("/_health/ready", HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400


@pytest.mark.parametrize("part", ["database", "cache", "storage"])
def test_ready_names_the_failing_part_with_503(client, monkeypatch, part):
    def broken() -> None:
        raise ConnectionRefusedError("secret-hostname:1234 refused")

    monkeypatch.setitem(health.CHECKS, part, broken)
    response = client.get("/_health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail" and body["failing"] == [part]
    assert body["checks"][part] == "fail: ConnectionRefusedError"
    assert "secret-hostname" not in response.content.decode()  # details only in the log


def test_real_storage_failure_is_reported(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(default_storage, "save", refuse)
    response = client.get("/_health/ready")
    assert response.status_code == 503 and response.json()["failing"] == ["storage"]


def test_database_unavailable_gives_a_clean_503(client_logged_in, monkeypatch):
    """The session lookup (in middleware) and the error page both need the database."""
    from django.db import connection

    def down(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')

    monkeypatch.setattr(connection, "_cursor", down)
    # Django reports the error (got_request_exception) before we answer 503; the test client
    # would re-raise what was reported, where a real server only sees the 503.
    client_logged_in.raise_request_exception = False
    html = client_logged_in.get("/account/security/", HTTP_ACCEPT="text/html")
    assert html.status_code == 503 and html["Retry-After"] == "30"
    assert b"Temporarily unavailable" in html.content and b"Traceback" not in html.content
    api = client_logged_in.get("/simple/", HTTP_ACCEPT="application/vnd.pypi.simple.v1+json")
    assert api.status_code == 503 and api.json()["failing"] == ["database"]
    ready = client_logged_in.get("/_health/ready")
    assert ready.status_code == 503 and ready.json()["failing"][0] == "database"
    monkeypatch.undo()
    assert client_logged_in.get("/account/security/").status_code in (200, 302)


def test_a_bug_that_sqlite_reports_as_operational_error_stays_a_500(rf):
    from lifeline.ops.middleware import DatabaseUnavailableMiddleware, is_database_unavailable

    assert not is_database_unavailable(OperationalError("no such table: foo"))
    assert is_database_unavailable(OperationalError("database is locked"))
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    assert middleware.process_exception(rf.get("/"), OperationalError("no such column")) is None


def test_every_response_has_a_request_id(client, settings):
    first = client.get("/_health/live")["X-Request-ID"]
    second = client.get("/")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_request_id_from_the_client_is_ignored_without_a_trusted_proxy(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    response = client.get("/", HTTP_X_REQUEST_ID="chosen-by-attacker")
    assert response["X-Request-ID"] != "chosen-by-attacker"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    response = client.get("/", HTTP_X_REQUEST_ID="lb-4f2a9c")
    assert response["X-Request-ID"] == "lb-4f2a9c"
    response = client.get("/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
