"""Lifeline's own 2FA pages: print the codes, confirm them, and remove a security key."""

from __future__ import annotations

from allauth.mfa.models import Authenticator

from lifeline.accounts.mfa.codes import format_recovery_code
from lifeline.accounts.mfa.models import RecoveryCodesConfirmation
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.fixtures_mfa import enter_sudo, make_2fa_account

PRINT = "/account/2fa/recovery-codes/print/"
CONFIRM = "/account/2fa/recovery-codes/confirm/"


def test_print_sheet_lists_the_unused_codes_and_leaks_nothing(client_2fa):
    account = client_2fa.account
    response = client_2fa.get(PRINT)
    assert response.status_code == 200
    body = response.content.decode()
    assert all(format_recovery_code(code) in body for code in account.recovery_codes())
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_print_sheet_is_not_found_without_codes(client, user):
    client.force_login(user)
    enter_sudo(client, user)
    assert client.get(PRINT).status_code == 404


def test_print_sheet_needs_sudo_mode(client, user_with_2fa):
    client.force_login(user_with_2fa.user)
    enter_sudo(client, user_with_2fa.user, age=3600)
    response = client.get(PRINT)
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]


def test_confirm_without_any_factor_sends_to_setup(client_logged_in):
    response = client_logged_in.get(CONFIRM, follow=True)
    assert response.redirect_chain[-1][0] == "/account/2fa/"
    assert "Add an authenticator app or security key first." in response.content.decode()


def test_confirming_again_after_setup_keeps_the_session_and_the_first_confirmation(client_2fa):
    account = client_2fa.account
    first = RecoveryCodesConfirmation.objects.get(authenticator=account.recovery_authenticator)
    response = client_2fa.post(CONFIRM, {"code": account.recovery_codes()[0]})
    assert response.status_code == 302 and response["Location"] == "/account/security/"
    assert RecoveryCodesConfirmation.objects.get(pk=first.pk).confirmed_at == first.confirmed_at
    # Already confirmed: no second event, and this session still works.
    assert not SecurityEvent.objects.filter(
        user=account.user, tag=EventTag.RECOVERY_CODES_CONFIRM
    ).exists()
    assert client_2fa.get("/account/security/").status_code == 200


def test_a_wrong_code_is_refused_with_a_clear_message(client, user_with_totp):
    client.force_login(user_with_totp.user)
    enter_sudo(client, user_with_totp.user)
    response = client.post(CONFIRM, {"code": "0000-0000-0000-0000"})
    assert response.status_code == 200
    assert "isn&#x27;t one of your current, unused recovery codes" in response.content.decode()
    assert not RecoveryCodesConfirmation.objects.filter(
        authenticator__user=user_with_totp.user
    ).exists()


def test_a_key_that_is_not_the_last_factor_can_be_removed(client_2fa):
    user = client_2fa.account.user
    key = Authenticator.objects.create(
        user=user, type="webauthn", data={"name": "Spare", "credential": {}}
    )
    response = client_2fa.post(f"/account/2fa/webauthn/keys/{key.pk}/remove/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=key.pk).exists()
    event = SecurityEvent.objects.get(user=user, tag=EventTag.WEBAUTHN_REMOVE)
    assert event.details["name"] == "Spare" and event.details["passkey"] is False


def test_someone_elses_key_cannot_be_removed(client_2fa):
    other = make_2fa_account()
    key = Authenticator.objects.create(
        user=other.user, type="webauthn", data={"name": "Theirs", "credential": {}}
    )
    response = client_2fa.post(f"/account/2fa/webauthn/keys/{key.pk}/remove/")
    assert response.status_code == 404
    assert Authenticator.objects.filter(pk=key.pk).exists()
