"""Second-factor login: TOTP (±1 step, replay refused), recovery codes, failures, limits."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from lifeline.accounts.mfa.codes import format_recovery_code
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.fixtures_mfa import login_with_2fa

AUTH = "/account/2fa/authenticate/"


def _password_step(client, account):
    r = client.post(
        "/account/login/", {"login": account.user.username, "password": account.password}
    )
    assert r.status_code == 302 and r["Location"].startswith(AUTH)


def _signed_in(client) -> bool:
    return client.get("/account/security/").status_code == 200


def test_password_alone_does_not_sign_in(client, user_with_2fa):
    _password_step(client, user_with_2fa)
    assert not _signed_in(client)


def test_totp_login_and_replay_is_refused(client, user_with_2fa):
    code = user_with_2fa.code()
    _password_step(client, user_with_2fa)
    r = client.post(AUTH, {"code": code, "method": "totp"})
    assert r.status_code == 302
    assert _signed_in(client)

    client.post("/account/logout/")
    _password_step(client, user_with_2fa)
    r = client.post(AUTH, {"code": code, "method": "totp"})
    assert r.status_code == 200
    assert "didn&#x27;t work" in r.content.decode()
    assert not _signed_in(client)


@pytest.mark.parametrize("steps", [-1, 1])
def test_totp_accepts_one_step_either_side(client, user_with_2fa, steps):
    _password_step(client, user_with_2fa)
    r = client.post(AUTH, {"code": user_with_2fa.code(steps), "method": "totp"})
    assert r.status_code == 302


def test_totp_refuses_two_steps_away(client, user_with_2fa):
    _password_step(client, user_with_2fa)
    r = client.post(AUTH, {"code": user_with_2fa.code(3), "method": "totp"})
    assert r.status_code == 200


def test_an_older_code_is_refused_after_a_newer_one(client, user_with_2fa):
    login_with_2fa(client, user_with_2fa, steps=1)
    assert _signed_in(client)
    client.post("/account/logout/")
    _password_step(client, user_with_2fa)
    r = client.post(AUTH, {"code": user_with_2fa.code(0), "method": "totp"})
    assert r.status_code == 200


def test_recovery_code_login_emails_and_counts(
    client, user_with_2fa, outbox, django_capture_on_commit_callbacks
):
    code = user_with_2fa.recovery_codes()[0]
    _password_step(client, user_with_2fa)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            AUTH, {"code": format_recovery_code(code).replace("-", " "), "method": "recovery_codes"}
        )
    assert r.status_code == 302
    assert _signed_in(client)
    assert len(user_with_2fa.recovery_codes()) == 9
    mail = [m for m in outbox if "recovery code was used" in m.subject]
    assert mail and mail[0].to == [user_with_2fa.user.email]
    assert "9 left" in mail[0].body
    assert "If this wasn't you" in mail[0].body
    event = SecurityEvent.objects.get(user=user_with_2fa.user, tag=EventTag.RECOVERY_CODE_USE)
    assert event.details["remaining"] == 9


def test_recovery_code_works_once(client, user_with_2fa):
    code = user_with_2fa.recovery_codes()[0]
    _password_step(client, user_with_2fa)
    assert client.post(AUTH, {"code": code, "method": "recovery_codes"}).status_code == 302
    client.post("/account/logout/")
    _password_step(client, user_with_2fa)
    assert client.post(AUTH, {"code": code, "method": "recovery_codes"}).status_code == 200


def test_low_codes_prompt_regeneration(client, user_with_2fa):
    rc = user_with_2fa.recovery_authenticator
    rc.data["used_mask"] = 0b0011111111  # eight of ten used
    rc.save()
    code = user_with_2fa.recovery_codes()[0]
    _password_step(client, user_with_2fa)
    r = client.post(AUTH, {"code": code, "method": "recovery_codes"}, follow=True)
    body = r.content.decode()
    assert "1 left" in body
    assert "Generate a new set" in body


def test_three_failures_email_every_verified_address(client, user_with_2fa, outbox):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user_with_2fa.user, email="second@example.com", verified=True)
    EmailAddress.objects.create(user=user_with_2fa.user, email="unverified@example.com")
    _password_step(client, user_with_2fa)
    for _ in range(3):
        client.post(
            AUTH,
            {"code": "000000", "method": "totp"},
            HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        )
    alerts = [m for m in outbox if "Failed two-factor" in m.subject]
    assert sorted(a for m in alerts for a in m.to) == sorted(
        [user_with_2fa.user.email, "second@example.com"]
    )
    assert "3 failed" in alerts[0].body
    assert "127.0.0.1" in alerts[0].body
    assert "Firefox" in alerts[0].body
    assert "UTC" in alerts[0].body
    assert (
        SecurityEvent.objects.filter(user=user_with_2fa.user, tag=EventTag.MFA_FAILURE).count() == 3
    )


def test_rate_limit_locks_out_with_retry_time(client, user_with_2fa, settings):
    settings.LIFELINE_2FA_RATE_LIMITS = {"user": ["5/5m", "20/h"], "ip": ["20/5m"]}
    _password_step(client, user_with_2fa)
    for _ in range(5):
        client.post(AUTH, {"code": "000000", "method": "totp"})
    r = client.post(AUTH, {"code": user_with_2fa.code(), "method": "totp"})
    body = r.content.decode()
    assert r.status_code == 200
    assert "Too many attempts" in body
    assert "try again in" in body and "UTC" in body
    assert (
        SecurityEvent.objects.filter(user=user_with_2fa.user, tag=EventTag.MFA_LOCKOUT).count() == 1
    )


def test_rate_limit_per_ip_across_users(client, settings, db):
    from tests.fixtures_mfa import make_2fa_account

    settings.LIFELINE_2FA_RATE_LIMITS = {"user": ["50/5m"], "ip": ["3/5m"]}
    first, second = make_2fa_account(), make_2fa_account()
    _password_step(client, first)
    for _ in range(3):
        client.post(AUTH, {"code": "000000", "method": "totp"})
    client.post("/account/logout/")
    _password_step(client, second)
    r = client.post(AUTH, {"code": second.code(), "method": "totp"})
    assert "Too many attempts" in r.content.decode()


def test_login_page_offers_webauthn_first(client, user_with_2fa, monkeypatch):
    from allauth.mfa.base import views

    monkeypatch.setattr(views.webauthn_auth, "begin_authentication", lambda user: {})
    Authenticator.objects.create(
        user=user_with_2fa.user,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": "Key", "credential": {}},
    )
    _password_step(client, user_with_2fa)
    body = client.get(AUTH).content.decode()
    key, app, codes = (
        body.index(s) for s in ("Security key or passkey", "Authenticator app", "Recovery code")
    )
    assert key < app < codes


def test_sudo_mode_by_totp_code(client, user_with_2fa):
    login_with_2fa(client, user_with_2fa)
    assert "/reauthenticate/" in client.get("/account/2fa/recovery-codes/generate/")["Location"]
    r = client.post("/account/2fa/reauthenticate/", {"code": user_with_2fa.code(1)})
    assert r.status_code == 302
    assert client.get("/account/2fa/recovery-codes/generate/").status_code == 200


def test_sudo_mode_refuses_a_wrong_code_and_records_it(client, user_with_2fa):
    login_with_2fa(client, user_with_2fa)
    r = client.post("/account/2fa/reauthenticate/", {"code": "123456"})
    assert r.status_code == 200
    event = SecurityEvent.objects.get(user=user_with_2fa.user, tag=EventTag.MFA_FAILURE)
    assert event.details["sudo"] is True


def test_a_refused_security_key_is_a_recorded_failure(client, user_with_2fa, monkeypatch):
    from allauth.mfa.base import views

    monkeypatch.setattr(views.webauthn_auth, "begin_authentication", lambda user: {})
    Authenticator.objects.create(
        user=user_with_2fa.user, type="webauthn", data={"name": "Key", "credential": {}}
    )
    _password_step(client, user_with_2fa)
    r = client.post(AUTH, {"credential": '{"id": "forged"}'})
    assert r.status_code == 200
    assert not _signed_in(client)
    event = SecurityEvent.objects.get(user=user_with_2fa.user, tag=EventTag.MFA_FAILURE)
    assert event.details["method"] == "webauthn"


@pytest.mark.parametrize("payload", ['{"id": "forged"}', "[]", '"x"', '{"response": {}}'])
def test_a_malformed_passkey_login_is_refused_cleanly(client, db, payload):
    client.get("/account/login/")
    r = client.post("/account/2fa/webauthn/login/", {"credential": payload})
    assert r.status_code == 302 and r["Location"].startswith("/account/login/")
    assert not _signed_in(client)
