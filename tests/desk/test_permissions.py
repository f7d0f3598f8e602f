"""Every desk URL is a 404 to anyone but support staff with 2FA; actions need sudo mode."""

from __future__ import annotations

import pytest

from lifeline.recovery.models import RecoveryAudit
from lifeline.recovery.states import State
from tests.desk.fixtures import JUSTIFICATION, make_staff, staff_client_for
from tests.factories import UserFactory
from tests.fixtures_mfa import make_2fa_account

pytestmark = pytest.mark.django_db

PAGES = [
    "/desk/",
    "/desk/metrics/",
    "/desk/cases/{id}/",
    "/desk/accounts/",
    "/desk/accounts/alice/",
    "/desk/staff/",
]
ACTIONS = [
    ("/desk/cases/{id}/message/", {"body": "Hello there"}),
    ("/desk/cases/{id}/assign/", {"assign-justification": JUSTIFICATION}),
    (
        "/desk/cases/{id}/request-info/",
        {"info-justification": JUSTIFICATION, "info-message": "Which repository?"},
    ),
    (
        "/desk/cases/{id}/approve/",
        {"approve-justification": JUSTIFICATION, "approve-tokens_decision": "keep"},
    ),
    (
        "/desk/cases/{id}/deny/",
        {"deny-justification": JUSTIFICATION, "deny-reason_to_share": "Not enough."},
    ),
    ("/desk/cases/{id}/escalate/", {"escalate-justification": JUSTIFICATION}),
    ("/desk/cases/{id}/resend-link/", {"resend-justification": JUSTIFICATION}),
    ("/desk/accounts/alice/freeze/", {"freeze-justification": JUSTIFICATION}),
    ("/desk/accounts/alice/critical/", {"critical-justification": JUSTIFICATION}),
    ("/desk/accounts/alice/force_reset/", {"force_reset-justification": JUSTIFICATION}),
    ("/desk/staff/role/", {"username": "alice", "role": "support", "justification": JUSTIFICATION}),
]


def urls(case):
    return [p.format(id=case.public_id) for p in PAGES]


def assert_nothing_changed(case):
    case.refresh_from_db()
    assert case.state == State.OPEN and case.assignee is None
    assert not RecoveryAudit.objects.filter(request=case, actor__isnull=False).exists()
    case.user.refresh_from_db()
    assert case.user.frozen_at is None and not case.user.is_critical


def outsiders():
    """(label, account, make it staff?) for everyone who must get a 404."""
    return {
        "user with 2FA": make_2fa_account(UserFactory(username="eve")),
        "staff flag, no desk role": make_2fa_account(
            UserFactory(username="mallory", is_staff=True)
        ),
        "desk role without staff flag": make_staff("trent", "support"),
    }


@pytest.mark.parametrize(
    "who",
    ["anonymous", "user with 2FA", "staff flag, no desk role", "desk role without staff flag"],
)
def test_outsiders_get_404_everywhere(client, strong_case, who):
    if who != "anonymous":
        account = outsiders()[who]
        if who == "desk role without staff flag":
            account.user.is_staff = False
            account.user.save()
        staff_client_for(client, account)
    for url in urls(strong_case):
        assert client.get(url).status_code == 404, url
    for url, data in ACTIONS:
        assert client.post(url.format(id=strong_case.public_id), data).status_code == 404, url
    assert_nothing_changed(strong_case)


def test_staff_without_2fa_gets_404_when_2fa_is_optional(client, strong_case, settings):
    settings.LIFELINE_REQUIRE_2FA = False
    staff_client_for(client, make_staff("no2fa", "admin", with_2fa=False))
    for url in urls(strong_case):
        assert client.get(url).status_code == 404, url
    for url, data in ACTIONS:
        assert client.post(url.format(id=strong_case.public_id), data).status_code == 404, url
    assert_nothing_changed(strong_case)


def test_staff_without_2fa_is_sent_to_2fa_setup_when_required(client, strong_case, settings):
    settings.LIFELINE_REQUIRE_2FA = True
    staff_client_for(client, make_staff("no2fa", "admin", with_2fa=False))
    for url in urls(strong_case):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].endswith("/account/2fa/")
    for url, data in ACTIONS:
        response = client.post(url.format(id=strong_case.public_id), data)
        assert response.status_code == 302 and response["Location"].endswith("/account/2fa/")
    assert_nothing_changed(strong_case)


def test_support_without_sudo_is_asked_to_reauthenticate(client, strong_case, desk_admin):
    staff_client_for(client, desk_admin, sudo=False)
    for url in urls(strong_case):
        assert client.get(url).status_code == 200, url
    for url, data in ACTIONS:
        response = client.post(url.format(id=strong_case.public_id), data)
        assert response.status_code == 302, url
        assert "/reauthenticate/" in response["Location"], url
    assert_nothing_changed(strong_case)


def test_support_cannot_use_admin_pages(client, strong_case, support):
    staff_client_for(client, support)
    assert client.get("/desk/staff/").status_code == 404
    assert client.post("/desk/staff/role/", ACTIONS[-1][1]).status_code == 404
    for tool in ("freeze", "critical", "force_reset"):
        data = {f"{tool}-justification": JUSTIFICATION}
        assert client.post(f"/desk/accounts/alice/{tool}/", data).status_code == 404
    assert client.get("/desk/accounts/alice/").status_code == 200  # reading is fine
    assert_nothing_changed(strong_case)


def test_get_on_an_action_url_is_404(client, strong_case, support):
    staff_client_for(client, support)
    assert client.get(f"/desk/cases/{strong_case.public_id}/approve/").status_code == 404


def test_password_only_session_never_reaches_the_desk(client):
    """A staff password alone (no second factor in this session) never gets the desk: the
    2FA gate sends the session to use its second factor first."""
    account = make_staff("pwonly", "support")
    client.force_login(account.user)
    response = client.get("/desk/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/2fa/reauthenticate/")


def test_admin_login_form_sends_staff_through_allauth(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
