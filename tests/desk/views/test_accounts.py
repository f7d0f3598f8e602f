"""The desk's account pages with bad input: a clear answer (message, 400, 404), never a 500."""

from __future__ import annotations

import pytest

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.desk.fixtures import JUSTIFICATION, staff_client_for

pytestmark = pytest.mark.django_db


def _messages(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(m) for m in response.context["messages"])


def test_looking_up_an_unknown_account_says_so(staff_client):
    response = staff_client.get("/desk/accounts/", {"username": "  nobody  "})
    assert response.status_code == 200
    assert "No account has that username." in _messages(response)
    assert staff_client.get("/desk/accounts/nobody/").status_code == 404


def test_looking_up_an_account_ignores_case(staff_client, owner):
    response = staff_client.get("/desk/accounts/", {"username": "ALICE"})
    assert response.status_code == 302 and response["Location"] == "/desk/accounts/alice/"


def test_an_unknown_tool_changes_nothing(client, desk_admin, owner):
    staff_client_for(client, desk_admin)
    before = SecurityEvent.objects.count()
    response = client.post("/desk/accounts/alice/delete_everything/", {})
    assert response.status_code == 302 and response["Location"] == "/desk/accounts/alice/"
    owner.refresh_from_db()
    assert owner.frozen_at is None and SecurityEvent.objects.count() == before


def test_an_admin_cannot_use_a_tool_on_their_own_account(client, desk_admin):
    staff_client_for(client, desk_admin)
    response = client.post(
        "/desk/accounts/ada/freeze/", {"freeze-justification": JUSTIFICATION}, follow=True
    )
    assert "Use another admin's account to act on your own." in _messages(response)
    desk_admin.user.refresh_from_db()
    assert desk_admin.user.frozen_at is None


def test_unfreeze_lifts_a_freeze_and_is_recorded(client, desk_admin, owner):
    staff_client_for(client, desk_admin)
    client.post("/desk/accounts/alice/freeze/", {"freeze-justification": JUSTIFICATION})
    response = client.post(
        "/desk/accounts/alice/unfreeze/", {"unfreeze-justification": JUSTIFICATION}, follow=True
    )
    assert "The account is no longer frozen." in _messages(response)
    owner.refresh_from_db()
    assert owner.frozen_at is None
    assert SecurityEvent.objects.filter(user=owner, tag=EventTag.STAFF_UNFREEZE).exists()


def test_support_staff_cannot_use_admin_tools(staff_client, owner):
    response = staff_client.post(
        "/desk/accounts/alice/freeze/", {"freeze-justification": JUSTIFICATION}
    )
    assert response.status_code == 404  # admin tools are not there for support staff
    owner.refresh_from_db()
    assert owner.frozen_at is None
