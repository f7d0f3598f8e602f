"""Each proof: success, failure paths, rate limits, and that no secret is stored."""

import base64
import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.index.models import Role
from lifeline.recovery import conf
from lifeline.recovery.evidence import evidence_for
from lifeline.recovery.models import RecoveryProof
from lifeline.recovery.proofs.api_token import REJECTED_ANSWER
from lifeline.recovery.proofs.common import ProofRefused
from lifeline.recovery.proofs.password import proof_password
from lifeline.recovery.proofs.repository import eligible_urls, proof_repository
from lifeline.recovery.states import State
from lifeline.recovery.transition import recovery_transition
from tests.factories import UserFactory
from tests.recovery.conftest import add_project, make_token
from tests.recovery.stub_server import stub_server


def _token_post(client, challenge, raw, *, user="__token__", as_json=False):
    auth = "Basic " + base64.b64encode(f"{user}:{raw}".encode()).decode()
    if as_json:
        return client.post(
            reverse("recovery_token_proof"),
            data=json.dumps({"challenge": challenge}),
            content_type="application/json",
            HTTP_AUTHORIZATION=auth,
        )
    return client.post(
        reverse("recovery_token_proof"), {"challenge": challenge}, HTTP_AUTHORIZATION=auth
    )


# --- a. API token ----------------------------------------------------------------------------


def test_token_proof_succeeds_and_stores_no_secret(client, queued, old_token, outbox):
    token, raw = old_token
    response = _token_post(client, queued.challenge, raw)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is True and body["strength"] == "strong" and body["evidence"] == "moderate"
    proof = RecoveryProof.objects.get(request=queued)
    assert proof.ok and proof.method == "api_token" and proof.boundary == "api_token"
    assert raw not in json.dumps(proof.details) and raw.split(".")[1] not in proof.reason
    assert proof.details["public_id"] == token.public_id
    assert SecurityEvent.objects.filter(user=queued.user, tag=EventTag.RECOVERY_PROOF).exists()
    assert outbox[-1].to == [queued.contact_email] and "succeeded" in outbox[-1].subject


def test_token_proof_accepts_json(client, queued, old_token):
    assert _token_post(client, queued.challenge, old_token[1], as_json=True).json()["ok"] is True


def test_token_created_after_the_request_fails(client, queued):
    _token, raw = make_token(queued.user, age=timedelta(0))
    response = _token_post(client, queued.challenge, raw)
    assert response.status_code == 422
    assert response.json()["error"] == "proof_failed"
    assert response.json()["message"] == REJECTED_ANSWER
    proof = RecoveryProof.objects.get(request=queued)
    assert "created after the request" in proof.reason
    assert proof.details["failure"] == "created_after_request"


def test_revoked_token_fails(client, queued, old_token):
    from lifeline.tokens.services import token_revoke

    token, raw = old_token
    token_revoke(token=token, actor=queued.user)
    response = _token_post(client, queued.challenge, raw)
    assert response.status_code == 422
    assert response.json()["message"] == REJECTED_ANSWER
    assert RecoveryProof.objects.get(request=queued).reason == "The token was revoked."


def test_token_of_another_account_fails_and_reveals_nothing(client, queued):
    stranger = UserFactory(username="mallory")
    _token, raw = make_token(stranger)
    response = _token_post(client, queued.challenge, raw)
    assert response.status_code == 422
    assert response.json()["message"] == REJECTED_ANSWER
    proof = RecoveryProof.objects.get(request=queued)
    assert proof.reason == "The token belongs to another account."
    assert proof.details == {"failure": "other_account"}  # nothing about the token itself


@pytest.mark.parametrize(
    ("challenge", "raw", "user", "status", "error"),
    [
        ("", "llpi-x", "__token__", 400, "missing_challenge"),
        ("lifeline-recovery-nope", "llpi-x", "__token__", 404, "unknown_challenge"),
        ("CH", "llpi-x", "alice", 401, "bad_username"),
    ],
)
def test_token_endpoint_json_errors(client, queued, challenge, raw, user, status, error):
    challenge = queued.challenge if challenge == "CH" else challenge
    response = _token_post(client, challenge, raw, user=user)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == error and response.json()["message"]


def test_token_endpoint_without_auth_or_with_get(client, queued):
    response = client.post(reverse("recovery_token_proof"), {"challenge": queued.challenge})
    assert response.status_code == 401 and response.json()["error"] == "missing_token"
    assert "Basic" in response["WWW-Authenticate"]
    assert client.get(reverse("recovery_token_proof")).json()["error"] == "method_not_allowed"


def test_token_endpoint_refuses_a_closed_request(client, queued, old_token):
    recovery_transition(
        request_obj=queued, to_state=State.WITHDRAWN, actor=None, actor_kind="requester"
    )
    response = _token_post(client, queued.challenge, old_token[1])
    assert response.status_code == 409 and response.json()["error"] == "wrong_state"


def test_token_endpoint_is_rate_limited(client, queued, settings):
    settings.LIFELINE_RECOVERY_RATE_LIMITS = conf.DEFAULTS["LIFELINE_RECOVERY_RATE_LIMITS"] | {
        "token_request": "2/h"
    }
    for _ in range(2):
        assert _token_post(client, queued.challenge, "llpi-bad").status_code == 422
    response = _token_post(client, queued.challenge, "llpi-bad")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


# --- b. repository ---------------------------------------------------------------------------


def test_eligible_urls_come_from_owned_projects_before_the_request(queued):
    add_project(
        queued.user,
        "too-new",
        urls={"Source": "https://code.example/alice/new"},
        age=timedelta(0),
    )
    other = UserFactory(username="bob")
    add_project(other, "bobs", urls={"Source": "https://code.example/bob/x"})
    # A release of Alice's project uploaded by a co-maintainer doesn't make its URLs eligible.
    planted = add_project(other, "planted", urls={"Source": "https://evil.example/x"})
    Role.objects.create(project=planted, user=queued.user, role=Role.Kind.OWNER)
    urls = sorted(e.url for e in eligible_urls(queued))
    assert urls == ["https://alice.example/", "https://code.example/alice/alice-tool"]


def test_repository_proof_against_a_local_server(queued, settings):
    settings.LIFELINE_RECOVERY_FETCH_ALLOW_PRIVATE = True
    with stub_server(
        {
            "/alice/proj/c.txt": (200, {}, f"{queued.challenge}\n".encode()),
            "/alice/proj/wrong.txt": (200, {}, b"lifeline-recovery-0000"),
            "/alice/proj/page.html": (200, {}, f"<p>Results: {queued.challenge}</p>".encode()),
            "/alice/proj/away": (302, {"Location": "http://127.0.0.1:9/x"}, b""),
        }
    ) as base:
        add_project(queued.user, "proj", urls={"Source": f"{base}/alice/proj"})
        # Re-date the request so the project predates it.
        type(queued).objects.filter(pk=queued.pk).update(created=timezone.now())
        queued.refresh_from_db()
        wrong = proof_repository(request_obj=queued, url=f"{base}/alice/proj/wrong.txt")
        off = proof_repository(request_obj=queued, url=f"{base}/bob/c.txt")
        away = proof_repository(request_obj=queued, url=f"{base}/alice/proj/away")
        embedded = proof_repository(request_obj=queued, url=f"{base}/alice/proj/page.html")
        reflected = proof_repository(
            request_obj=queued, url=f"{base}/alice/proj/search?q={queued.challenge}"
        )
        good = proof_repository(request_obj=queued, url=f"{base}/alice/proj/c.txt")
    assert (wrong.ok, wrong.details["error"]) == (False, "challenge_missing")
    # A page that merely includes the challenge, or echoes a query string, proves nothing.
    assert (embedded.ok, embedded.details["error"]) == (False, "challenge_missing")
    assert (reflected.ok, reflected.details["error"]) == (False, "query_not_allowed")
    assert (off.ok, off.details["error"]) == (False, "off_prefix")
    assert (away.ok, away.details["error"]) == (False, "redirect_off_prefix")
    # Off a code host, the boundary is the host's registrable domain (here an IP literal).
    assert good.ok and good.strength == "strong" and good.boundary == "domain:127.0.0.1"


def test_repository_proof_refuses_private_addresses_by_default(queued, settings):
    settings.LIFELINE_RECOVERY_FETCH_ALLOW_PRIVATE = False
    with stub_server({"/alice/proj/c.txt": (200, {}, queued.challenge.encode())}) as base:
        add_project(queued.user, "proj", urls={"Source": f"{base}/alice/proj"})
        type(queued).objects.filter(pk=queued.pk).update(created=timezone.now())
        queued.refresh_from_db()
        proof = proof_repository(request_obj=queued, url=f"{base}/alice/proj/c.txt")
    assert not proof.ok and proof.details["error"] == "private_address"


def test_token_and_repository_make_strong_evidence(client, queued, old_token, settings):
    settings.LIFELINE_RECOVERY_FETCH_ALLOW_PRIVATE = True
    _token_post(client, queued.challenge, old_token[1])
    with stub_server({"/alice/proj/c.txt": (200, {}, queued.challenge.encode())}) as base:
        add_project(queued.user, "proj", urls={"Source": f"{base}/alice/proj"})
        type(queued).objects.filter(pk=queued.pk).update(created=timezone.now())
        queued.refresh_from_db()
        proof_repository(request_obj=queued, url=f"{base}/alice/proj/c.txt")
    evidence = evidence_for(queued)
    assert evidence.level == "strong"
    assert evidence.cooling_off.total_seconds() == 24 * 3600


# --- d. password -----------------------------------------------------------------------------


def test_password_proof_and_too_many_tries(queued, password, settings):
    settings.LIFELINE_RECOVERY_RATE_LIMITS = conf.DEFAULTS["LIFELINE_RECOVERY_RATE_LIMITS"] | {
        "password": "3/h"
    }
    assert not proof_password(request_obj=queued, password="wrong", ip="198.51.100.1").ok
    assert not proof_password(request_obj=queued, password="wrong", ip="198.51.100.1").ok
    assert proof_password(request_obj=queued, password=password, ip="198.51.100.1").ok
    with pytest.raises(ProofRefused) as refused:
        proof_password(request_obj=queued, password=password, ip="198.51.100.1")
    assert refused.value.code == "rate_limited"
    assert RecoveryProof.objects.filter(request=queued, method="password").count() == 3


def test_password_proof_for_an_unknown_account_fails(db):
    from tests.recovery.conftest import submit, verify

    request_obj = submit(username="ghost")
    verify(request_obj)
    request_obj.refresh_from_db()
    assert not proof_password(request_obj=request_obj, password="anything", ip=None).ok


# --- e. code to a verified address (through the status page) -----------------------------------


def _code_from(outbox):
    return re.search(r"^(\d{6,8})$", outbox[-1].body, re.M).group(1)


def test_email_code_proof_through_the_status_page(status_client, queued, outbox):
    url = reverse("recovery_status", kwargs={"public_id": queued.public_id})
    page = status_client.get(url).content.decode()
    assert "a…@e…e.com" in page and "alice@example.com" not in page
    status_client.post(url, {"action": "code_send", "address": "0"})
    assert outbox[-1].to == ["alice@example.com"]
    code = _code_from(outbox)
    assert code not in json.dumps(list(queued.email_codes.values()), default=str)
    wrong = "00000000" if code != "00000000" else "11111111"
    response = status_client.post(url, {"action": "code_verify", "code": wrong}, follow=True)
    assert "Wrong code (4 tries left)" in response.content.decode()
    response = status_client.post(url, {"action": "code_verify", "code": code}, follow=True)
    assert "Proof succeeded" in response.content.decode()
    assert RecoveryProof.objects.filter(request=queued, method="email_code", result="ok").exists()


def test_email_code_too_many_tries(status_client, queued, outbox):
    url = reverse("recovery_status", kwargs={"public_id": queued.public_id})
    status_client.post(url, {"action": "code_send", "address": "0"})
    code = _code_from(outbox)
    wrong = "00000000" if code != "00000000" else "11111111"
    for _ in range(5):
        status_client.post(url, {"action": "code_verify", "code": wrong})
    response = status_client.post(url, {"action": "code_verify", "code": code}, follow=True)
    assert "Too many wrong codes" in response.content.decode()
    assert not RecoveryProof.objects.filter(
        request=queued, method="email_code", result="ok"
    ).exists()


def test_email_code_form_validation(status_client, queued):
    url = reverse("recovery_status", kwargs={"public_id": queued.public_id})
    response = status_client.post(url, {"action": "code_verify", "code": "12ab"})
    assert response.status_code == 400
    assert "The code is 6 to 8 digits." in response.content.decode()


# --- f. knowledge ----------------------------------------------------------------------------


def test_knowledge_proof_is_weak_and_compared_with_records(status_client, queued):
    url = reverse("recovery_status", kwargs={"public_id": queued.public_id})
    year = queued.user.project_roles.get().project.releases.get().created.year
    status_client.post(
        url,
        {
            "action": "knowledge",
            "projects": "Alice_Tool",
            "first_upload_year": str(year),
            "old_emails": "x@y.z",
        },
    )
    proof = RecoveryProof.objects.get(request=queued, method="knowledge")
    assert proof.ok and proof.strength == "weak"
    assert proof.details["projects_matched"] == 1 and proof.details["year_matched"] is True
    assert evidence_for(queued).level == "weak"
