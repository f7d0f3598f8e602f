# ruff: noqa: F811  (pytest fixtures imported from tests.desk.fixtures)
"""Attack: a second claimant files for an account whose recovery is under way.

Before the fix the second request became a quiet note on the case: an approved case kept
cooling down towards a restore, nobody was told, and the desk saw nothing unusual. Now a
confirmed competing request is a red flag: the case is contested, cooling-off stops (the
restore link dies), the desk lists it first, and the owner and both claimants are told.
"""

from __future__ import annotations

import pytest

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.recovery.links import LinkProblem
from lifeline.recovery.models import RecoveryAudit, RecoveryMessage, RecoveryRequest
from lifeline.recovery.restore_link import check_restore_link
from lifeline.recovery.staff import decisions
from lifeline.recovery.staff.queue import QueueFilters, queue
from lifeline.recovery.states import State
from lifeline.recovery.transition import fire_timer
from tests.desk.fixtures import (  # noqa: F401
    JUSTIFICATION,
    case,
    open_case,
    owner,
    strong_case,
    support,
    support2,
)
from tests.recovery.conftest import submit, verify

pytestmark = pytest.mark.django_db

ATTACKER = "mallory@attacker.example"


def file_competing(confirm: bool = True) -> RecoveryRequest:
    competitor = submit(contact=ATTACKER, ip="198.51.100.66")
    if confirm:
        verify(competitor)
    competitor.refresh_from_db()
    return competitor


def mail_to(outbox, address: str) -> list:
    return [m for m in outbox if address in m.to]


def test_competing_request_on_open_case_is_a_red_flag(case, outbox):
    outbox.clear()
    competitor = file_competing()

    case.refresh_from_db()
    assert case.contested and case.state == State.OPEN
    assert competitor.state == State.WITHDRAWN  # merged into the case, as before
    assert RecoveryMessage.objects.filter(request=case, kind="note").count() == 2  # kept
    audit = RecoveryAudit.objects.get(request=case, details__action="contested")
    assert audit.details["competing_request"] == competitor.reference
    assert SecurityEvent.objects.filter(user=case.user, tag=EventTag.RECOVERY_CONTESTED).exists()
    # The owner, at every verified address, with the case's cancel link.
    owner_mail = mail_to(outbox, "alice@example.com")
    assert len(owner_mail) == 1 and "second request" in owner_mail[0].subject
    assert "/recovery/cancel/" in owner_mail[0].body and "198.51.100.66" in owner_mail[0].body
    # Both claimants, each on their own (neither sees the other's address).
    for address in ("new@contact.example", ATTACKER):
        mail = [m for m in mail_to(outbox, address) if "closer review" in m.subject]
        assert len(mail) == 1
        other = ATTACKER if address != ATTACKER else "new@contact.example"
        assert other not in mail[0].body


def test_competing_request_stops_cooling_off(strong_case, support, outbox):
    decisions.recovery_approve(
        request_obj=strong_case, actor=support.user, justification=JUSTIFICATION
    )
    strong_case.refresh_from_db()
    assert strong_case.state == State.APPROVED and strong_case.completes_at
    outbox.clear()

    file_competing()

    strong_case.refresh_from_db()
    assert strong_case.state == State.OPEN and strong_case.contested
    assert strong_case.completes_at is None
    back = RecoveryAudit.objects.get(
        request=strong_case, from_state=State.APPROVED, to_state=State.OPEN
    )
    assert back.actor_kind == "system" and back.details["cooling_off_stopped"]
    assert "competing recovery request" in back.details["reason"]
    assert "waiting period has stopped" in mail_to(outbox, "alice@example.com")[0].body
    # The old approval no longer counts, and a contested case needs two approvers.
    outcome = decisions.recovery_approve(
        request_obj=strong_case, actor=support.user, justification=JUSTIFICATION
    )
    assert not outcome.applied and outcome.needed == 2


def test_competing_request_kills_the_restore_link(strong_case, support, outbox):
    decisions.recovery_approve(
        request_obj=strong_case, actor=support.user, justification=JUSTIFICATION
    )
    strong_case.refresh_from_db()
    assert fire_timer(strong_case, now=strong_case.completes_at)
    strong_case.refresh_from_db()
    assert strong_case.state == State.READY
    raw = _restore_token_from(outbox)
    assert check_restore_link(public_id=strong_case.public_id, token=raw)

    file_competing()

    strong_case.refresh_from_db()
    assert strong_case.state == State.OPEN and strong_case.contested
    with pytest.raises(LinkProblem):
        check_restore_link(public_id=strong_case.public_id, token=raw)


def test_unconfirmed_submission_is_only_a_note(strong_case, support, outbox):
    """Typing a username costs nothing: until the submitter proves their address, it must
    not stall a genuine recovery (nor mail the owner)."""
    decisions.recovery_approve(
        request_obj=strong_case, actor=support.user, justification=JUSTIFICATION
    )
    outbox.clear()
    file_competing(confirm=False)
    strong_case.refresh_from_db()
    assert strong_case.state == State.APPROVED and not strong_case.contested
    assert RecoveryMessage.objects.filter(request=strong_case, kind="note").exists()
    assert not mail_to(outbox, "alice@example.com")


def test_desk_lists_contested_cases_first(case, support):
    from lifeline.recovery.requester.withdraw import recovery_withdraw

    other = open_case("bob", contact="bob@contact.example")
    older_first = [row.request_obj.pk for row in queue(QueueFilters(), actor=support.user)]
    assert older_first == [case.pk, other.pk]
    RecoveryRequest.objects.filter(pk=other.pk).update(contested=True)
    rows = queue(QueueFilters(), actor=support.user)
    assert [row.request_obj.pk for row in rows] == [other.pk, case.pk]
    recovery_withdraw(request_obj=case)


def _restore_token_from(outbox) -> str:
    import re

    for message in reversed(outbox):
        found = re.search(r"/recovery/restore/[0-9a-f-]+/([A-Za-z0-9_\-]+)/", message.body)
        if found:
            return found.group(1)
    raise AssertionError("no restore link was emailed")


def test_the_case_page_says_why_it_is_contested(client, case, support):
    from tests.desk.fixtures import staff_client_for

    file_competing()
    staff_client_for(client, support)
    html = client.get(f"/desk/cases/{case.public_id}/").content.decode()
    assert "Contested" in html and "a second person confirmed a request" in html
    assert "A second submitter confirmed their contact address." in html  # the note
