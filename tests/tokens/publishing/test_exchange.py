"""The token exchange against a local OIDC issuer: what is accepted, and every refusal."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import jwt
import pytest
from django.utils import timezone

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.tokens.models import ApiToken
from lifeline.tokens.publishing.models import UsedJwtId
from lifeline.tokens.publishing.services import publisher_add
from lifeline.tokens.services import token_authenticate
from tests.tokens.publishing.conftest import AUDIENCE
from tests.tokens.publishing.helpers import exchange, github_publisher, make_project, refusal
from tests.tokens.publishing.issuer import github_claims, gitlab_claims, new_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(owner):
    return make_project(owner)


def test_audience_endpoint(client, github):
    response = client.get("/_/oidc/audience")
    assert response.status_code == 200
    assert response.json() == {"audience": AUDIENCE}
    assert "csrftoken" not in response.cookies and "sessionid" not in response.cookies


def test_audience_defaults_to_the_site_host(client, settings):
    settings.LIFELINE_OIDC_AUDIENCE = ""
    settings.LIFELINE_BASE_URL = "https://pypi.example.org"
    assert client.get("/_/oidc/audience").json() == {"audience": "pypi.example.org"}


def test_github_token_mints_a_scoped_short_lived_token(client, github, owner, project):
    publisher = github_publisher(project, owner)
    before = time.time()
    status, body = exchange(client, github.sign(github_claims(github.url, AUDIENCE)))
    assert status == 200, body
    assert body["success"] is True
    token = token_authenticate(body["token"])
    assert token is not None and token.project == project and token.user == owner
    assert token.publisher == publisher
    assert token.publisher_claims["run_id"] == "4242"
    assert token.publisher_claims["sha"] == "a" * 40
    assert before + 14 * 60 < body["expires"] <= time.time() + 15 * 60 + 1
    assert abs(token.expires_at.timestamp() - body["expires"]) < 1
    event = SecurityEvent.objects.get(tag=EventTag.OIDC_MINT)
    assert event.project == project.name
    assert event.details["run"]["ref"] == "refs/tags/v1.0"
    assert body["token"] not in json.dumps(event.details)


def test_exchange_needs_no_session_or_csrf(github, owner, project):
    from django.test import Client

    github_publisher(project, owner)
    strict = Client(enforce_csrf_checks=True)
    status, body = exchange(strict, github.sign(github_claims(github.url, AUDIENCE)))
    assert status == 200, body


def test_gitlab_token(client, gitlab, owner, project):
    publisher = publisher_add(
        project=project,
        actor=owner,
        kind="gitlab",
        repository="group/sub/pkg",
        workflow=".gitlab-ci.yml",
        environment="release",
    )
    status, body = exchange(client, gitlab.sign(gitlab_claims(gitlab.url, AUDIENCE)))
    assert status == 200, body
    token = ApiToken.objects.get(publisher=publisher)
    assert token.publisher_claims["pipeline_id"] == "777"
    # Another CI config file in the same project is refused.
    bad = gitlab_claims(gitlab.url, AUDIENCE)
    bad["ci_config_ref_uri"] = bad["ci_config_ref_uri"].replace(".gitlab-ci.yml", "evil.yml")
    status, body = exchange(client, gitlab.sign(bad))
    assert status == 422 and "ci_config_ref_uri" in refusal(body)


def test_generic_oidc_issuer(client, forge, owner, project):
    publisher_add(
        project=project,
        actor=owner,
        kind="oidc",
        issuer=forge.url,
        claims={"repository": "team/pkg", "ref": "refs/heads/main"},
    )
    claims = github_claims(forge.url, AUDIENCE, repository="team/pkg", ref="refs/heads/main")
    status, body = exchange(client, forge.sign(claims))
    assert status == 200, body
    claims = github_claims(forge.url, AUDIENCE, repository="team/pkg", ref="refs/heads/dev")
    status, body = exchange(client, forge.sign(claims))
    assert status == 422 and refusal(body).startswith("invalid-publisher: ")
    assert "ref:" in refusal(body)


def test_es256_keys_are_accepted(client, github, owner, project):
    github_publisher(project, owner)
    key = github.rotate("ES256")
    status, body = exchange(client, github.sign(github_claims(github.url, AUDIENCE), key=key))
    assert status == 200, body


def from_now(seconds: int) -> Callable[[int], int]:
    """A claim time `seconds` away from the moment the token is made."""
    return lambda now: now + seconds


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"aud": "pypi"}, "audience"),
        ({"repository": "octo-org/other"}, "No trusted publisher is configured"),
        ({"repository_owner": "mallory"}, "repository_owner"),
        (
            {"workflow_ref": "octo-org/octo-pkg/.github/workflows/ci.yml@refs/heads/main"},
            "workflow_ref",
        ),
        ({"environment": "staging"}, "environment"),
        ({"environment": None}, "environment"),
        # Times relative to when the test runs, not when it was collected: a long run can
        # collect this module more than ten minutes before it gets here.
        ({"exp": from_now(-3600)}, "expired"),
        ({"iat": from_now(600)}, "not valid yet"),
        ({"nbf": from_now(600)}, "not valid yet"),
        ({"jti": None}, "jti"),
    ],
)
def test_claim_refusals(client, github, owner, project, overrides, expected):
    github_publisher(project, owner)
    claims = github_claims(github.url, AUDIENCE)
    for name, value in overrides.items():
        if value is None:
            claims.pop(name)
        else:
            claims[name] = value(int(time.time())) if callable(value) else value
    status, body = exchange(client, github.sign(claims))
    assert status == 422
    assert expected in refusal(body)
    assert not ApiToken.objects.exists()
    event = SecurityEvent.objects.get(tag=EventTag.OIDC_REFUSE)
    assert expected in event.details["error"] + ": " + event.details["reason"]


def test_iat_within_a_minute_of_skew_is_fine(client, github, owner, project):
    github_publisher(project, owner)
    claims = github_claims(github.url, AUDIENCE, iat=int(time.time()) + 30)
    assert exchange(client, github.sign(claims))[0] == 200


def test_wrong_issuer(client, github, forge, owner, project):
    github_publisher(project, owner)
    # Signed by another issuer that claims to be GitHub's: its kid is unknown to GitHub's JWKS.
    status, body = exchange(client, forge.sign(github_claims(github.url, AUDIENCE)))
    assert status == 422 and "signing key is unknown" in refusal(body)
    # An issuer no publisher uses.
    status, body = exchange(client, forge.sign(github_claims(forge.url, AUDIENCE)))
    assert status == 422 and "No trusted publisher uses the issuer" in refusal(body)
    assert forge.jwks_hits == 0  # never fetched keys from an issuer nobody configured


def test_replayed_jti_is_refused(client, github, owner, project):
    github_publisher(project, owner)
    token = github.sign(github_claims(github.url, AUDIENCE))
    assert exchange(client, token)[0] == 200
    status, body = exchange(client, token)
    assert status == 422 and "already exchanged" in refusal(body)
    assert ApiToken.objects.count() == 1
    assert UsedJwtId.objects.count() == 1


def test_unknown_key_is_refused(client, github, owner, project):
    github_publisher(project, owner)
    stranger = new_key()
    status, body = exchange(client, github.sign(github_claims(github.url, AUDIENCE), key=stranger))
    assert status == 422 and "signing key is unknown" in refusal(body)


def test_forged_kid_with_another_key_fails_the_signature(client, github, owner, project):
    github_publisher(project, owner)
    stranger = new_key()
    stranger.kid = github.keys[0].kid
    status, body = exchange(client, github.sign(github_claims(github.url, AUDIENCE), key=stranger))
    assert status == 422 and "signature" in refusal(body)


def test_alg_none_is_refused(client, github, owner, project):
    github_publisher(project, owner)
    token = jwt.encode(
        github_claims(github.url, AUDIENCE),
        None,
        algorithm="none",
        headers={"kid": github.keys[0].kid},
    )
    status, body = exchange(client, token)
    assert status == 422 and "algorithm" in refusal(body)


def test_hs256_with_the_public_key_as_secret_is_refused(client, github, owner, project):
    github_publisher(project, owner)
    public_pem = (
        github.keys[0]
        .private.public_key()
        .public_bytes(
            encoding=__import__(
                "cryptography.hazmat.primitives.serialization", fromlist=["x"]
            ).Encoding.PEM,
            format=__import__(
                "cryptography.hazmat.primitives.serialization", fromlist=["x"]
            ).PublicFormat.SubjectPublicKeyInfo,
        )
    )
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": github.keys[0].kid}).encode())
    payload = b64(json.dumps(github_claims(github.url, AUDIENCE)).encode())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    status, body = exchange(client, f"{header}.{payload}.{b64(signature)}")
    assert status == 422 and "algorithm" in refusal(body)


def test_key_rotation_refetches_once(client, github, owner, project):
    github_publisher(project, owner)
    assert exchange(client, github.sign(github_claims(github.url, AUDIENCE)))[0] == 200
    assert github.jwks_hits == 1
    assert exchange(client, github.sign(github_claims(github.url, AUDIENCE)))[0] == 200
    assert github.jwks_hits == 1  # cached
    new = github.rotate()
    status, body = exchange(client, github.sign(github_claims(github.url, AUDIENCE), key=new))
    assert status == 200, body
    assert github.jwks_hits == 2


def test_jwks_uri_off_the_issuer_origin_is_refused(client, github, forge, owner, project):
    github_publisher(project, owner)
    github.jwks_uri_override = f"{forge.url}/jwks"
    status, body = exchange(client, github.sign(github_claims(github.url, AUDIENCE)))
    assert status == 422 and "jwks_uri" in refusal(body)
    assert forge.jwks_hits == 0


@pytest.mark.parametrize("body", ["", "not json", "[]", '{"token": 5}', '{"nope": "x"}'])
def test_bad_payloads_are_422_not_500(client, github, body):
    response = client.post("/_/oidc/mint-token", data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "invalid-payload"
    event = SecurityEvent.objects.get(tag=EventTag.OIDC_REFUSE)
    assert event.details["error"] == "invalid-payload"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "x" * 20000])
def test_garbage_tokens_are_refused(client, github, token):
    status, body = exchange(client, token)
    assert status == 422 and body["errors"][0]["code"] in ("invalid-token", "invalid-payload")


def test_get_on_mint_is_405(client, github):
    assert client.get("/_/oidc/mint-token").status_code == 405


def test_rate_limited_per_ip(client, github, settings):
    settings.LIFELINE_OIDC_MINT_RATE_LIMIT = "2/m"
    assert exchange(client, "abc")[0] == 422
    assert exchange(client, "abc")[0] == 422
    status, body = exchange(client, "abc")
    assert status == 429 and body["errors"][0]["code"] == "rate-limited"


def test_http_issuers_refused_unless_allowed(client, github, owner, project, settings):
    github_publisher(project, owner)
    settings.LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS = False
    status, body = exchange(client, github.sign(github_claims(github.url, AUDIENCE)))
    assert status == 422 and "https" in refusal(body)
    assert github.jwks_hits == 0


def test_ambiguous_publishers_are_refused(client, github, owner, project):
    other = make_project(owner, "octo-two")
    github_publisher(project, owner)
    github_publisher(other, owner)
    status, body = exchange(client, github.sign(github_claims(github.url, AUDIENCE)))
    assert status == 422 and "several trusted publishers" in refusal(body)


def test_used_jti_rows_are_swept_after_expiry(client, github, owner, project):
    from lifeline.tokens.publishing.services import expire_pending_publishers

    github_publisher(project, owner)
    assert exchange(client, github.sign(github_claims(github.url, AUDIENCE)))[0] == 200
    UsedJwtId.objects.update(expires_at=timezone.now())
    expire_pending_publishers()
    assert not UsedJwtId.objects.exists()


def test_burn_token_revokes_only_minted_tokens(client, github, owner, project):
    from tests.index.helpers import make_token

    github_publisher(project, owner)
    _status, body = exchange(client, github.sign(github_claims(github.url, AUDIENCE)))
    ordinary = make_token(owner, name="human")

    def burn(raw: str) -> int:
        return client.post(
            "/_/oidc/burn-token", data=json.dumps({"token": raw}), content_type="application/json"
        ).status_code

    assert burn(ordinary) == 200 and token_authenticate(ordinary) is not None
    assert burn(body["token"]) == 200 and token_authenticate(body["token"]) is None
    assert burn("garbage") == 200
    assert client.get("/_/oidc/burn-token").status_code == 405


def test_system_check_refuses_insecure_issuers_in_production(settings):
    from lifeline.tokens.publishing.checks import check_publishing_settings

    settings.PRODUCTION = True
    settings.LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS = False
    settings.LIFELINE_OIDC_GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
    assert check_publishing_settings() == []
    settings.LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS = True
    assert [m.id for m in check_publishing_settings()] == ["lifeline.publishing.E001"]
    assert check_publishing_settings()[0].is_serious()
    settings.LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS = False
    settings.LIFELINE_OIDC_GITLAB_ISSUER = "http://gitlab.internal"
    assert [m.id for m in check_publishing_settings()] == ["lifeline.publishing.E002"]


def test_algorithm_must_match_the_key(client, github, owner, project):
    github_publisher(project, owner)
    impostor = new_key("ES256")
    impostor.kid = github.keys[0].kid  # the issuer's RSA key id, with an EC signature
    status, body = exchange(client, github.sign(github_claims(github.url, AUDIENCE), key=impostor))
    assert status == 422 and "does not match its key" in refusal(body)
