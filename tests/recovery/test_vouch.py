"""Vouches from recovery contacts (issue 13, item 5): who is asked, and how an answer moves
the case's evidence exactly as the policy says (medium, never strong alone)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lifeline.checkup.contacts_models import RecoveryContact
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.recovery.evidence import evidence_for
from lifeline.recovery.models import RecoveryProof
from lifeline.recovery.policy import Level
from lifeline.recovery.proofs.api_token import proof_api_token
from lifeline.recovery.vouch import (
    VouchError,
    counts,
    open_vouches_for,
    vouch_answer,
    vouch_blockers,
    vouches_request,
)
from tests.factories import UserFactory
from tests.fixtures_mfa import enter_sudo, make_2fa_account

pytestmark = pytest.mark.django_db


def link(owner, contact, *, days: int) -> RecoveryContact:
    when = timezone.now() - timedelta(days=days)
    return RecoveryContact.objects.create(
        owner=owner,
        contact=contact,
        invited_username=contact.username,
        status=RecoveryContact.Status.ACCEPTED,
        invited_at=when,
        accepted_at=when,
    )


@pytest.fixture
def contacts(owner):
    """Two long-standing contacts of alice (with 2FA), and one who joined last week."""
    bob = make_2fa_account(UserFactory(username="bob"))
    carol = make_2fa_account(UserFactory(username="carol"))
    newbie = UserFactory(username="newbie")
    link(owner, bob.user, days=90)
    link(owner, carol.user, days=45)
    link(owner, newbie, days=7)
    return bob, carol, newbie


def answer(account, proof, confirmed=True):
    return vouch_answer(contact=account.user, proof_id=proof.pk, confirmed=confirmed)


def test_the_thirty_day_rule():
    made = timezone.now()
    assert counts(contact_since=made - timedelta(days=30), request_created=made)
    assert not counts(contact_since=made - timedelta(days=29, hours=23), request_created=made)
    assert not counts(contact_since=None, request_created=made)


def test_only_contacts_of_thirty_days_are_asked_once_each(queued, contacts, outbox):
    bob, _carol, newbie = contacts
    asked = vouches_request(request_obj=queued)
    assert sorted(p.details["contact"] for p in asked) == ["bob", "carol"]
    assert all(p.result == "pending" and p.strength == "medium" for p in asked)
    assert vouches_request(request_obj=queued) == []  # idempotent
    requests = [m for m in outbox if "needs your answer" in m.subject]
    assert sorted(m.to[0] for m in requests) == ["bob@example.com", "carol@example.com"]
    assert "through a channel you already share" in requests[0].body
    assert reverse("recovery_vouch", args=[asked[0].pk]) in requests[0].body
    assert [a.owner_name for a in open_vouches_for(bob.user)] == ["alice"]
    assert open_vouches_for(newbie) == []
    assert SecurityEvent.objects.filter(user=bob.user, tag=EventTag.VOUCH_REQUEST).exists()
    # Waiting for answers is no evidence yet.
    assert evidence_for(queued).level == Level.WEAK


def test_one_vouch_is_weak_two_are_moderate_never_strong(queued, contacts):
    bob, carol, _ = contacts
    by_name = {p.details["contact"]: p for p in vouches_request(request_obj=queued)}
    answer(bob, by_name["bob"])
    assert evidence_for(queued).level == Level.WEAK
    answer(carol, by_name["carol"])
    evidence = evidence_for(queued)
    assert evidence.level == Level.MODERATE
    assert evidence.independent_proofs == 2
    assert "2 independent medium proofs but no strong one." in evidence.reasons
    assert vouch_blockers(queued) == []
    event = SecurityEvent.objects.get(user=queued.user, tag=EventTag.VOUCH_ANSWER, actor=bob.user)
    assert event.details["answer"] == "confirmed"


def test_a_vouch_with_a_strong_proof_is_strong(queued, contacts, old_token):
    bob, _, _ = contacts
    proof_api_token(challenge=queued.challenge, raw_token=old_token[1], ip="203.0.113.5")
    assert evidence_for(queued).level == Level.MODERATE  # one strong proof alone
    asked = {p.details["contact"]: p for p in vouches_request(request_obj=queued)}
    answer(bob, asked["bob"])
    assert evidence_for(queued).level == Level.STRONG


def test_could_not_confirm_is_a_warning_that_stops_auto_approval(queued, contacts):
    bob, carol, _ = contacts
    asked = {p.details["contact"]: p for p in vouches_request(request_obj=queued)}
    answer(bob, asked["bob"])
    answer(carol, asked["carol"], confirmed=False)
    refused = RecoveryProof.objects.get(pk=asked["carol"].pk)
    assert refused.result == "failed"
    assert refused.reason.startswith("Warning: the recovery contact carol could not confirm")
    assert refused.shown_reason == "One of the owner's recovery contacts answered."
    assert vouch_blockers(queued) == [
        "The recovery contact carol could not confirm that this request comes from the owner."
    ]
    assert evidence_for(queued).level == Level.WEAK  # bob's vouch alone


def test_answers_only_from_a_current_contact_once(queued, contacts):
    bob, carol, _ = contacts
    asked = {p.details["contact"]: p for p in vouches_request(request_obj=queued)}
    with pytest.raises(VouchError):  # someone else's vouch
        vouch_answer(contact=carol.user, proof_id=asked["bob"].pk, confirmed=True)
    answer(bob, asked["bob"])
    with pytest.raises(VouchError):  # answered already
        answer(bob, asked["bob"], confirmed=False)
    # carol stops being a contact, then names herself again: too recent to count now.
    RecoveryContact.objects.filter(contact=carol.user).delete()
    link(queued.user, carol.user, days=1)
    with pytest.raises(VouchError, match="no longer a recovery contact"):
        answer(carol, asked["carol"])
    assert RecoveryProof.objects.get(pk=asked["carol"].pk).result == "pending"


# --- the page -----------------------------------------------------------------------------


def test_the_page_needs_2fa_and_sudo_and_records_the_answer(client, queued, contacts):
    bob, _, _ = contacts
    proof = next(p for p in vouches_request(request_obj=queued) if p.details["contact"] == "bob")
    url = reverse("recovery_vouch", args=[proof.pk])

    client.force_login(bob.user)
    response = client.get(url)
    assert response.status_code == 302 and "reauthenticate" in response["Location"]

    enter_sudo(client, bob.user)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Is this really alice?" in text
    assert "I have confirmed, through a channel we already share" in text
    assert "I could not confirm it" in text
    # The banner on every page (the dashboard included).
    assert "Someone asked to recover alice" in client.get(reverse("home")).content.decode()

    client.post(url, {"answer": "confirmed"})
    assert RecoveryProof.objects.get(pk=proof.pk).result == "ok"
    assert client.get(url).status_code == 404  # answered: no longer open


def test_a_contact_without_2fa_cannot_vouch(client, queued, owner):
    plain = UserFactory(username="plain")
    link(owner, plain, days=60)
    (proof,) = vouches_request(request_obj=queued)
    client.force_login(plain)
    enter_sudo(client, plain)  # a session that claims a second factor the user doesn't have
    response = client.post(reverse("recovery_vouch", args=[proof.pk]), {"answer": "confirmed"})
    assert response.status_code == 403
    assert RecoveryProof.objects.get(pk=proof.pk).result == "pending"


# --- wiring: asked when the request enters review; a refusal stops auto-approval -----------


def test_contacts_are_asked_when_the_request_enters_review(owner, contacts, outbox):
    from tests.recovery.conftest import submit, verify

    request_obj = submit()
    assert not RecoveryProof.objects.filter(request=request_obj, method="vouch").exists()
    verify(request_obj)  # the contact address is confirmed: the case enters review
    asked = RecoveryProof.objects.filter(request=request_obj, method="vouch")
    assert sorted(p.details["contact"] for p in asked) == ["bob", "carol"]


def test_could_not_confirm_stops_auto_approval(queued, contacts, old_token, settings):
    from lifeline.recovery.staff.auto_approve import auto_approval_blockers

    settings.LIFELINE_RECOVERY_AUTO_APPROVE = True
    bob, carol, _ = contacts
    asked = {p.details["contact"]: p for p in vouches_request(request_obj=queued)}
    proof_api_token(challenge=queued.challenge, raw_token=old_token[1], ip="203.0.113.5")
    answer(bob, asked["bob"])
    assert evidence_for(queued).level == Level.STRONG
    warning = "The recovery contact carol could not confirm that this request comes from the owner."
    assert warning not in auto_approval_blockers(queued)
    answer(carol, asked["carol"], confirmed=False)
    queued.refresh_from_db()
    assert warning in auto_approval_blockers(queued)
    assert queued.state == "open"  # not approved by policy
