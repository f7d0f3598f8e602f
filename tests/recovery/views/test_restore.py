# ruff: noqa: F811  (pytest fixtures imported from tests.desk.fixtures)
"""The restore pages with bad input: weak passwords, expired or replaced links, too many tries.
Each is a clear page with the right status, never a 500, and nothing is restored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from lifeline.recovery.models import RestoreLink
from lifeline.recovery.states import State
from tests.desk.fixtures import (  # noqa: F401
    JUSTIFICATION,
    case,
    owner,
    staff_client_for,
    strong_case,
    support,
)
from tests.factories import UserFactory
from tests.recovery.requester.test_restore import NEW_PASSWORD, make_ready

pytestmark = pytest.mark.django_db


def _enter(client, request_obj, raw: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/recovery/restore/{request_obj.public_id}/{raw}/")
    assert response.status_code == 302
    return response["Location"]


def test_a_weak_password_is_refused_and_nothing_is_restored(strong_case, support, client):
    page = _enter(client, strong_case, make_ready(strong_case, support.user))
    response = client.post(page, {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    strong_case.refresh_from_db()
    assert strong_case.state == State.READY


def test_the_done_page_names_the_restored_account(strong_case, support, client):
    page = _enter(client, strong_case, make_ready(strong_case, support.user))
    client.post(page, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    done = client.get("/recovery/restore/done/")
    assert done.status_code == 200 and "alice" in done.content.decode()


def test_a_link_that_expires_after_entering_is_a_410(strong_case, support, client):
    page = _enter(client, strong_case, make_ready(strong_case, support.user))
    RestoreLink.objects.filter(request=strong_case).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(page).status_code == 410
    response = client.post(page, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 410
    strong_case.refresh_from_db()
    assert strong_case.state == State.READY


def test_a_resent_link_replaces_the_old_one(strong_case, support, client, outbox):
    old = make_ready(strong_case, support.user)
    staff = client.__class__()
    staff_client_for(staff, support)
    response = staff.post(
        f"/desk/cases/{strong_case.public_id}/resend-link/",
        {"resend-justification": JUSTIFICATION},
        follow=True,
    )
    assert "A new restore link was sent" in " ".join(map(str, response.context["messages"]))
    assert client.get(f"/recovery/restore/{strong_case.public_id}/{old}/").status_code >= 400


def test_guessing_links_is_rate_limited(strong_case, client, settings):
    statuses = [
        client.get(f"/recovery/restore/{strong_case.public_id}/guess{i}/").status_code
        for i in range(40)
    ]
    assert 500 not in statuses
    assert statuses[0] == 400 and statuses[-1] == 429


def test_an_address_another_account_verified_since_is_refused(strong_case, support, client):
    page = _enter(client, strong_case, make_ready(strong_case, support.user))
    squatter = UserFactory(username="mallory")
    EmailAddress.objects.create(user=squatter, email="new@contact.example", verified=True)
    response = client.post(page, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 400
    strong_case.refresh_from_db()
    assert strong_case.state == State.READY
    assert not strong_case.user.check_password(NEW_PASSWORD)
