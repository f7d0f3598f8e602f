"""Staff management with bad input or the wrong admin: clear answers, nothing changed."""

from __future__ import annotations

import pytest

from lifeline.desk import roles
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.desk.fixtures import JUSTIFICATION, staff_client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _messages(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(m) for m in response.context["messages"])


def _propose(client, username: str = "newbie"):  # type: ignore[no-untyped-def]
    UserFactory(username=username)
    client.post(
        "/desk/staff/role/",
        {"username": username, "role": "support", "justification": JUSTIFICATION},
    )
    [grant] = roles.pending_grants()
    return grant


def test_a_role_for_an_unknown_username_is_a_form_error(client, desk_admin):
    staff_client_for(client, desk_admin)
    response = client.post(
        "/desk/staff/role/",
        {"username": "ghost", "role": "support", "justification": JUSTIFICATION},
    )
    assert response.status_code == 400
    assert "No account has that username." in response.content.decode()


def test_an_admin_cannot_change_their_own_role(client, desk_admin):
    staff_client_for(client, desk_admin)
    response = client.post(
        "/desk/staff/role/",
        {"username": "ada", "role": "", "justification": JUSTIFICATION},
        follow=True,
    )
    assert "You cannot change your own role." in _messages(response)
    assert roles.is_admin(desk_admin.user)


def test_an_unknown_grant_is_a_message_not_a_crash(client, desk_admin):
    staff_client_for(client, desk_admin)
    response = client.post("/desk/staff/grants/999999/", {"decision": "confirm"}, follow=True)
    assert "no longer waiting for confirmation" in _messages(response)


def test_a_grant_decision_needs_a_justification(client, desk_admin):
    staff_client_for(client, desk_admin)
    grant = _propose(client)
    response = client.post(f"/desk/staff/grants/{grant.pk}/", {"decision": "confirm"}, follow=True)
    assert "required" in _messages(response)
    assert roles.pending_grants() == [grant]


def test_the_proposer_cannot_confirm_their_own_grant(client, desk_admin):
    staff_client_for(client, desk_admin)
    grant = _propose(client)
    response = client.post(
        f"/desk/staff/grants/{grant.pk}/",
        {f"grant{grant.pk}-justification": JUSTIFICATION, "decision": "confirm"},
        follow=True,
    )
    assert "A different admin must confirm this grant." in _messages(response)
    assert roles.role_of(grant.user) == ""
    assert roles.pending_grants() == [grant]


def test_an_admin_cancels_a_pending_grant_and_it_is_recorded(client, desk_admin):
    staff_client_for(client, desk_admin)
    grant = _propose(client)
    response = client.post(
        f"/desk/staff/grants/{grant.pk}/",
        {f"grant{grant.pk}-justification": JUSTIFICATION, "decision": "cancel"},
        follow=True,
    )
    assert "The role grant was cancelled." in _messages(response)
    assert roles.pending_grants() == []
    event = SecurityEvent.objects.get(user=grant.user, tag=EventTag.STAFF_ROLE_REVOKE)
    assert event.details["from"] == "proposed support"
