"""Recovery codes: length, format, normalisation, confirmation that does not burn a code."""

from __future__ import annotations

import math

import pytest
from allauth.mfa.models import Authenticator

from lifeline.accounts.mfa import codes
from lifeline.accounts.mfa.forms import ConfirmRecoveryCodesForm
from lifeline.accounts.mfa.models import RecoveryCodesConfirmation
from lifeline.accounts.mfa.status import has_2fa, mfa_status
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.fixtures_mfa import enter_sudo


def test_ten_codes_of_at_least_64_bits(user_with_2fa):
    all_codes = user_with_2fa.recovery_codes()
    assert len(all_codes) == 10
    assert len(set(all_codes)) == 10
    for code in all_codes:
        assert code.isdigit() and len(code) == 20
    assert codes.recovery_code_bits() >= 64
    assert math.log2(10 ** len(all_codes[0])) > 66


def test_codes_are_displayed_in_groups_of_five():
    assert codes.format_recovery_code("12345678901234567890") == "12345-67890-12345-67890"
    assert codes.format_recovery_code("12345 67890-12345-67890") == "12345-67890-12345-67890"


@pytest.mark.parametrize(
    "shape",
    [
        lambda c: c,
        lambda c: codes.format_recovery_code(c),
        lambda c: " ".join(c[i : i + 4] for i in range(0, 20, 4)),
        lambda c: f"  {c[:10]} -- {c[10:]}\t",
        lambda c: c[:5] + "_" + c[5:].upper(),
    ],
)
def test_input_accepts_any_spacing_dashes_and_case(user_with_2fa, shape):
    code = user_with_2fa.recovery_codes()[3]
    rc = user_with_2fa.recovery_authenticator
    assert codes.is_unused_recovery_code(rc, shape(code))
    assert codes.use_recovery_code(rc, shape(code))
    assert not codes.use_recovery_code(Authenticator.objects.get(pk=rc.pk), shape(code))


def test_wrong_or_empty_codes_are_refused(user_with_2fa):
    rc = user_with_2fa.recovery_authenticator
    code = user_with_2fa.recovery_codes()[0]
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    assert not codes.is_unused_recovery_code(rc, wrong)
    assert not codes.is_unused_recovery_code(rc, "")
    assert not codes.use_recovery_code(rc, " - ")
    assert not codes.is_unused_recovery_code(rc, code[:10])


def test_confirmation_does_not_burn_a_code(rf, user_with_totp, outbox):
    account = user_with_totp
    code = account.recovery_codes()[0]
    assert not has_2fa(account.user)
    assert mfa_status(account.user).needs_confirmation

    form = ConfirmRecoveryCodesForm({"code": codes.format_recovery_code(code)}, user=account.user)
    assert form.is_valid(), form.errors
    form.save()

    assert has_2fa(account.user)
    assert account.recovery_codes()[0] == code  # still unused
    assert mfa_status(account.user).codes_left == 10
    assert codes.use_recovery_code(account.recovery_authenticator, code)  # and it still works
    assert SecurityEvent.objects.filter(
        user=account.user, tag=EventTag.RECOVERY_CODES_CONFIRM
    ).exists()
    assert any("confirmed" in m.subject for m in outbox)


def test_confirmation_refuses_a_used_code(user_with_totp):
    code = user_with_totp.recovery_codes()[0]
    assert codes.use_recovery_code(user_with_totp.recovery_authenticator, code)
    form = ConfirmRecoveryCodesForm({"code": code}, user=user_with_totp.user)
    assert not form.is_valid()
    assert not has_2fa(user_with_totp.user)


def test_regeneration_invalidates_old_codes_and_confirmation(
    client_2fa, outbox, django_capture_on_commit_callbacks
):
    account = client_2fa.account
    old = account.recovery_codes()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_2fa.post("/account/2fa/recovery-codes/generate/")
    assert response.status_code == 302
    new = account.recovery_codes()
    assert set(old).isdisjoint(new)
    rc = account.recovery_authenticator
    assert not codes.is_unused_recovery_code(rc, old[0])
    assert not RecoveryCodesConfirmation.objects.filter(authenticator__user=account.user).exists()
    assert not has_2fa(account.user)  # the new set must be confirmed again
    assert SecurityEvent.objects.filter(
        user=account.user, tag=EventTag.RECOVERY_CODES_REGENERATE
    ).exists()
    assert any("New recovery codes" in m.subject for m in outbox)


def test_confirm_page_does_not_show_codes_and_confirms(client, user_with_totp):
    client.force_login(user_with_totp.user)
    enter_sudo(client, user_with_totp.user, age=3600)  # signed in with password + TOTP
    code = user_with_totp.recovery_codes()[0]
    page = client.get("/account/2fa/recovery-codes/confirm/")
    assert page.status_code == 200
    body = page.content.decode()
    for c in user_with_totp.recovery_codes():
        assert c not in body and codes.format_recovery_code(c) not in body
    response = client.post("/account/2fa/recovery-codes/confirm/", {"code": code.lower()})
    assert response.status_code == 302
    assert has_2fa(user_with_totp.user)


def test_confirm_attempts_are_rate_limited(client, user_with_totp, settings):
    settings.LIFELINE_2FA_RATE_LIMITS = {"user": ["3/5m"], "ip": []}
    client.force_login(user_with_totp.user)
    enter_sudo(client, user_with_totp.user, age=3600)
    for _ in range(3):
        r = client.post("/account/2fa/recovery-codes/confirm/", {"code": "0" * 20})
        assert "isn&#x27;t one of your current" in r.content.decode()
    code = user_with_totp.recovery_codes()[0]
    r = client.post("/account/2fa/recovery-codes/confirm/", {"code": code})
    assert r.status_code == 200
    assert "Too many attempts" in r.content.decode()
    assert not has_2fa(user_with_totp.user)
