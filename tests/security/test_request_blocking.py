# ruff: noqa: F811  (pytest fixtures imported from tests.desk.fixtures)
"""Attack: keep the real owner from filing, or from stopping a hostile case.

Before the fix the per-username limit counted every submission for a username, from
anywhere: three bogus requests an hour from any IPs locked the owner out of their own
recovery. And the owner's way to stop a case (the cancel link, withdrawing) shared per-IP
limits that a flood from the same network could use up.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from lifeline.recovery import conf
from lifeline.recovery.links import cancel_path
from lifeline.recovery.models import RecoveryRequest
from lifeline.recovery.states import State
from tests.desk.fixtures import case, owner  # noqa: F401

pytestmark = pytest.mark.django_db

OWNER_IP = "203.0.113.50"


def form(contact: str, username: str = "alice") -> dict[str, str]:
    return {
        "username": username,
        "lost_2fa": "on",
        "lost_email_access": "on",
        "contact_email": contact,
        "description": "Lost my phone and my old mailbox was closed by the provider.",
        "agree_coc": "on",
        "acknowledge_time": "on",
    }


def file_from(client, ip: str, contact: str, username: str = "alice"):
    return client.post(reverse("recovery_request"), form(contact, username), REMOTE_ADDR=ip)


def test_a_flood_from_many_ips_does_not_lock_the_owner_out(client, owner, outbox):
    for i in range(30):
        response = file_from(client, f"198.51.100.{i + 1}", f"bot{i}@attacker.example")
        assert response.status_code == 302
    outbox.clear()

    response = file_from(client, OWNER_IP, "alice-new@mail.example")

    assert response.status_code == 302 and response.url == reverse("recovery_request_sent")
    mine = RecoveryRequest.objects.get(contact_email="alice-new@mail.example")
    assert mine.user == owner and mine.state == State.SUBMITTED
    assert [m.to for m in outbox] == [["alice-new@mail.example"]]  # the verification link


def test_the_same_request_into_the_same_inbox_is_still_limited(client, owner):
    for i in range(3):
        assert file_from(client, f"198.51.100.{i + 1}", "target@mail.example").status_code == 302
    refused = file_from(client, "198.51.100.9", "target@mail.example")
    assert refused.status_code == 429
    # Refused by the per-IP limit, an attempt counts against nothing else.
    for _ in range(5):
        file_from(client, "192.0.2.7", f"x{_}@mail.example", username="bob")
    assert file_from(client, "192.0.2.7", "y@mail.example", username="bob").status_code == 429
    assert file_from(client, OWNER_IP, "y@mail.example", username="bob").status_code == 302


def test_the_limit_is_the_same_for_unknown_usernames(client, owner):
    """No oracle: whether or not the username exists, the fourth identical request is refused."""
    for username in ("alice", "nobody-here"):
        codes = [
            file_from(client, f"198.51.100.{i + 1}", "same@mail.example", username).status_code
            for i in range(4)
        ]
        assert codes == [302, 302, 302, 429]


def test_cancel_link_works_after_a_flood_of_bad_links(client, case, outbox):
    for i in range(60):  # from the owner's own network (the same NAT address)
        client.get(f"/recovery/cancel/forged-{i}/", REMOTE_ADDR=OWNER_IP)
    assert client.get("/recovery/cancel/forged-x/", REMOTE_ADDR=OWNER_IP).status_code == 429

    link = cancel_path(case)
    assert client.get(link, REMOTE_ADDR=OWNER_IP).status_code == 200
    outbox.clear()
    done = client.post(link, REMOTE_ADDR=OWNER_IP)
    assert done.status_code == 200
    case.refresh_from_db()
    assert case.state == State.CANCELLED_BY_OWNER and case.contested
    assert any("new@contact.example" in m.to for m in outbox)


def test_withdraw_works_after_the_status_limit_is_used_up(client, case, settings):
    from lifeline.recovery.links import status_url

    settings.LIFELINE_RECOVERY_RATE_LIMITS = {
        **conf.DEFAULTS["LIFELINE_RECOVERY_RATE_LIMITS"],
        "status_ip": "3/h",
    }
    url = status_url(case)
    client.get(url[url.index("/recovery/") :], REMOTE_ADDR=OWNER_IP)
    page = f"/recovery/status/{case.public_id}/"
    for _ in range(5):
        client.get(page, REMOTE_ADDR=OWNER_IP)
    assert client.get(page, REMOTE_ADDR=OWNER_IP).status_code == 429

    client.post(page, {"action": "withdraw"}, REMOTE_ADDR=OWNER_IP)
    case.refresh_from_db()
    assert case.state == State.WITHDRAWN
