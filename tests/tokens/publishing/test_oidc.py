"""A misbehaving or hostile issuer is a clean refusal (422, a reason), never a 500 or a fetch
we must not make. The issuers are stub servers on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from lifeline.tokens.publishing import oidc
from tests.tokens.publishing.conftest import AUDIENCE
from tests.tokens.publishing.helpers import exchange, github_publisher, make_project, refusal
from tests.tokens.publishing.issuer import LocalIssuer, github_claims

pytestmark = pytest.mark.django_db


class StubIssuer:
    """Serves whatever ``routes`` says: path -> bytes (200) or None (connection closed)."""

    def __init__(self) -> None:
        self.routes: dict[str, bytes | None] = {}
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                body = stub.routes.get(self.path)
                if body is None:
                    self.close_connection = True
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def discovery(self, **fields: Any) -> None:
        document = {"issuer": self.url, "jwks_uri": f"{self.url}/jwks"} | fields
        self.routes["/.well-known/openid-configuration"] = json.dumps(document).encode()


@pytest.fixture
def stub(settings) -> Iterator[StubIssuer]:
    issuer = StubIssuer()
    settings.LIFELINE_OIDC_GITHUB_ISSUER = issuer.url
    settings.LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS = True
    settings.LIFELINE_OIDC_AUDIENCE = AUDIENCE
    yield issuer
    issuer.server.shutdown()
    issuer.server.server_close()


@pytest.fixture
def signer() -> Iterator[LocalIssuer]:
    """Only for its signing key: the token claims the stub as its issuer."""
    from tests.tokens.publishing.issuer import start_issuer

    issuer = start_issuer()
    yield issuer
    issuer.close()


def _token(stub: StubIssuer, signer: LocalIssuer) -> str:
    return signer.sign(github_claims(stub.url, AUDIENCE))


@pytest.fixture
def publisher(owner):
    project = make_project(owner)
    return github_publisher(project, owner)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (None, "Could not reach the issuer"),
        (b"<html>oops</html>", "is not JSON"),
        (b'["a list"]', "not a JSON object"),
        (b"{" + b" " * (oidc.MAX_DOCUMENT_BYTES + 10) + b"}", "too large"),
    ],
)
def test_a_broken_discovery_document_is_a_refusal(
    client, stub, signer, publisher, document, reason
):
    stub.routes["/.well-known/openid-configuration"] = document
    status, body = exchange(client, _token(stub, signer))
    assert status == 422
    assert refusal(body).startswith("issuer-unavailable: ") and reason in refusal(body)


def test_a_discovery_document_naming_another_issuer_is_refused(client, stub, signer, publisher):
    stub.discovery(issuer="https://token.actions.githubusercontent.com")
    stub.routes["/jwks"] = json.dumps({"keys": [signer.keys[0].jwk()]}).encode()
    status, body = exchange(client, _token(stub, signer))
    assert status == 422 and "names another issuer" in refusal(body)


def test_a_key_set_without_keys_is_refused(client, stub, signer, publisher):
    stub.discovery()
    stub.routes["/jwks"] = b'{"keys": "none"}'
    status, body = exchange(client, _token(stub, signer))
    assert status == 422 and "has no keys" in refusal(body)


def test_garbage_key_ids_do_not_make_us_hammer_the_issuer(client, settings):
    from tests.tokens.publishing.issuer import start_issuer

    issuer = start_issuer()
    try:
        settings.LIFELINE_OIDC_GITHUB_ISSUER = issuer.url
        settings.LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS = True
        settings.LIFELINE_OIDC_AUDIENCE = AUDIENCE
        settings.LIFELINE_OIDC_MINT_RATE_LIMIT = "100/m"
        claims = github_claims(issuer.url, AUDIENCE)
        for _ in range(8):
            token = issuer.sign(claims, headers={"kid": uuid.uuid4().hex})
            status, body = exchange(client, token)
            assert status == 422 and "signing key is unknown" in refusal(body)
        # The first fetch, then at most three refetches a minute for unknown kids.
        assert issuer.jwks_hits <= 4
    finally:
        issuer.close()


def test_a_token_without_a_key_id_is_refused(client, github, publisher):
    token = github.sign(github_claims(github.url, AUDIENCE), headers={"kid": ""})
    status, body = exchange(client, token)
    assert status == 422 and "no key id" in refusal(body)
    assert github.jwks_hits == 0


def test_a_token_without_an_issuer_is_refused(client, github, publisher):
    claims = github_claims(github.url, AUDIENCE)
    del claims["iss"]
    status, body = exchange(client, github.sign(claims))
    assert status == 422 and "no issuer" in refusal(body)


@pytest.mark.parametrize(
    ("issuer", "reason"),
    [
        ("ftp://example.com", "https URL with a host name"),
        ("https://example.com/?x=1", "https URL with a host name"),
        ("http://example.com", "must be an https URL"),
        ("https://user:secret@example.com", "must be an https URL"),
        ("https://127.0.0.1", "not a public address"),
        ("https://10.1.2.3:8443", "not a public address"),
        ("https://[::1]", "not a public address"),
    ],
)
def test_issuers_we_must_not_fetch_from_are_refused(settings, issuer, reason):
    settings.LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS = False
    with pytest.raises(oidc.OidcError, match=reason) as refused:
        oidc.check_issuer_url(issuer)
    assert str(refused.value).startswith("invalid-issuer: ")


def test_an_issuer_that_does_not_resolve_now_is_left_to_fail_on_fetch(settings):
    settings.LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS = False
    oidc.check_issuer_url("https://ci.example.invalid")  # no exception: nothing to probe
