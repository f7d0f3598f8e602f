"""The real client: ``uv publish --trusted-publishing always`` against a live Lifeline.

uv, believing it runs in GitHub Actions, asks a local stub (ACTIONS_ID_TOKEN_REQUEST_URL) for
an OIDC token with Lifeline's audience, exchanges it at /_/oidc/mint-token and uploads with
the minted token. No token is configured anywhere.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.index.models import File, Project, Role
from lifeline.tokens.models import ApiToken
from lifeline.tokens.publishing.models import TrustedUpload
from lifeline.tokens.publishing.services import pending_add
from tests.clients.conftest import BIN, PACKAGE, run
from tests.index.helpers import make_user_with_2fa
from tests.tokens.publishing.helpers import github_publisher, make_project
from tests.tokens.publishing.issuer import LocalIssuer, github_claims
from tests.tokens.publishing.tls import TlsTerminator, make_certificate

pytestmark = [pytest.mark.clients, pytest.mark.django_db(transaction=True)]
REQUEST_TOKEN = "actions-request-token-for-tests"


class TokenStub:
    """GitHub's ID-token endpoint, as a runner sees it: GET <url>&audience=<aud>, bearer auth."""

    def __init__(self, issuer: LocalIssuer, claims: dict[str, Any]) -> None:
        self.issuer, self.claims, self.requests = issuer, claims, []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                stub.requests.append((self.path, self.headers.get("Authorization", "")))
                if self.headers.get("Authorization", "").lower() != f"bearer {REQUEST_TOKEN}":
                    self.send_error(401)
                    return
                audience = query.get("audience", [""])[0]
                token = stub.issuer.sign(github_claims(stub.issuer.url, audience, **stub.claims))
                body = json.dumps({"value": token}).encode()
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
        return f"http://{host}:{port}/token?x=1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def https_index(live_index, tmp_path) -> Iterator[tuple[str, str]]:
    """(https URL in front of the live server, the certificate file uv must trust)."""
    cert, key = make_certificate(tmp_path)
    terminator = TlsTerminator(urlsplit(live_index).port or 80, cert, key)
    yield f"https://localhost:{terminator.port}", str(cert)
    terminator.close()


@pytest.fixture
def token_stub(github) -> Iterator[TokenStub]:
    stub = TokenStub(github, {"repository": "octo-org/octo-pkg"})
    yield stub
    stub.close()


def _uv_publish(index: tuple[str, str], dists, stub: TokenStub, env: dict[str, str]):  # type: ignore[no-untyped-def]
    url, cert = index
    env = env | {
        "SSL_CERT_FILE": cert,
        "GITHUB_ACTIONS": "true",
        "ACTIONS_ID_TOKEN_REQUEST_URL": stub.url,
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": REQUEST_TOKEN,
    }
    return run(
        [
            str(BIN / "uv"),
            "publish",
            "--trusted-publishing",
            "always",
            "--publish-url",
            f"{url}/legacy/",
            "--no-cache",
            *map(str, dists),
        ],
        env,
        check=False,
    )


def test_uv_trusted_publishing_uploads_without_a_token(https_index, tiny_dists, token_stub):
    owner = make_user_with_2fa(username="alice")
    project = make_project(owner, PACKAGE)
    github_publisher(project, owner)
    result = _uv_publish(https_index, tiny_dists.by_version["0.1"], token_stub, tiny_dists.env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert File.objects.filter(release__project=project).count() == 2
    # uv asked for Lifeline's audience (from /_/oidc/audience), with the runner's bearer token.
    path, auth = token_stub.requests[0]
    assert "audience=lifeline-test" in path and auth.lower() == f"bearer {REQUEST_TOKEN}"
    assert TrustedUpload.objects.filter(release__project=project).count() == 2
    assert SecurityEvent.objects.filter(tag=EventTag.OIDC_MINT, project=project.name).count() == 1
    # uv burns the minted token once done (/_/oidc/burn-token): it can't be used again.
    minted = ApiToken.objects.get(publisher__isnull=False)
    assert minted.revoked_at is not None


def test_uv_shows_lifelines_refusal_for_another_workflow(https_index, tiny_dists, github):
    owner = make_user_with_2fa(username="alice")
    project = make_project(owner, PACKAGE)
    github_publisher(project, owner)
    stub = TokenStub(github, {"workflow": "ci.yml"})
    try:
        result = _uv_publish(https_index, tiny_dists.by_version["0.1"], stub, tiny_dists.env)
    finally:
        stub.close()
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "workflow_ref" in output and "not the configured workflow" in output, output
    assert not File.objects.exists()


def test_uv_first_trusted_upload_creates_a_pending_project(https_index, tiny_dists, token_stub):
    owner = make_user_with_2fa(username="alice")
    pending_add(
        user=owner,
        project_name=PACKAGE,
        kind="github",
        repository="octo-org/octo-pkg",
        workflow="release.yml",
        environment="pypi",
    )
    result = _uv_publish(https_index, tiny_dists.by_version["0.1"], token_stub, tiny_dists.env)
    assert result.returncode == 0, result.stdout + result.stderr
    project = Project.objects.get(normalized_name=PACKAGE)
    assert Role.objects.get(project=project).user == owner
    assert File.objects.filter(release__project=project).count() == 2
