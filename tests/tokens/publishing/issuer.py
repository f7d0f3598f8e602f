"""A local OIDC issuer for tests: discovery document and JWKS on 127.0.0.1, keys made here."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa


@dataclass
class SigningKey:
    kid: str
    private: Any
    alg: str

    def jwk(self) -> dict[str, Any]:
        algo = jwt.algorithms.RSAAlgorithm if self.alg == "RS256" else jwt.algorithms.ECAlgorithm
        data = json.loads(algo.to_jwk(self.private.public_key()))
        return data | {"kid": self.kid, "alg": self.alg, "use": "sig"}


def new_key(alg: str = "RS256") -> SigningKey:
    if alg == "RS256":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        private = ec.generate_private_key(ec.SECP256R1())
    return SigningKey(kid=uuid.uuid4().hex[:16], private=private, alg=alg)


@dataclass
class LocalIssuer:
    server: ThreadingHTTPServer
    keys: list[SigningKey] = field(default_factory=list)
    jwks_hits: int = 0
    jwks_uri_override: str | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def sign(
        self,
        claims: dict[str, Any],
        *,
        key: SigningKey | None = None,
        headers: dict[str, Any] | None = None,
    ) -> str:
        key = key or self.keys[0]
        return jwt.encode(
            claims, key.private, algorithm=key.alg, headers={"kid": key.kid} | (headers or {})
        )

    def rotate(self, alg: str = "RS256") -> SigningKey:
        """Replace the issuer's keys with a new one (as a provider rotating keys does)."""
        key = new_key(alg)
        self.keys[:] = [key]
        return key

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_issuer() -> LocalIssuer:
    issuer: LocalIssuer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, data: Any) -> None:
            body = json.dumps(data).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path == "/.well-known/openid-configuration":
                self._json(
                    {
                        "issuer": issuer.url,
                        "jwks_uri": issuer.jwks_uri_override or f"{issuer.url}/jwks",
                    }
                )
            elif self.path == "/jwks":
                issuer.jwks_hits += 1
                self._json({"keys": [k.jwk() for k in issuer.keys]})
            else:
                self.send_error(404)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    issuer = LocalIssuer(server=server, keys=[new_key()])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return issuer


def github_claims(issuer: str, audience: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    repository = overrides.pop("repository", "octo-org/octo-pkg")
    workflow = overrides.pop("workflow", "release.yml")
    claims = {
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
        "sub": f"repo:{repository}:environment:pypi",
        "repository": repository,
        "repository_owner": repository.split("/")[0],
        "workflow_ref": f"{repository}/.github/workflows/{workflow}@refs/tags/v1.0",
        "job_workflow_ref": f"{repository}/.github/workflows/{workflow}@refs/tags/v1.0",
        "environment": "pypi",
        "ref": "refs/tags/v1.0",
        "sha": "a" * 40,
        "run_id": "4242",
        "run_attempt": "1",
        "event_name": "push",
    }
    return claims | overrides


def gitlab_claims(issuer: str, audience: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    project_path = overrides.pop("project_path", "group/sub/pkg")
    host = issuer.split("://", 1)[1]
    claims = {
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
        "sub": f"project_path:{project_path}:ref_type:tag:ref:v1.0",
        "project_path": project_path,
        "ci_config_ref_uri": f"{host}/{project_path}//.gitlab-ci.yml@refs/tags/v1.0",
        "environment": "release",
        "ref": "v1.0",
        "sha": "b" * 40,
        "pipeline_id": "777",
        "job_id": "778",
    }
    return claims | overrides
