"""The pluggable breached-password check, against a local stub of the range API."""

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

BREACHED = "hunter2-but-longer"


class RangeAPI(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self):
        RangeAPI.seen.append(self.path)
        digest = hashlib.sha1(BREACHED.encode()).hexdigest().upper()
        body = f"{digest[5:]}:42\r\n0000000000000000000000000000000000A:0\r\n".encode()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def range_api():
    server = HTTPServer(("127.0.0.1", 0), RangeAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/range/"
    server.shutdown()


def test_null_backend_accepts(settings):
    settings.LIFELINE_BREACHED_PASSWORD_BACKEND = "null"
    validate_password(BREACHED)


def test_hibp_backend_refuses_breached_and_sends_only_a_prefix(settings, range_api):
    settings.LIFELINE_BREACHED_PASSWORD_BACKEND = "hibp"
    settings.LIFELINE_BREACHED_PASSWORD_URL = range_api
    RangeAPI.seen.clear()
    with pytest.raises(ValidationError, match="data breach"):
        validate_password(BREACHED)
    validate_password("a-fresh-unbreached-password-1")
    assert all(len(path.rsplit("/", 1)[1]) == 5 for path in RangeAPI.seen)


def test_hibp_backend_fails_open_when_unreachable(settings):
    settings.LIFELINE_BREACHED_PASSWORD_BACKEND = "hibp"
    settings.LIFELINE_BREACHED_PASSWORD_URL = "http://127.0.0.1:9/range/"
    validate_password(BREACHED)
