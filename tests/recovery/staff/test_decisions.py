# ruff: noqa: F811  (pytest fixtures imported from tests.desk.fixtures)
"""Staff decisions: justification, audit, the two-person rule, escalation, auto-approval."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.recovery.messages import recovery_message_post
from lifeline.recovery.models import RecoveryAudit, RecoveryMessage, RecoveryRequest
from lifeline.recovery.staff import auto_approve, decisions
from lifeline.recovery.states import IllegalTransition, State
from tests.desk.fixtures import (  # noqa: F401
    JUSTIFICATION,
    add_strong_proofs,
    case,
    desk_admin,
    make_staff,
    strong_case,
    support,
    support2,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def transitions(request_obj):
    return list(
        RecoveryAudit.objects.filter(request=request_obj)
        .exclude(from_state=State.SUBMITTED)
        .values_list("from_state", "to_state", "actor_kind")
    )


def test_approve_starts_cooling_off_and_tells_everyone(strong_case, support, outbox):
    outbox.clear()
    outcome = decisions.recovery_approve(
        request_obj=strong_case, actor=support.user, justification=JUSTIFICATION
    )
    assert outcome.applied
    strong_case.refresh_from_db()
    assert strong_case.state == State.APPROVED
    assert strong_case.tokens_decision == "keep"
    delta = strong_case.completes_at - timezone.now()
    assert timedelta(hours=23, minutes=59) < delta <= timedelta(hours=24)
    audit = RecoveryAudit.objects.get(request=strong_case, to_state=State.APPROVED)
    assert (audit.actor, audit.actor_kind, audit.justification) == (
        support.user,
        "staff",
        JUSTIFICATION,
    )
    event = SecurityEvent.objects.filter(
        user=strong_case.user, tag=EventTag.RECOVERY_TRANSITION
    ).first()
    assert event.actor == support.user and event.details["to"] == "approved"
    owner_mail = [m for m in outbox if "alice@example.com" in m.to]
    assert owner_mail and "/recovery/cancel/" in owner_mail[0].body
    assert any("new@contact.example" in m.to and "approved" in m.subject for m in outbox)


def test_moderate_evidence_gets_seven_days(case, support):
    from lifeline.recovery.proofs.common import record_proof

    record_proof(
        request_obj=case, method="api_token", ok=True, strength="strong", boundary="api_token"
    )
    decisions.recovery_approve(request_obj=case, actor=support.user, justification=JUSTIFICATION)
    case.refresh_from_db()
    assert case.completes_at - timezone.now() > timedelta(days=6, hours=23)


def test_short_justification_and_non_staff_are_refused(strong_case, support):
    with pytest.raises(IllegalTransition, match="justification"):
        decisions.recovery_approve(request_obj=strong_case, actor=support.user, justification="ok")
    outsider = UserFactory(is_staff=True)  # staff flag but no desk role
    with pytest.raises(IllegalTransition, match="support staff"):
        decisions.recovery_approve(
            request_obj=strong_case, actor=outsider, justification=JUSTIFICATION
        )
    strong_case.refresh_from_db()
    assert strong_case.state == State.OPEN
    assert not RecoveryAudit.objects.filter(request=strong_case, actor__isnull=False).exists()


def test_two_person_rule_for_critical_accounts(strong_case, support, support2):
    owner = strong_case.user
    owner.is_critical = True
    owner.save()
    first = decisions.recovery_approve(
        request_obj=strong_case, actor=support.user, justification=JUSTIFICATION
    )
    assert (first.applied, first.approvals, first.needed) == (False, 1, 2)
    strong_case.refresh_from_db()
    assert strong_case.state == State.OPEN
    with pytest.raises(IllegalTransition, match="already approved"):
        decisions.recovery_approve(
            request_obj=strong_case, actor=support.user, justification=JUSTIFICATION
        )
    second = decisions.recovery_approve(
        request_obj=strong_case,
        actor=support2.user,
        justification="Second look: repository proof is under the declared URL.",
        tokens_decision="revoke",
    )
    assert second.applied
    strong_case.refresh_from_db()
    assert strong_case.state == State.APPROVED
    assert strong_case.tokens_decision == "revoke"  # any approver asking to revoke wins
    approved = RecoveryAudit.objects.get(request=strong_case, to_state=State.APPROVED)
    assert approved.details["approvers"] == ["sam", "sue"]
    first_row = RecoveryAudit.objects.get(
        request=strong_case, details__action="approve", from_state=State.OPEN, to_state=State.OPEN
    )
    assert first_row.actor == support.user


def test_approvals_before_a_question_round_no_longer_count(strong_case, support, support2):
    strong_case.user.is_critical = True
    strong_case.user.save()
    decisions.recovery_approve(
        request_obj=strong_case, actor=support.user, justification=JUSTIFICATION
    )
    decisions.recovery_request_info(
        request_obj=strong_case,
        actor=support2.user,
        justification="The repository proof needs a second look from the owner.",
        message="Which repository did you use?",
    )
    recovery_message_post(request_obj=strong_case, body="The GitHub one.", author_kind="requester")
    strong_case.refresh_from_db()
    assert strong_case.state == State.OPEN
    outcome = decisions.recovery_approve(
        request_obj=strong_case, actor=support2.user, justification=JUSTIFICATION
    )
    assert not outcome.applied and outcome.approvals == 1


def test_request_info_moves_to_needs_info_and_emails(strong_case, support, outbox):
    outbox.clear()
    decisions.recovery_request_info(
        request_obj=strong_case,
        actor=support.user,
        justification="Need to know which repository holds the challenge.",
        message="Please tell us which repository you used.",
    )
    strong_case.refresh_from_db()
    assert strong_case.state == State.NEEDS_INFO
    assert strong_case.first_response_at is not None
    assert RecoveryMessage.objects.filter(request=strong_case, author=support.user).exists()
    assert any("Please tell us which repository" in m.body for m in outbox)
    assert ("open", "needs_info", "staff") in transitions(strong_case)


def test_deny_emails_the_shared_reason(strong_case, support, outbox):
    outbox.clear()
    decisions.recovery_deny(
        request_obj=strong_case,
        actor=support.user,
        justification="Internal: the token belongs to a CI system we flagged.",
        reason_to_share="We could not confirm the evidence.",
    )
    strong_case.refresh_from_db()
    assert strong_case.state == State.DENIED
    mail = [m for m in outbox if "new@contact.example" in m.to and "denied" in m.subject]
    assert mail and "We could not confirm the evidence." in mail[0].body
    assert "flagged" not in mail[0].body


def test_escalated_cases_need_an_admin(strong_case, support, desk_admin, outbox):
    outbox.clear()
    decisions.recovery_escalate(
        request_obj=strong_case,
        actor=support.user,
        justification="Unusual: two requests in a week.",
    )
    assert any("escalated" in m.subject for m in outbox)
    with pytest.raises(IllegalTransition, match="admin"):
        decisions.recovery_approve(
            request_obj=strong_case, actor=support.user, justification=JUSTIFICATION
        )
    assert decisions.recovery_approve(
        request_obj=strong_case, actor=desk_admin.user, justification=JUSTIFICATION
    ).applied


def test_assign_to_me_is_audited(strong_case, support):
    decisions.recovery_assign(
        request_obj=strong_case, actor=support.user, justification="Taking this one today, FIFO."
    )
    strong_case.refresh_from_db()
    assert strong_case.assignee == support.user
    row = RecoveryAudit.objects.get(request=strong_case, details__action="assign")
    assert row.from_state == row.to_state == State.OPEN
    assert SecurityEvent.objects.filter(
        tag=EventTag.RECOVERY_DESK_ACTION, actor=support.user, details__action="assign"
    ).exists()


def test_illegal_transition_is_a_clear_error(strong_case, support):
    decisions.recovery_deny(
        request_obj=strong_case,
        actor=support.user,
        justification="Denied after review of the evidence.",
        reason_to_share="Not enough evidence.",
    )
    with pytest.raises(IllegalTransition, match="denied"):
        decisions.recovery_approve(
            request_obj=strong_case, actor=support.user, justification=JUSTIFICATION
        )


# --- auto-approval -------------------------------------------------------------------------


def test_auto_approval_off_by_default(case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        add_strong_proofs(case)
    case.refresh_from_db()
    assert case.state == State.OPEN
    assert auto_approve.auto_approve_open_cases() == 0


def test_auto_approval_on_moves_strong_case_to_cooling_off(
    case, settings, django_capture_on_commit_callbacks, outbox
):
    settings.LIFELINE_RECOVERY_AUTO_APPROVE = True
    with django_capture_on_commit_callbacks(execute=True):
        add_strong_proofs(case)
    case.refresh_from_db()
    assert case.state == State.APPROVED
    audit = RecoveryAudit.objects.get(request=case, to_state=State.APPROVED)
    assert audit.actor is None and audit.actor_kind == "policy"
    assert any("alice@example.com" in m.to and "approved" in m.subject for m in outbox)


@pytest.mark.parametrize("blocker", ["critical", "contested", "moderate"])
def test_auto_approval_skips_critical_contested_and_weaker_cases(case, settings, blocker):
    settings.LIFELINE_RECOVERY_AUTO_APPROVE = True
    if blocker == "critical":
        case.user.is_critical = True
        case.user.save()
    if blocker == "contested":
        RecoveryRequest.objects.filter(pk=case.pk).update(contested=True)
        case.refresh_from_db()
    if blocker == "moderate":
        from lifeline.recovery.proofs.common import record_proof

        record_proof(request_obj=case, method="api_token", ok=True, strength="strong")
    else:
        add_strong_proofs(case)
    assert auto_approve.auto_approve_open_cases() == 0
    case.refresh_from_db()
    assert case.state == State.OPEN
    assert auto_approve.auto_approval_blockers(case)


def test_staff_role_needed_even_for_staff_flag(db):
    staff_without_2fa = make_staff("nofa", "support", with_2fa=False)
    from lifeline.recovery.staff.roles import is_admin, is_support

    assert is_support(staff_without_2fa.user) and not is_admin(staff_without_2fa.user)


def test_critical_flag_cannot_be_cleared_while_a_case_is_open(strong_case, desk_admin):
    from lifeline.desk.account_tools import ToolRefused, account_mark_critical

    user = strong_case.user
    account_mark_critical(
        user=user, actor=desk_admin.user, justification=JUSTIFICATION, critical=True
    )
    with pytest.raises(ToolRefused, match="open recovery case"):
        account_mark_critical(
            user=user, actor=desk_admin.user, justification=JUSTIFICATION, critical=False
        )
    user.refresh_from_db()
    assert user.is_critical
