"""The security history says what happened: recovery steps with from → to state names,
which proof and whether it succeeded, and every other tag with its details in words."""

from __future__ import annotations

import pytest

from lifeline.events.display import describe
from lifeline.events.models import SecurityEvent
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.recovery.models import RecoveryProof
from lifeline.recovery.proofs.common import record_proof
from lifeline.recovery.staff import decisions
from tests.desk.fixtures import JUSTIFICATION, make_staff, open_case
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", email="alice@example.com")


def history(client, user) -> str:
    client.force_login(user)
    html = client.get("/account/security/history/").content.decode()
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_recovery_steps_and_proofs_in_words(client, alice):
    case = open_case("alice")
    ref = case.reference
    record_proof(
        request_obj=case,
        method=RecoveryProof.Method.API_TOKEN,
        ok=True,
        strength=RecoveryProof.Strength.STRONG,
        boundary="api_token",
        reason="A valid API token.",
    )
    record_proof(
        request_obj=case,
        method=RecoveryProof.Method.REPOSITORY,
        ok=False,
        strength=RecoveryProof.Strength.STRONG,
        reason="The challenge was not found.",
    )
    staff = make_staff("sam", "support")
    decisions.recovery_assign(request_obj=case, actor=staff.user)
    decisions.recovery_approve(request_obj=case, actor=staff.user, justification=JUSTIFICATION)
    html = history(client, alice)
    for line in (
        f"Recovery request {ref} filed",
        f"Recovery request {ref}: submitted (contact address unconfirmed) → open",
        f"Recovery request {ref}: API token proof succeeded",
        f"Recovery request {ref}: Repository file proof failed",
        f"Recovery request {ref}: assigned to sam (support)",
        f"Recovery request {ref}: open → approved (cooling-off)",
    ):
        assert line in html, line
    assert "Account recovery request updated" not in html
    assert "Recovery proof attempted" not in html
    assert JUSTIFICATION not in html  # staff justifications stay on the desk


def test_recovery_events_carry_the_details_they_are_described_from(alice):
    case = open_case("alice")
    transition = SecurityEvent.objects.get(user=alice, tag=EventTag.RECOVERY_TRANSITION)
    assert transition.details["from"] == "submitted" and transition.details["to"] == "open"
    record_proof(
        request_obj=case,
        method=RecoveryProof.Method.EMAIL_CODE,
        ok=False,
        strength=RecoveryProof.Strength.MEDIUM,
    )
    proof = SecurityEvent.objects.get(user=alice, tag=EventTag.RECOVERY_PROOF)
    assert proof.details["method"] == "email_code" and proof.details["result"] == "failed"
    assert describe(proof) == f"Recovery request {case.reference}: Emailed code proof failed"


def test_expiry_reason_reaches_the_history(client, alice):
    from lifeline.recovery.states import State
    from lifeline.recovery.transition import recovery_transition
    from tests.recovery.conftest import submit

    case = submit(username="alice")
    recovery_transition(
        request_obj=case,
        to_state=State.EXPIRED,
        actor=None,
        actor_kind="system",
        details={"reason": "contact address not confirmed in time"},
    )
    assert (
        f"{case.reference}: submitted (contact address unconfirmed) → expired "
        "(contact address not confirmed in time)"
    ) in history(client, alice)


def test_other_tags_say_their_details_in_words(client, alice):
    record_event(tag=EventTag.EMAIL_ADD, user=alice, actor=alice, details={"email": "a@b.example"})
    record_event(
        tag=EventTag.EMAIL_PRIMARY,
        user=alice,
        actor=alice,
        details={"from": "a@b.example", "to": "c@d.example"},
    )
    record_event(
        tag=EventTag.TOKEN_CREATE,
        user=alice,
        actor=alice,
        details={"token_name": "ci", "public_id": "abc123", "scope": "all", "expires_at": None},
    )
    record_event(
        tag=EventTag.MFA_LOCKOUT,
        user=alice,
        details={"scope": "totp", "retry_after_seconds": 900},
    )
    record_event(tag=EventTag.RECOVERY_CODE_USE, user=alice, actor=alice, details={"remaining": 9})
    record_event(
        tag=EventTag.WEBAUTHN_RENAME,
        user=alice,
        actor=alice,
        details={"from": "Old key", "to": "Blue key"},
    )
    record_event(
        tag=EventTag.RELEASE_YANK,
        user=alice,
        actor=alice,
        project="alice-tool",
        details={"version": "1.0", "reason": "broken wheel"},
    )
    html = history(client, alice)
    for line in (
        "Email address added: a@b.example",
        "Primary email address changed: a@b.example → c@d.example",
        "API token created: “ci” for all projects",
        "Second-factor attempts locked out: blocked for 15 min",
        "Recovery code used to sign in: 9 codes left",
        "Security key renamed: Old key → Blue key",
        "Release yanked: alice-tool version 1.0 (reason: broken wheel)",
    ):
        assert line in html, line
    for raw in ("abc123", "[&#x27;", "{&#x27;", "None", "retry_after"):
        assert raw not in html, raw


def test_a_malformed_old_row_still_renders(client, alice):
    SecurityEvent.objects.create(
        tag=EventTag.RECOVERY_PROOF, user=alice, details=["not", "a", "dict"]
    )
    SecurityEvent.objects.create(tag="legacy:unknown:tag", user=alice, details={"note": "x"})
    html = history(client, alice)
    assert "Recovery proof attempted" in html  # the label: no invented proof or outcome
    assert "failed" not in html
    assert "legacy:unknown:tag: Note: x" in html
