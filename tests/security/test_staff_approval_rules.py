# ruff: noqa: F811  (pytest fixtures imported from tests.desk.fixtures)
"""Attack: one insider (or two who vouch for each other) approves what they should not.

Before the fix any support member could approve a case with weak evidence, a contested case
alone, a case on their own account or one whose contact address was their own, and an admin
could mint a fresh support account and have it co-sign. Each rule below is a refusal the
desk shows as an error (never a 500), written to the case's audit trail.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from lifeline.desk import roles
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.recovery.models import RecoveryAudit, RecoveryRequest, StaffRoleGrant
from lifeline.recovery.proofs.common import record_proof
from lifeline.recovery.staff import decisions
from lifeline.recovery.states import IllegalTransition, State
from tests.desk.fixtures import (  # noqa: F401
    JUSTIFICATION,
    add_strong_proofs,
    case,
    desk_admin,
    make_staff,
    open_case,
    owner,
    staff_client_for,
    strong_case,
    support,
    support2,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def approve(request_obj, actor):
    return decisions.recovery_approve(
        request_obj=request_obj, actor=actor, justification=JUSTIFICATION
    )


def refused(request_obj, rule: str) -> bool:
    return (
        RecoveryAudit.objects.filter(
            request=request_obj, details__action="approve_refused", details__rule=rule
        ).exists()
        and SecurityEvent.objects.filter(
            tag=EventTag.RECOVERY_APPROVAL_REFUSED, details__rule=rule
        ).exists()
    )


def assert_still_open(request_obj):
    request_obj.refresh_from_db()
    assert request_obj.state == State.OPEN and request_obj.completes_at is None


# --- evidence -------------------------------------------------------------------------------


def test_weak_evidence_cannot_be_approved(case, support):
    record_proof(request_obj=case, method="knowledge", ok=True, strength="weak")
    with pytest.raises(IllegalTransition, match="at least moderate evidence"):
        approve(case, support.user)
    assert_still_open(case)
    assert refused(case, "weak_evidence")


def test_weak_evidence_on_the_desk_is_a_clear_error(client, case, support):
    staff_client_for(client, support)
    response = client.post(
        f"/desk/cases/{case.public_id}/approve/",
        {"approve-justification": JUSTIFICATION, "approve-tokens_decision": "keep"},
        follow=True,
    )
    assert response.status_code == 200
    assert "at least moderate evidence" in response.content.decode()
    assert_still_open(case)
    assert refused(case, "weak_evidence")


def test_escalated_weak_case_needs_two_admins(case, support, desk_admin):
    decisions.recovery_escalate(
        request_obj=case, actor=support.user, justification="Weak evidence but a clear story."
    )
    first = approve(case, desk_admin.user)
    assert (first.applied, first.needed) == (False, 2)
    with pytest.raises(IllegalTransition, match="admin"):
        approve(case, support.user)  # support staff cannot be the second
    second_admin = make_staff("ann", "admin")
    assert approve(case, second_admin.user).applied


def test_moderate_evidence_is_enough_for_one_approver(case, support):
    record_proof(request_obj=case, method="api_token", ok=True, strength="strong")
    assert approve(case, support.user).applied


# --- contested ------------------------------------------------------------------------------


def test_contested_case_needs_two_approvers(strong_case, support, support2, outbox):
    RecoveryRequest.objects.filter(pk=strong_case.pk).update(contested=True)
    first = approve(strong_case, support.user)
    assert (first.applied, first.approvals, first.needed) == (False, 1, 2)
    assert_still_open(strong_case)
    assert approve(strong_case, support2.user).applied


# --- conflicts of interest --------------------------------------------------------------------


def test_nobody_approves_their_own_account(support):
    request_obj = open_case("sam", contact="sam-new@contact.example")
    add_strong_proofs(request_obj)
    with pytest.raises(IllegalTransition, match="your own account"):
        approve(request_obj, support.user)
    assert_still_open(request_obj)
    assert refused(request_obj, "own_account")


def test_nobody_approves_a_case_sent_to_their_own_address(strong_case, support):
    """An insider files for a victim with a contact address they read, then approves it."""
    EmailAddress.objects.create(user=support.user, email="sam.private@mail.example")
    RecoveryRequest.objects.filter(pk=strong_case.pk).update(
        contact_email="Sam.Private@MAIL.example"
    )
    strong_case.refresh_from_db()
    with pytest.raises(IllegalTransition, match="one of your own addresses"):
        approve(strong_case, support.user)
    assert_still_open(strong_case)
    assert refused(strong_case, "own_contact_address")


# --- linked approvers -------------------------------------------------------------------------


def grant(role: str, username: str, proposer, confirmer):
    user = UserFactory(username=username)
    change = roles.staff_set_role(
        user=user, role=role, actor=proposer.user, justification=JUSTIFICATION
    )
    roles.confirm_role_grant(grant=change.grant, actor=confirmer.user, justification=JUSTIFICATION)
    user.refresh_from_db()
    return user


def test_approvals_of_a_granter_and_their_grantee_count_once(strong_case, desk_admin, support):
    owner = strong_case.user
    owner.is_critical = True
    owner.save()
    bea = make_staff("bea", "admin")
    puppet = grant("support", "puppet", desk_admin, bea)

    assert not approve(strong_case, puppet).applied
    for linked in (desk_admin.user, bea.user):  # the proposer and the confirmer
        with pytest.raises(IllegalTransition, match="count as one"):
            approve(strong_case, linked)
    assert_still_open(strong_case)
    assert refused(strong_case, "linked_approvers")
    assert approve(strong_case, support.user).applied  # an independent second approver


def test_grant_link_expires_after_30_days(strong_case, desk_admin):
    strong_case.user.is_critical = True
    strong_case.user.save()
    bea = make_staff("bea", "admin")
    puppet = grant("support", "puppet", desk_admin, bea)
    long_ago = timezone.now() - timedelta(days=31)
    StaffRoleGrant.objects.update(applied_at=long_ago)
    SecurityEvent.objects.filter(tag=EventTag.STAFF_ROLE_GRANT).update(created=long_ago)
    approve(strong_case, puppet)
    assert approve(strong_case, desk_admin.user).applied


# --- granting a desk role is a two-person action ----------------------------------------------


def test_a_role_grant_waits_for_a_second_admin(desk_admin, outbox):
    bea = make_staff("bea", "admin")
    newbie = UserFactory(username="newbie")
    outbox.clear()
    change = roles.staff_set_role(
        user=newbie, role="admin", actor=desk_admin.user, justification=JUSTIFICATION
    )
    newbie.refresh_from_db()
    assert not change.applied and not roles.is_support(newbie)
    assert [m.to for m in outbox] == [["bea@example.com"]]
    with pytest.raises(roles.NotAllowed, match="different admin"):
        roles.confirm_role_grant(
            grant=change.grant, actor=desk_admin.user, justification=JUSTIFICATION
        )
    roles.confirm_role_grant(grant=change.grant, actor=bea.user, justification=JUSTIFICATION)
    newbie = type(newbie).objects.get(pk=newbie.pk)
    assert roles.is_admin(newbie)
    event = SecurityEvent.objects.get(user=newbie, tag=EventTag.STAFF_ROLE_GRANT)
    assert event.details["proposed_by"] == "ada" and event.details["confirmed_by"] == "bea"


def test_sole_admin_grant_waits_seven_days_and_tells_all_staff(desk_admin, support, outbox):
    newbie = UserFactory(username="newbie")
    outbox.clear()
    change = roles.staff_set_role(
        user=newbie, role="support", actor=desk_admin.user, justification=JUSTIFICATION
    )
    assert not change.applied and "only admin" in change.message
    told = {address for m in outbox for address in m.to}
    assert told == {"ada@example.com", "sam@example.com"}
    assert roles.apply_due_role_grants() == 0
    assert not roles.is_support(type(newbie).objects.get(pk=newbie.pk))
    StaffRoleGrant.objects.update(effective_at=timezone.now() - timedelta(seconds=1))
    assert roles.apply_due_role_grants() == 1
    assert roles.is_support(type(newbie).objects.get(pk=newbie.pk))


def test_removing_a_role_applies_at_once(desk_admin, support):
    change = roles.staff_set_role(
        user=support.user, role="", actor=desk_admin.user, justification=JUSTIFICATION
    )
    assert change.applied
    assert not roles.is_support(type(support.user).objects.get(pk=support.user.pk))
