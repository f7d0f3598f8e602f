"""The workflow proof (issue 14, item 4): a CI run's OIDC token vouches for a recovery request.

Simulated with the local OIDC issuer of tests/tokens/publishing: request → workflow step →
strong proof; a publisher added after the request is refused; the boundary is the forge
account, shared with a repository-file proof there.
"""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from lifeline.index.models import Project
from lifeline.recovery.evidence import evidence_for
from lifeline.recovery.models import RecoveryProof
from lifeline.recovery.proofs.common import record_proof
from lifeline.recovery.proofs.workflow import recovery_audience
from lifeline.tokens.publishing.models import TrustedPublisher
from tests.tokens.publishing.issuer import github_claims, start_issuer

pytestmark = pytest.mark.django_db


@pytest.fixture
def github(settings):  # type: ignore[no-untyped-def]
    """The local OIDC issuer, standing in for GitHub Actions' (tests/tokens/publishing)."""
    issuer = start_issuer()
    settings.LIFELINE_OIDC_GITHUB_ISSUER = issuer.url
    settings.LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS = True
    settings.LIFELINE_OIDC_AUDIENCE = "lifeline-test"
    yield issuer
    issuer.close()


def _publisher(user, **fields) -> TrustedPublisher:  # type: ignore[no-untyped-def]
    values = {
        "kind": "github",
        "repository": "octo-org/alice-tool",
        "workflow": "release.yml",
        "environment": "",
    } | fields
    return TrustedPublisher.objects.create(
        project=Project.objects.get(normalized_name="alice-tool"), created_by=user, **values
    )


def _redate(request_obj) -> None:  # type: ignore[no-untyped-def]
    type(request_obj).objects.filter(pk=request_obj.pk).update(created=timezone.now())
    request_obj.refresh_from_db()


def _post(client, challenge: str, token: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/recovery/proofs/workflow/",
        data=json.dumps({"challenge": challenge, "token": token}),
        content_type="application/json",
    )


def _claims(github, request_obj, **overrides):  # type: ignore[no-untyped-def]
    return github_claims(
        github.url,
        recovery_audience(request_obj.challenge),
        repository="octo-org/alice-tool",
        **overrides,
    )


def test_status_page_offers_the_workflow_step(status_client, queued, github):
    _publisher(queued.user)
    _redate(queued)
    page = status_client.get(f"/recovery/status/{queued.public_id}/").content.decode()
    assert 'id="workflow-github"' in page and "octo-org/alice-tool" in page
    assert recovery_audience(queued.challenge) in page and "/recovery/proofs/workflow/" in page


def test_workflow_run_is_a_strong_proof(client, queued, github, old_token):
    _publisher(queued.user)
    _redate(queued)
    response = _post(client, queued.challenge, github.sign(_claims(github, queued)))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] and body["strength"] == "strong"
    proof = RecoveryProof.objects.get(request=queued, result="ok")
    assert proof.boundary == "repository:github.com/octo-org"
    assert proof.details["via"] == "workflow" and proof.details["run"]["run_id"] == "4242"
    # With the (independent) API token proof, the evidence is strong.
    from lifeline.recovery.proofs.api_token import proof_api_token

    proof_api_token(challenge=queued.challenge, raw_token=old_token[1], ip="203.0.113.5")
    assert evidence_for(queued).level == "strong"


def test_replay_and_wrong_challenge_are_refused(client, queued, github):
    _publisher(queued.user)
    _redate(queued)
    token = github.sign(_claims(github, queued))
    assert _post(client, queued.challenge, token).status_code == 200
    again = _post(client, queued.challenge, token)
    assert again.status_code == 422 and "already used" in again.json()["message"]
    # A token minted for publishing (audience: the site) is not bound to this case.
    publishing = github_claims(github.url, "lifeline-test", repository="octo-org/alice-tool")
    refused = _post(client, queued.challenge, github.sign(publishing))
    assert refused.status_code == 422 and "audience" in refused.json()["message"]


def test_publisher_added_after_the_request_is_refused(client, queued, github):
    _redate(queued)
    _publisher(queued.user)  # created now, after the request
    response = _post(client, queued.challenge, github.sign(_claims(github, queued)))
    assert response.status_code == 422
    assert "configured before the request" in response.json()["message"]
    assert not RecoveryProof.objects.filter(request=queued, result="ok").exists()


def test_other_workflow_is_refused(client, queued, github):
    _publisher(queued.user)
    _redate(queued)
    claims = _claims(github, queued, workflow="ci.yml")
    response = _post(client, queued.challenge, github.sign(claims))
    assert response.status_code == 422 and "workflow_ref" in response.json()["message"]


def test_boundary_is_shared_with_a_repository_file_proof_at_the_same_owner(client, queued, github):
    _publisher(queued.user)
    _redate(queued)
    # A repository-file proof on github.com/octo-org (as proof_repository records it).
    record_proof(
        request_obj=queued,
        method=RecoveryProof.Method.REPOSITORY,
        ok=True,
        strength=RecoveryProof.Strength.STRONG,
        boundary="repository:github.com/octo-org",
        reason="file found",
    )
    assert _post(client, queued.challenge, github.sign(_claims(github, queued))).status_code == 200
    # One compromise (the octo-org account) forges both: they count once, not strong.
    assert evidence_for(queued).level != "strong"


@pytest.mark.parametrize("body", ["", "[]", '{"challenge": 5}', '{"challenge": "x\\u0000"}'])
def test_bad_bodies_are_400(client, queued, body):
    response = client.post("/recovery/proofs/workflow/", data=body, content_type="application/json")
    assert response.status_code == 400
