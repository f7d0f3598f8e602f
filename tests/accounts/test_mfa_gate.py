"""2FA required: the gate middleware, require_2fa, the last method, sudo mode, banners."""

from __future__ import annotations

import time

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.http import HttpResponse
from django.test import RequestFactory

from lifeline.accounts.decorators import require_2fa
from lifeline.accounts.mfa.middleware import Require2FAMiddleware
from lifeline.accounts.mfa.status import has_2fa
from tests.fixtures_mfa import enter_sudo

SETUP = "/account/2fa/"


def _passed_2fa(user) -> dict:
    """A session whose records show the password and then a second factor."""
    now = time.time()
    return {
        AUTHENTICATION_METHODS_SESSION_KEY: [
            {"method": "password", "at": now},
            {"method": "mfa", "at": now, "type": "totp"},
        ],
        "account_authentication_methods_user": str(user.pk),
    }


def _gate(user, path: str, method: str = "get", session: dict | None = None):
    request = getattr(RequestFactory(), method)(path)
    request.user = user
    request.session = session if session is not None else {}
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    return Require2FAMiddleware(lambda r: HttpResponse("ok"))(request)


@pytest.mark.parametrize(
    "path",
    [
        "/manage/projects/",
        "/manage/project/x/settings/",
        "/account/tokens/",
        "/account/tokens/new/",
        "/admin/",
    ],
)
def test_management_and_token_pages_redirect_to_setup(user, path):
    response = _gate(user, path)
    assert response.status_code == 302 and response["Location"] == SETUP


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/account/security/",
        "/account/2fa/",
        "/account/2fa/totp/activate/",
        "/account/logout/",
        "/account/email/",
        "/simple/",
        "/files/x",
        "/legacy/",
        "/recovery/",
        "/static/x.css",
        "/projects/x/",
        "/user/x/",
    ],
)
def test_settings_setup_and_public_pages_stay_reachable(user, path):
    assert _gate(user, path).status_code == 200


def test_public_pages_are_read_only_without_2fa(user):
    assert _gate(user, "/projects/x/", "post").status_code == 302


def test_complete_2fa_passes_the_gate(user_with_2fa):
    user = user_with_2fa.user
    assert _gate(user, "/manage/projects/", session=_passed_2fa(user)).status_code == 200


def test_a_session_that_never_used_its_second_factor_is_sent_to_use_it(user_with_2fa):
    user = user_with_2fa.user
    password_only = {
        AUTHENTICATION_METHODS_SESSION_KEY: [{"method": "password", "at": time.time()}],
        "account_authentication_methods_user": str(user.pk),
    }
    for session in ({}, password_only):
        response = _gate(user, "/manage/projects/", session=session)
        assert response["Location"].startswith("/account/2fa/reauthenticate/")


def test_unconfirmed_codes_do_not_count(user_with_totp):
    assert not has_2fa(user_with_totp.user)
    assert _gate(user_with_totp.user, "/account/tokens/").status_code == 302


def test_gate_off_when_not_required(user, settings):
    settings.LIFELINE_REQUIRE_2FA = False
    assert _gate(user, "/manage/projects/").status_code == 200


def test_anonymous_users_are_not_gated(db):
    from django.contrib.auth.models import AnonymousUser

    assert _gate(AnonymousUser(), "/manage/projects/").status_code == 200


def test_gate_message_is_plain(client_logged_in):
    response = client_logged_in.get("/account/tokens/", follow=True)
    assert response.redirect_chain[0] == (SETUP, 302)
    assert "Two-factor authentication is required" in response.content.decode()


def test_require_2fa_decorator(rf, user, user_with_2fa):
    view = require_2fa(lambda request: HttpResponse("secret"))
    request = rf.get("/manage/")
    request.user = user
    request.session = {}
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    assert view(request)["Location"] == SETUP
    request.user = user_with_2fa.user
    assert view(request)["Location"].startswith("/account/2fa/reauthenticate/")
    request.session = _passed_2fa(user_with_2fa.user)
    assert view(request).content == b"secret"


def test_last_method_cannot_be_removed(client_2fa):
    account = client_2fa.account
    response = client_2fa.post("/account/2fa/totp/deactivate/")
    assert response.status_code == 200
    assert "last second factor" in response.content.decode()
    assert Authenticator.objects.filter(user=account.user, type="totp").exists()


def test_last_key_cannot_be_removed(client, user, monkeypatch):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from lifeline.accounts.mfa.models import RecoveryCodesConfirmation

    key = Authenticator.objects.create(
        user=user, type="webauthn", data={"name": "Only key", "credential": {}}
    )
    RecoveryCodesConfirmation.objects.create(authenticator=RecoveryCodes.activate(user).instance)
    client.force_login(user)
    enter_sudo(client, user)
    response = client.post(f"/account/2fa/webauthn/keys/{key.pk}/remove/", follow=True)
    assert "last second factor" in response.content.decode()
    assert Authenticator.objects.filter(pk=key.pk).exists()


def test_a_method_can_be_removed_when_another_remains(
    client_2fa, django_capture_on_commit_callbacks, outbox
):
    account = client_2fa.account
    Authenticator.objects.create(
        user=account.user, type="webauthn", data={"name": "Backup", "credential": {}}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_2fa.post("/account/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=account.user, type="totp").exists()
    assert any("removed" in m.subject for m in outbox)


def test_removal_allowed_when_2fa_not_required(client_2fa, settings):
    settings.LIFELINE_REQUIRE_2FA = False
    assert client_2fa.post("/account/2fa/totp/deactivate/").status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/account/2fa/totp/deactivate/",
        "/account/2fa/webauthn/add/",
        "/account/2fa/recovery-codes/generate/",
        "/account/2fa/recovery-codes/",
        "/account/2fa/recovery-codes/download/",
        "/account/2fa/recovery-codes/print/",
    ],
)
def test_sensitive_pages_need_sudo_mode(client, user_with_2fa, path):
    client.force_login(user_with_2fa.user)
    response = client.get(path)
    assert response.status_code == 302
    assert "/reauthenticate/" in response["Location"]
    enter_sudo(client, user_with_2fa.user)
    assert client.get(path).status_code == 200


def test_email_changes_need_sudo_mode(client, user_with_2fa):
    client.force_login(user_with_2fa.user)
    data = {"action_add": "", "email": "new@example.com"}
    response = client.post("/account/email/", data)
    assert response.status_code == 302 and "/reauthenticate/" in response["Location"]
    enter_sudo(client, user_with_2fa.user)
    client.post("/account/email/", data)
    assert user_with_2fa.user.emailaddress_set.filter(email="new@example.com").exists()


def test_totp_activation_needs_sudo_mode(client, user):
    client.force_login(user)
    assert "/reauthenticate/" in client.get("/account/2fa/totp/activate/")["Location"]


def test_sudo_mode_lasts_at_most_ten_minutes(client, user_with_2fa, settings, monkeypatch):
    assert settings.ACCOUNT_REAUTHENTICATION_TIMEOUT <= 600
    client.force_login(user_with_2fa.user)
    enter_sudo(client, user_with_2fa.user)
    assert client.get("/account/2fa/recovery-codes/generate/").status_code == 200
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 601)
    assert client.get("/account/2fa/recovery-codes/generate/").status_code == 302


def test_password_change_needs_the_current_password(client_logged_in):
    response = client_logged_in.post(
        "/account/password/change/",
        {
            "oldpassword": "wrong-password-1",
            "password1": "brand-new-pass-77",
            "password2": "brand-new-pass-77",
        },
    )
    assert response.status_code == 200


def test_banner_until_codes_confirmed(client, user_with_totp):
    client.force_login(user_with_totp.user)
    enter_sudo(client, user_with_totp.user, age=3600)
    body = client.get("/account/security/").content.decode()
    assert "one lost phone away from a support request" in body


def test_no_banner_once_confirmed(client_2fa):
    body = client_2fa.get("/account/security/").content.decode()
    assert "one lost phone away" not in body
