"""The 2FA forms as a user or an attacker meets them: enrolment, keys, renaming."""

from __future__ import annotations

import json

import pyotp
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.factories import DEFAULT_PASSWORD
from tests.fixtures_mfa import enter_sudo

ACTIVATE = "/account/2fa/totp/activate/"


def _start_enrolment(client, user) -> str:
    client.force_login(user)
    enter_sudo(client, user)
    response = client.get(ACTIVATE)
    assert response.status_code == 200
    assert "<svg" in response.content.decode()  # the QR code is drawn on the server
    return client.session[SECRET_SESSION_KEY]


def test_enrolment_with_a_real_code_adds_the_app_records_and_emails(
    client, user, outbox, django_capture_on_commit_callbacks
):
    secret = _start_enrolment(client, user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ACTIVATE, {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type="totp").exists()
    assert SecurityEvent.objects.get(user=user, tag=EventTag.TOTP_ADD).details["method"] == "totp"
    assert any("authenticator app" in m.body for m in outbox)


def test_the_enrolment_code_cannot_also_sign_in(client, user, django_capture_on_commit_callbacks):
    secret = _start_enrolment(client, user)
    code = pyotp.TOTP(secret).now()
    # allauth announces the new authenticator once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(ACTIVATE, {"code": code}).status_code == 302
    client.logout()
    client.post("/account/login/", {"login": user.username, "password": DEFAULT_PASSWORD})
    response = client.post("/account/2fa/authenticate/", {"code": code, "method": "totp"})
    assert response.status_code == 200
    assert "didn&#x27;t work" in response.content.decode()


def test_a_wrong_enrolment_code_adds_nothing(client, user):
    _start_enrolment(client, user)
    response = client.post(ACTIVATE, {"code": "000000"})
    assert response.status_code == 200
    assert "didn&#x27;t work" in response.content.decode()
    assert not Authenticator.objects.filter(user=user, type="totp").exists()


def test_enrolment_guesses_are_rate_limited(client, user, settings):
    _start_enrolment(client, user)
    refused = [client.post(ACTIVATE, {"code": "000000"}).content.decode() for _ in range(12)]
    assert "Too many attempts" in refused[-1]
    assert not Authenticator.objects.filter(user=user, type="totp").exists()


def _key(user, name="Laptop", passkey=False) -> Authenticator:
    credential = {"clientExtensionResults": {"credProps": {"rk": passkey}}}
    return Authenticator.objects.create(
        user=user, type="webauthn", data={"name": name, "credential": credential}
    )


def test_renaming_a_key_is_recorded_with_both_names(client_2fa):
    user = client_2fa.account.user
    key = _key(user, "Laptop")
    url = f"/account/2fa/webauthn/keys/{key.pk}/edit/"
    assert client_2fa.get(url).status_code == 200
    response = client_2fa.post(url, {"name": "  Work laptop  "})
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.data["name"] == "Work laptop"
    event = SecurityEvent.objects.get(user=user, tag=EventTag.WEBAUTHN_RENAME)
    assert event.details == {"from": "Laptop", "to": "Work laptop"}


def test_a_key_needs_a_name(client_2fa):
    key = _key(client_2fa.account.user, "Laptop")
    response = client_2fa.post(f"/account/2fa/webauthn/keys/{key.pk}/edit/", {"name": "   "})
    assert response.status_code == 200
    key.refresh_from_db()
    assert key.data["name"] == "Laptop"
    assert not SecurityEvent.objects.filter(tag=EventTag.WEBAUTHN_RENAME).exists()


def test_a_forged_key_in_sudo_mode_is_a_recorded_failure_not_a_500(
    client, user_with_2fa, monkeypatch
):
    from allauth.mfa.webauthn.internal import auth as webauthn_auth

    monkeypatch.setattr(webauthn_auth, "begin_authentication", lambda user=None: {})
    _key(user_with_2fa.user, "Key")
    client.force_login(user_with_2fa.user)
    enter_sudo(client, user_with_2fa.user, age=3600)  # signed in with 2FA, sudo mode expired
    forged = json.dumps({"id": "forged", "response": {}})
    response = client.post("/account/2fa/webauthn/reauthenticate/", {"credential": forged})
    # allauth answers a refused key with a redirect and an error message, not a 500.
    assert response.status_code == 302
    assert "reauthenticate" in client.get("/account/2fa/recovery-codes/generate/")["Location"]
    event = SecurityEvent.objects.get(user=user_with_2fa.user, tag=EventTag.MFA_FAILURE)
    assert event.details == {"method": "webauthn", "attempt": 1, "sudo": True}
