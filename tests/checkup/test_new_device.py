"""New-device notice (issue 13, item 4): a real password login through the Client, from a
browser with no device cookie, emails every verified address once; the login goes on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from lifeline.checkup.new_device import notify_new_device
from lifeline.events.display import describe
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def sign_in(client: Client, user, *, ip: str = "203.0.113.7"):
    return client.post(
        "/account/login/",
        {"login": user.username, "password": DEFAULT_PASSWORD},
        HTTP_USER_AGENT=FIREFOX,
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def established(db):
    """An account that has existed for a while, with a second verified address."""
    user = UserFactory(username="carol")
    user.date_joined = timezone.now() - timedelta(days=40)
    user.save(update_fields=["date_joined"])
    EmailAddress.objects.create(user=user, email="carol@other.example", verified=True)
    EmailAddress.objects.create(user=user, email="old@unverified.example", verified=False)
    return user


def notices(outbox) -> list:
    return [m for m in outbox if m.subject.startswith("New sign-in to your")]


def test_a_new_browser_is_announced_once_and_the_login_goes_on(established, outbox):
    browser = Client()
    response = sign_in(browser, established)

    assert response.status_code == 302  # signed in, not held behind a confirmation
    assert browser.session["_auth_user_id"] == str(established.pk)
    assert browser.get("/account/recovery-contacts/").status_code == 200
    sent = notices(outbox)
    assert sorted(m.to[0] for m in sent) == ["carol@example.com", "carol@other.example"]
    message = sent[0]
    assert message.subject == "New sign-in to your Lifeline account from Firefox on Linux"
    assert "IP address: 203.0.113.7" in message.body
    assert "Browser: Firefox on Linux" in message.body
    assert "If this wasn't you" in message.body
    assert "This wasn't me?" in message.body and "/account/not-me/" in message.body
    assert "/account/security/" in message.body
    event = SecurityEvent.objects.get(user=established, tag=EventTag.DEVICE_NEW)
    assert event.details["notified"] is True
    assert describe(event) == "Signed in from a new device: Firefox on Linux"

    # The same browser again (it now holds the device cookie): no second notice.
    browser.post("/account/logout/")
    assert sign_in(browser, established).status_code == 302
    assert len(notices(outbox)) == 2
    assert established.devices.count() == 1

    # Another browser: a new device, a new notice.
    sign_in(Client(), established, ip="198.51.100.9")
    assert len(notices(outbox)) == 4
    assert "IP address: 198.51.100.9" in notices(outbox)[-1].body
    assert established.devices.count() == 2


def test_a_new_accounts_first_device_is_not_announced(outbox):
    user = UserFactory()  # joined just now: this login is the sign-up's own browser
    assert sign_in(Client(), user).status_code == 302
    assert notices(outbox) == []
    event = SecurityEvent.objects.get(user=user, tag=EventTag.DEVICE_NEW)
    assert event.details["notified"] is False
    # ... but its second browser is.
    sign_in(Client(), user)
    assert len(notices(outbox)) == 1


def test_an_old_account_without_devices_is_announced(established, outbox):
    """No "first device" pass for an old account: that is what a stolen password makes."""
    assert established.devices.count() == 0
    sign_in(Client(), established)
    assert len(notices(outbox)) == 2


def test_a_failing_notice_never_breaks_the_login(caplog):
    """The receiver runs inside the login: an error in it is logged, never raised."""
    user = UserFactory()
    notify_new_device(sender=None, user=user, device=object(), ip="203.0.113.7")
    assert "new-device notice failed" in caplog.text
