"""Structured logs carry request ids and never a password, token or code that was posted."""

from __future__ import annotations

import base64
import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest
from django.test import Client

from lifeline.ops.logs import JsonFormatter
from lifeline.ops.reporting import SafeExceptionReporter

pytestmark = pytest.mark.django_db

PASSWORD = "Sup3r Secret&Pa55!word"
TOKEN = "llpi-AbC123dEf456gHi789jKl012mNo345pQr678"
CODE = "492817"
EMAIL_KEY = "MTI:1tQxYz:Hk3vB9sLmN0pQrStUvWxYz012345"
SECRETS = [PASSWORD, TOKEN, TOKEN[5:], CODE, EMAIL_KEY, "Secret&Pa55"]


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The configured console handler (with its filters), writing JSON into a buffer."""
    root = logging.getLogger()
    (handler,) = [h for h in root.handlers if h.get_name() == "console"]
    stream = io.StringIO()
    old_stream, old_formatter, old_level = handler.stream, handler.formatter, root.level
    handler.setStream(stream)
    handler.setFormatter(JsonFormatter())
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        handler.setStream(old_stream)
        handler.setFormatter(old_formatter)
        root.setLevel(old_level)


def records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def assert_no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked into:\n{text}"
    basic = base64.b64encode(f"__token__:{TOKEN}".encode()).decode()
    assert basic not in text


def test_posted_secrets_never_reach_the_logs(json_log, settings, user):
    settings.ROOT_URLCONF = "tests.ops.urls_boom"
    settings.DEBUG = False
    client = Client(raise_request_exception=False)

    client.post("/account/login/", {"login": user.username, "password": PASSWORD})
    client.post(
        "/account/signup/",
        {"username": "x", "email": "x@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    client.post("/account/2fa/authenticate/", {"code": CODE})
    basic = base64.b64encode(f"__token__:{TOKEN}".encode()).decode()
    client.post("/legacy/", {":action": "file_upload"}, HTTP_AUTHORIZATION=f"Basic {basic}")
    client.get(f"/simple/?token={TOKEN}&code={CODE}", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    client.get(f"/account/confirm-email/{EMAIL_KEY}/")
    failed = client.post(
        "/_test/boom/", {"password": PASSWORD, "token": TOKEN, "code": CODE, "login": "bob"}
    )
    assert failed.status_code == 500
    logging.getLogger("lifeline.test").warning(
        "careless %s", TOKEN, extra={"password": PASSWORD, "details": {"code": CODE}}
    )

    text = json_log.getvalue()
    assert_no_secrets(text)
    logged = records(json_log)
    # The failure itself is logged, with its traceback and the request's id.
    (error,) = [r for r in logged if r["logger"] == "django.request" and r["level"] == "error"]
    assert "RuntimeError: could not use password=[REDACTED]" in error["exc"]
    assert error["request_id"] == failed["X-Request-ID"]
    access = [r for r in logged if r["logger"] == "lifeline.access"]
    assert len(access) == 7 and all(r["request_id"] and r["status"] for r in access)
    assert any("/account/confirm-email/[REDACTED]/" in r["path"] for r in access)
    careless = next(r for r in logged if r["logger"] == "lifeline.test")
    assert careless["password"] == "[REDACTED]" and careless["details"] == {"code": "[REDACTED]"}


def test_error_reports_scrub_post_data_and_variables(rf, settings):
    settings.DEBUG = False
    request = rf.post(
        f"/x/?code={CODE}", {"password": PASSWORD, "token": TOKEN, "code": CODE, "name": "ok"}
    )

    def view(request):
        password = request.POST["password"]  # noqa: F841 - a local that holds a secret
        raw = TOKEN  # noqa: F841
        raise ValueError(f"rejected {TOKEN} for {request.POST['password']}")

    try:
        view(request)
    except ValueError:
        reporter = SafeExceptionReporter(request, *sys.exc_info())
    text = reporter.get_traceback_text()
    html = reporter.get_traceback_html()
    for report in (text, html):
        assert_no_secrets(report)
    assert "name" in text and "ok" in text  # harmless fields are still shown
    from django.conf import settings as django_settings

    assert django_settings.DEFAULT_EXCEPTION_REPORTER.endswith("SafeExceptionReporter")


def test_json_lines_have_time_level_logger_and_request_id(json_log, client):
    response = client.get("/")
    line = next(r for r in records(json_log) if r["logger"] == "lifeline.access")
    assert {"ts", "level", "logger", "msg", "request_id"} <= line.keys()
    assert line["request_id"] == response["X-Request-ID"] and line["status"] == 200


@pytest.mark.parametrize("kind", ["verify", "status", "restore"])
def test_recovery_link_secrets_are_redacted_from_logged_paths(kind):
    from lifeline.ops.logs import redact_text

    public_id = "3f2c1a9e-1b2c-4d5e-8f90-123456789abc"
    line = redact_text(f"GET /recovery/{kind}/{public_id}/S3cretL1nkT0ken_value/ 302")
    assert "S3cretL1nkT0ken_value" not in line
    # Pages without a secret keep their (useful) path.
    assert redact_text(f"/desk/cases/{public_id}/approve/").endswith("/approve/")


def test_a_cut_never_leaves_half_a_token_behind():
    """Long texts are cut (head and tail kept) at a separator: a token across the cut goes."""
    from lifeline.ops.logs import MAX_TEXT, redact_text

    head = "a" * (MAX_TEXT // 2 - 10) + " "
    # One token straddles where the head is cut, another where the tail begins.
    text = head + TOKEN + "x" * 10_000 + " " + TOKEN + "y" * (MAX_TEXT // 2 - 25) + " tail"
    line = redact_text(text, [])
    assert len(line) <= MAX_TEXT + 64 and line.endswith(" tail")
    for piece in (TOKEN[:9], TOKEN[-12:], TOKEN[20:32]):
        assert piece not in line


def test_the_requests_own_secrets_are_replaced_before_the_cut():
    from lifeline.ops.logs import MAX_TEXT, REDACTED, redact_text

    text = "b" * (MAX_TEXT // 2 - 5) + PASSWORD + "c" * 10_000
    line = redact_text(text, [PASSWORD])
    assert "Secret&Pa55" not in line and "Pa55!word" not in line
    assert redact_text(f"x {PASSWORD} y", [PASSWORD]) == f"x {REDACTED} y"
