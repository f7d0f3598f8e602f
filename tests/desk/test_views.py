"""Desk pages through the real client: queue, case page, actions, metrics, tools, staff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.recovery.models import RecoveryAudit, RecoveryRequest, StaffRoleGrant
from lifeline.recovery.states import State
from tests.desk.fixtures import JUSTIFICATION, make_staff, open_case, staff_client_for
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.fixtures_mfa import enter_sudo

pytestmark = pytest.mark.django_db


def test_queue_counts_filters_and_sla(staff_client, strong_case, settings):
    settings.LIFELINE_DESK_SLA_DAYS = 7
    UserFactory(username="bob")
    old = open_case("bob", contact="bob@contact.example")
    RecoveryRequest.objects.filter(pk=old.pk).update(queued_at=timezone.now() - timedelta(days=9))
    page = staff_client.get("/desk/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index(old.reference) < html.index(strong_case.reference)  # oldest first
    assert 'title="Older than 7 days"' in html
    assert "<dt>Open</dt><dd>2</dd>" in html
    strong_only = staff_client.get("/desk/", {"level": "strong"}).content.decode()
    assert strong_case.reference in strong_only and old.reference not in strong_only
    aged = staff_client.get("/desk/", {"min_age_days": 8}).content.decode()
    assert old.reference in aged and strong_case.reference not in aged
    newest = staff_client.get("/desk/", {"order": "newest"}).content.decode()
    assert newest.index(strong_case.reference) < newest.index(old.reference)
    RecoveryRequest.objects.filter(pk=old.pk).update(contested=True)
    contested = staff_client.get("/desk/", {"contested": "yes"}).content.decode()
    assert old.reference in contested and strong_case.reference not in contested
    mine = staff_client.get("/desk/", {"assignee": "me"}).content.decode()
    assert "No cases match." in mine


def test_case_page_shows_everything_on_one_screen(staff_client, strong_case):
    from tests.fixtures_mfa import make_2fa_account
    from tests.recovery.conftest import make_token

    make_2fa_account(strong_case.user)
    make_token(strong_case.user, name="ci-secret")
    html = staff_client.get(f"/desk/cases/{strong_case.public_id}/").content.decode()
    for expected in [
        "The request as filed",
        "I lost my laptop",
        "Strong evidence",
        "API token possession",
        "repository:code.example/alice",
        "alice@example.com",
        "Authenticator app.",
        "10 recovery codes left",
        "alice-tool",
        "https://code.example/alice/alice-tool",
        "ci-secret",
        "Security timeline",
        "Messages with the requester",
        "Audit trail",
        "Ask for a repository proof",
    ]:
        assert expected in html, expected


def test_templated_reply_prefills_an_editable_message(staff_client, strong_case):
    html = staff_client.get(
        f"/desk/cases/{strong_case.public_id}/", {"reply": "repository"}
    ).content.decode()
    assert "publish a file containing the challenge" in html


def test_approve_through_the_desk(staff_client, strong_case, outbox):
    url = f"/desk/cases/{strong_case.public_id}/approve/"
    short = staff_client.post(
        url, {"approve-justification": "ok", "approve-tokens_decision": "keep"}
    )
    assert short.status_code == 400
    response = staff_client.post(
        url, {"approve-justification": JUSTIFICATION, "approve-tokens_decision": "keep"}
    )
    assert response.status_code == 302
    strong_case.refresh_from_db()
    assert strong_case.state == State.APPROVED
    page = staff_client.get(response["Location"]).content.decode()
    assert "cooling-off period has started" in page
    assert RecoveryAudit.objects.filter(request=strong_case, to_state="approved").count() == 1


def test_two_person_rule_through_the_desk(client, strong_case, support, support2):
    strong_case.user.is_critical = True
    strong_case.user.save()
    data = {"approve-justification": JUSTIFICATION, "approve-tokens_decision": "keep"}
    url = f"/desk/cases/{strong_case.public_id}/approve/"
    staff_client_for(client, support)
    first = client.get(client.post(url, data)["Location"]).content.decode()
    assert "Approval 1 of 2 recorded" in first
    again = client.get(client.post(url, data)["Location"]).content.decode()
    assert "You already approved this case" in again
    strong_case.refresh_from_db()
    assert strong_case.state == State.OPEN
    client.logout()
    staff_client_for(client, support2)
    client.post(url, data)
    strong_case.refresh_from_db()
    assert strong_case.state == State.APPROVED


def test_message_deny_and_request_info_through_the_desk(staff_client, strong_case, outbox):
    base = f"/desk/cases/{strong_case.public_id}"
    assert staff_client.post(f"{base}/message/", {"body": "We are looking."}).status_code == 302
    assert any("We are looking." in m.body for m in outbox)
    staff_client.post(
        f"{base}/request-info/",
        {"info-justification": JUSTIFICATION, "info-message": "Which repository?"},
    )
    strong_case.refresh_from_db()
    assert strong_case.state == State.NEEDS_INFO
    staff_client.post(
        f"{base}/deny/",
        {"deny-justification": JUSTIFICATION, "deny-reason_to_share": "No match found."},
    )
    strong_case.refresh_from_db()
    assert strong_case.state == State.DENIED


def test_metrics_page_renders_svg_charts(staff_client, strong_case):
    html = staff_client.get("/desk/metrics/").content.decode()
    assert html.count('<svg class="chart') == 3
    assert "style=" not in html.split("<main", 1)[1]
    assert "<script" not in html.split("<main", 1)[1]


def test_admin_freezes_an_account_and_login_is_blocked(client, desk_admin, owner, settings):
    staff_client_for(client, desk_admin)
    url = "/desk/accounts/alice/freeze/"
    assert client.post(url, {"freeze-justification": "short"}).status_code == 400
    client.post(url, {"freeze-justification": "Reported compromised by the owner by phone."})
    owner.refresh_from_db()
    assert owner.frozen_at is not None
    event = SecurityEvent.objects.get(user=owner, tag=EventTag.STAFF_FREEZE)
    assert event.actor == desk_admin.user and "compromised" in event.details["justification"]
    client.logout()
    response = client.post(
        "/account/login/", {"login": "alice", "password": DEFAULT_PASSWORD}, follow=True
    )
    assert "This account is frozen; contact support." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_marks_critical_and_forces_a_reset(client, desk_admin, owner, outbox):
    staff_client_for(client, desk_admin)
    client.post(
        "/desk/accounts/alice/critical/",
        {"critical-justification": "Owns a widely used package; two approvers."},
    )
    owner.refresh_from_db()
    assert owner.is_critical
    outbox.clear()
    client.post(
        "/desk/accounts/alice/force_reset/",
        {"force_reset-justification": "Password seen in a breach corpus today."},
    )
    owner.refresh_from_db()
    assert not owner.has_usable_password()
    assert any("/account/password/reset/key/" in m.body for m in outbox)
    tags = set(SecurityEvent.objects.filter(user=owner).values_list("tag", flat=True))
    assert {EventTag.STAFF_CRITICAL, EventTag.STAFF_FORCE_RESET} <= tags


def test_admin_manages_staff(client, desk_admin):
    UserFactory(username="newbie")
    staff_client_for(client, desk_admin)
    client.post(
        "/desk/staff/role/",
        {"username": "newbie", "role": "support", "justification": JUSTIFICATION},
    )
    # Giving a role is a two-person action: a second admin confirms it on this page.
    assert SecurityEvent.objects.filter(tag=EventTag.STAFF_ROLE_PROPOSE).exists()
    assert not SecurityEvent.objects.filter(tag=EventTag.STAFF_ROLE_GRANT).exists()
    second = make_staff("bea", "admin")
    grant = StaffRoleGrant.objects.get(user__username="newbie")
    client.force_login(second.user)
    enter_sudo(client, second.user)
    assert "newbie" in client.get("/desk/staff/").content.decode()
    client.post(
        f"/desk/staff/grants/{grant.pk}/",
        {f"grant{grant.pk}-justification": JUSTIFICATION, "decision": "confirm"},
    )
    html = client.get("/desk/staff/").content.decode()
    assert "newbie" in html and "cannot use the desk" in html  # no 2FA yet
    assert SecurityEvent.objects.filter(tag=EventTag.STAFF_ROLE_GRANT).exists()
    staff_client_for(client, desk_admin)
    self_change = client.post(
        "/desk/staff/role/", {"username": "ada", "role": "", "justification": JUSTIFICATION}
    )
    assert self_change.status_code == 302
    desk_admin.user.refresh_from_db()
    assert desk_admin.user.is_staff


def test_critical_by_size_shows_reasons(staff_client, strong_case, settings):
    settings.LIFELINE_RECOVERY_CRITICAL_RELEASES = 1
    html = staff_client.get(f"/desk/cases/{strong_case.public_id}/").content.decode()
    assert "Critical: 2 approvers" in html
    assert "1 releases (threshold 1)" in html


def test_admin_signs_an_account_out_everywhere_without_freezing_it(
    client, desk_admin, owner, outbox
):
    """ASVS 7.4.5: a stolen session can be ended without locking the owner out."""
    victim = Client()
    victim.post("/account/login/", {"login": "alice", "password": DEFAULT_PASSWORD})
    assert "_auth_user_id" in victim.session
    staff_client_for(client, desk_admin)
    outbox.clear()
    page = client.get("/desk/accounts/alice/").content.decode()
    assert "Sign out everywhere" in page
    response = client.post(
        "/desk/accounts/alice/end_sessions/",
        {"end_sessions-justification": "Owner reports a laptop stolen while signed in."},
        follow=True,
    )
    assert "Every session of the account ended" in response.content.decode()
    assert victim.get("/account/security/").status_code == 302  # signed out
    owner.refresh_from_db()
    assert owner.frozen_at is None  # the owner signs in again as usual
    event = SecurityEvent.objects.get(user=owner, tag=EventTag.STAFF_END_SESSIONS)
    assert event.actor == desk_admin.user
    assert [m.to for m in outbox] and all("alice" in " ".join(m.to) for m in outbox)
    relogin = Client().post("/account/login/", {"login": "alice", "password": DEFAULT_PASSWORD})
    assert relogin.status_code == 302


def test_support_staff_cannot_sign_an_account_out(client, owner):
    support = make_staff("sam", "support")
    staff_client_for(client, support)
    response = client.post(
        "/desk/accounts/alice/end_sessions/", {"end_sessions-justification": JUSTIFICATION}
    )
    assert response.status_code in (403, 404)
    assert not SecurityEvent.objects.filter(tag=EventTag.STAFF_END_SESSIONS).exists()
