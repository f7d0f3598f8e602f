"""Attack: one compromised domain counted as several proofs (issue 11, item 1).

The victim's only address is at alice.dev. An attacker who controls alice.dev reads the
emailed code, resets the password through that mailbox and uses it as the password proof,
and publishes the challenge on a homepage at docs.alice.dev. Before the fix that was strong
evidence and, with auto-approval on, the account went to the attacker. Now every one of
those proofs is bounded by alice.dev: they count as one, the evidence is not strong,
auto-approval refuses, and the owner and staff are told about the reset.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.recovery.evidence import evidence_for, independence_blockers
from lifeline.recovery.models import RecoveryMessage, RecoveryRequest
from lifeline.recovery.policy import Level
from lifeline.recovery.proofs.email_code import proof_email_code_send, proof_email_code_verify
from lifeline.recovery.proofs.password import proof_password
from lifeline.recovery.proofs.repository import proof_repository
from lifeline.recovery.staff import auto_approve
from lifeline.recovery.states import State
from tests.factories import UserFactory
from tests.recovery.conftest import add_project, submit, verify
from tests.recovery.stub_server import stub_server
from tests.security import local_fetcher

pytestmark = pytest.mark.django_db

ATTACKER_PASSWORD = "attacker-chosen-password-91"


@pytest.fixture
def local_dns(settings):
    settings.LIFELINE_RECOVERY_FETCHER = "tests.security.local_fetcher.LocalFetcher"
    settings.LIFELINE_RECOVERY_AUTO_APPROVE = True
    local_fetcher.LOCAL_HOSTS.update({"docs.alice.dev", "github.com"})
    yield
    local_fetcher.LOCAL_HOSTS.clear()


def _victim(email: str):
    return UserFactory(username="alice", email=email)


def _file_request() -> RecoveryRequest:
    request_obj = submit(username="alice", contact="attacker@evil.example")
    verify(request_obj)
    request_obj.refresh_from_db()
    assert request_obj.state == State.OPEN
    return request_obj


def _to(outbox, address: str) -> list:
    return [m for m in outbox if any(address in to for to in m.to)]


def _reset_password_through_mailbox(client, outbox, address: str) -> None:
    """What the attacker does with the mailbox: allauth's real reset flow."""
    response = client.post(reverse("account_reset_password"), {"email": address})
    assert response.status_code == 302
    mail = _to(outbox, address)[-1]
    link = re.search(r"https?://\S+/password/reset/key/\S+/", mail.body).group(0)
    response = client.get(urlsplit(link).path)
    assert response.status_code == 302
    response = client.post(
        response["Location"], {"password1": ATTACKER_PASSWORD, "password2": ATTACKER_PASSWORD}
    )
    assert response.status_code == 302, response.content[:500]


def _read_code(outbox, address: str) -> str:
    return re.search(r"The code is:\s+(\d+)", _to(outbox, address)[-1].body).group(1)


def test_one_compromised_domain_is_not_strong_evidence(
    client, local_dns, outbox, django_capture_on_commit_callbacks
):
    victim = _victim("alice@alice.dev")
    routes: dict = {}
    with stub_server(routes) as base, django_capture_on_commit_callbacks(execute=True):
        homepage = f"http://docs.alice.dev:{urlsplit(base).port}/"
        add_project(victim, "alice-tool", home_page=homepage, urls={})
        case = _file_request()

        # 1. The emailed code: the attacker reads alice.dev mail.
        proof_email_code_send(request_obj=case, index=0)
        code = proof_email_code_verify(request_obj=case, code=_read_code(outbox, "alice.dev"))
        assert code.ok

        # 2. The password, reset through the same mailbox while the request is open.
        _reset_password_through_mailbox(client, outbox, "alice@alice.dev")
        password = proof_password(request_obj=case, password=ATTACKER_PASSWORD, ip="192.0.2.9")

        # 3. The homepage at docs.alice.dev carries the challenge.
        routes["/c.txt"] = (200, {}, case.challenge.encode())
        homepage_proof = proof_repository(request_obj=case, url=homepage + "c.txt")

    assert homepage_proof.ok and homepage_proof.boundary == "domain:alice.dev"
    assert code.boundary == "domain:alice.dev"
    # A password set during the request proves nothing, and it is tied to the mailbox.
    assert not password.ok, (password.reason, password.details)
    assert password.details.get("error") == "set_after_request", password.reason
    assert password.boundary == "domain:alice.dev"

    evidence = evidence_for(case)
    assert evidence.level != Level.STRONG
    assert any("the domain alice.dev" in r and "count as one proof" in r for r in evidence.reasons)

    # Auto-approval is on, and still the case waits for a person.
    case.refresh_from_db()
    assert case.state == State.OPEN
    assert auto_approve.auto_approve_open_cases() == 0
    assert auto_approve.auto_approval_blockers(case)
    assert independence_blockers(case)  # the strong proof shares its domain with the code

    # The owner's address heard about the request and about the reset during it.
    subjects = [m.subject for m in _to(outbox, "alice@alice.dev")]
    assert any("recover your" in s for s in subjects), subjects
    assert any("password changed while a recovery request is open" in s for s in subjects)
    # Staff see the reset on the case.
    note = RecoveryMessage.objects.get(request=case, kind=RecoveryMessage.Kind.NOTE)
    assert "Password reset" in note.body and "alice.dev" in note.body
    assert SecurityEvent.objects.filter(user=victim, tag=EventTag.PASSWORD_RESET).exists()


def test_a_password_reset_through_the_mailbox_before_filing_still_shares_its_domain(
    client, local_dns, outbox
):
    """The attacker resets first, then files: the password predates the request, but whoever
    reads alice.dev mail could have set it, so it counts with the emailed code, not on top."""
    victim = _victim("alice@alice.dev")
    add_project(victim, "alice-tool", home_page="http://docs.alice.dev/", urls={})
    _reset_password_through_mailbox(client, outbox, "alice@alice.dev")
    case = _file_request()
    proof_email_code_send(request_obj=case, index=0)
    assert proof_email_code_verify(request_obj=case, code=_read_code(outbox, "alice.dev")).ok
    password = proof_password(request_obj=case, password=ATTACKER_PASSWORD, ip="192.0.2.9")
    assert password.ok and password.boundary == "domain:alice.dev"
    assert "reset link" in password.reason and "alice.dev" in password.reason
    evidence = evidence_for(case)
    # Two medium proofs, one boundary: one proof, weak evidence.
    assert evidence.level == Level.WEAK
    assert evidence.independent_proofs == 1


def test_a_repository_on_a_code_host_and_a_code_at_another_domain_are_strong(
    local_dns, outbox, django_capture_on_commit_callbacks
):
    victim = _victim("alice@mailbox.example")
    routes: dict = {}
    with stub_server(routes) as base:
        source = f"http://github.com:{urlsplit(base).port}/alice/tool"
        add_project(victim, "alice-tool", urls={"Source": source})
        case = _file_request()
        proof_email_code_send(request_obj=case, index=0)
        code = proof_email_code_verify(request_obj=case, code=_read_code(outbox, "mailbox.example"))
        routes["/alice/tool/c.txt"] = (200, {}, case.challenge.encode())
        repo = proof_repository(request_obj=case, url=source + "/c.txt")
    assert code.ok and code.boundary == "domain:mailbox.example"
    assert repo.ok and repo.boundary == "repository:github.com/alice"
    assert evidence_for(case).level == Level.STRONG
    assert independence_blockers(case) == []
