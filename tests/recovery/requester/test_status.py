"""What the requester's status page shows, and what it never shows: the vouches of the
owner's recovery contacts (pending or answered), which would tell a possibly malicious
requester that the owner has contacts to press."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lifeline.checkup.contacts_models import RecoveryContact
from lifeline.recovery.evidence import evidence_for, evidence_for_requester
from lifeline.recovery.links import status_url
from lifeline.recovery.models import RecoveryProof
from lifeline.recovery.policy import Level
from lifeline.recovery.requester.status import timeline
from lifeline.recovery.vouch import vouch_answer, vouches_request
from tests.factories import UserFactory
from tests.fixtures_mfa import make_2fa_account

pytestmark = pytest.mark.django_db

NEVER_SAID = ("recovery contact", "vouch", "contacts", "bob", "carol")


def _contact(owner, username: str):
    account = make_2fa_account(UserFactory(username=username))
    when = timezone.now() - timedelta(days=60)
    RecoveryContact.objects.create(
        owner=owner,
        contact=account.user,
        invited_username=username,
        status=RecoveryContact.Status.ACCEPTED,
        invited_at=when,
        accepted_at=when,
    )
    return account


def _status_page(client, request_obj) -> str:
    url = status_url(request_obj)
    entry = client.get(url[url.index("/recovery/") :])
    page = client.get(entry["Location"])
    assert page.status_code == 200
    return page.content.decode()


def _assert_silent(html: str) -> None:
    lowered = html.lower()
    for words in NEVER_SAID:
        assert words not in lowered, words


def test_the_requester_gets_no_email_about_a_vouch(queued, outbox):
    bob = _contact(queued.user, "bob")
    carol = _contact(queued.user, "carol")
    outbox.clear()
    for account, proof in zip((bob, carol), vouches_request(request_obj=queued), strict=True):
        vouch_answer(contact=account.user, proof_id=proof.pk, confirmed=account is bob)
    assert {m.to[0] for m in outbox} <= {bob.user.email, carol.user.email}
    assert not [m for m in outbox if queued.contact_email in m.to]


def test_the_status_page_never_mentions_vouches_pending_or_answered(client, queued):
    bob = _contact(queued.user, "bob")
    carol = _contact(queued.user, "carol")
    proofs = vouches_request(request_obj=queued)
    assert len(proofs) == 2 and all(p.pending for p in proofs)

    html = _status_page(client, queued)
    _assert_silent(html)
    assert 'id="checking"' not in html  # no "a check is still running" for a hidden proof
    assert "Evidence: " in html and ">Weak<" in html

    by_contact = {p.details["contact"]: p for p in proofs}
    vouch_answer(contact=bob.user, proof_id=by_contact["bob"].pk, confirmed=True)
    vouch_answer(contact=carol.user, proof_id=by_contact["carol"].pk, confirmed=False)
    assert (
        RecoveryProof.objects.filter(request=queued, method="vouch")
        .exclude(result="pending")
        .count()
        == 2
    )

    html = _status_page(client, queued)
    _assert_silent(html)
    assert ">Weak<" in html  # the answers move the staff's evidence, not the requester's view
    assert all("contact" not in entry.text.lower() for entry in timeline(queued))


def test_the_requester_evidence_leaves_vouches_out_the_desk_evidence_keeps_them(queued):
    bob = _contact(queued.user, "bob")
    carol = _contact(queued.user, "carol")
    for account, proof in zip((bob, carol), vouches_request(request_obj=queued), strict=True):
        vouch_answer(contact=account.user, proof_id=proof.pk, confirmed=True)
    assert evidence_for(queued).level == Level.MODERATE
    seen = evidence_for_requester(queued)
    assert seen.level == Level.WEAK
    assert not any("contact" in reason.lower() for reason in seen.reasons)
