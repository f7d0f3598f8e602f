# ruff: noqa: F811  (pytest fixtures imported from tests.desk.fixtures)
"""Cooling-off: the scheduled advance (and the check on access), and the owner stopping it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from lifeline.recovery import transition
from lifeline.recovery.links import cancel_path
from lifeline.recovery.models import RecoveryRequest, RestoreLink
from lifeline.recovery.requester.owner_cancel import recovery_owner_cancel
from lifeline.recovery.staff import decisions
from lifeline.recovery.states import State
from tests.desk.fixtures import (  # noqa: F401
    JUSTIFICATION,
    case,
    make_staff,
    staff_client_for,
    strong_case,
    support,
)
from tests.fixtures_mfa import login_with_2fa, make_2fa_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(strong_case, support):
    decisions.recovery_approve(
        request_obj=strong_case, actor=support.user, justification=JUSTIFICATION
    )
    strong_case.refresh_from_db()
    return strong_case


def past_cooling_off(request_obj):
    RecoveryRequest.objects.filter(pk=request_obj.pk).update(
        completes_at=timezone.now() - timedelta(minutes=1)
    )
    request_obj.refresh_from_db()


def test_nothing_happens_before_cooling_off_ends(approved):
    assert transition.sweep_timers() == 0
    approved.refresh_from_db()
    assert approved.state == State.APPROVED


def test_tick_makes_the_case_ready_and_mails_a_restore_link(approved, outbox):
    from django.core.management import call_command

    outbox.clear()
    past_cooling_off(approved)
    call_command("tick", verbosity=0)
    approved.refresh_from_db()
    assert approved.state == State.READY
    link = RestoreLink.objects.get(request=approved)
    assert link.expires_at - timezone.now() > timedelta(hours=71, minutes=59)
    mail = [m for m in outbox if m.to == ["new@contact.example"] and "Restore" in m.subject]
    assert len(mail) == 1
    raw = re.search(r"/recovery/restore/[0-9a-f-]+/([\w-]+)/", mail[0].body).group(1)
    assert raw not in link.token_hash and len(link.token_hash) == 64  # only a digest is stored
    assert transition.sweep_timers() == 0  # idempotent: one link only
    assert RestoreLink.objects.filter(request=approved).count() == 1


def test_a_stopped_worker_cannot_strand_a_case(approved, client, support):
    past_cooling_off(approved)
    staff_client_for(client, support)
    response = client.get(f"/desk/cases/{approved.public_id}/")
    assert response.status_code == 200
    approved.refresh_from_db()
    assert approved.state == State.READY


def test_owner_cancel_link_stops_cooling_off(approved, outbox):
    from lifeline.recovery import crypto

    signed = crypto.sign_cancel(str(approved.public_id))
    assert cancel_path(approved).endswith(f"{signed}/")
    recovery_owner_cancel(signed=signed)
    approved.refresh_from_db()
    assert approved.state == State.CANCELLED_BY_OWNER and approved.contested
    past_cooling_off(approved)
    assert transition.sweep_timers() == 0


def test_owner_second_factor_login_stops_cooling_off(approved, client, outbox):
    account = make_2fa_account(approved.user)
    outbox.clear()
    login_with_2fa(client, account)
    approved.refresh_from_db()
    assert approved.state == State.CANCELLED_BY_OWNER
    audit = approved.audit.get(to_state=State.CANCELLED_BY_OWNER)
    assert audit.actor_kind == "owner" and "second-factor" in audit.details["via"]
    assert any(m.to == ["new@contact.example"] for m in outbox)


def test_password_only_login_does_not_stop_it(approved, client):
    from tests.factories import DEFAULT_PASSWORD

    client.post("/account/login/", {"login": "alice", "password": DEFAULT_PASSWORD})
    approved.refresh_from_db()
    assert approved.state == State.APPROVED


def test_owner_is_told_again_at_every_verified_address(strong_case, support, outbox):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user=strong_case.user, email="alice@second.example", verified=True, primary=False
    )
    outbox.clear()
    decisions.recovery_approve(
        request_obj=strong_case, actor=support.user, justification=JUSTIFICATION
    )
    told = {m.to[0] for m in outbox if "/recovery/cancel/" in m.body}
    assert told == {"alice@example.com", "alice@second.example"}
