"""No secret in plain text: TOTP secrets and the recovery-code seed, and key rotation."""

from __future__ import annotations

import json

from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.db import connection

from lifeline.accounts.mfa.adapter import MFAAdapter
from lifeline.accounts.mfa.codes import use_recovery_code, use_totp_code
from lifeline.core import crypto


def _raw_data(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_totp_secret_is_encrypted_in_the_database(user_with_2fa):
    totp = Authenticator.objects.get(user=user_with_2fa.user, type="totp")
    raw = _raw_data(totp.pk)
    assert user_with_2fa.secret not in raw
    assert json.loads(raw)["secret"].startswith("fernet:")
    assert MFAAdapter().decrypt(json.loads(raw)["secret"]) == user_with_2fa.secret


def test_recovery_seed_and_codes_are_not_in_the_database(user_with_2fa):
    rc = user_with_2fa.recovery_authenticator
    raw = _raw_data(rc.pk)
    seed = MFAAdapter().decrypt(rc.data["seed"])
    assert seed not in raw
    assert json.loads(raw)["seed"].startswith("fernet:")
    for code in user_with_2fa.recovery_codes():
        assert code not in raw


def test_rotation_keeps_old_ciphertexts_readable(settings, user_with_2fa):
    code = user_with_2fa.code()
    old_keys = list(settings.LIFELINE_ENCRYPTION_KEYS)
    new_key = Fernet.generate_key().decode()
    settings.LIFELINE_ENCRYPTION_KEYS = [new_key, *old_keys]

    totp = Authenticator.objects.get(user=user_with_2fa.user, type="totp")
    assert use_totp_code(totp, code)  # old ciphertext, new key first
    assert use_recovery_code(
        user_with_2fa.recovery_authenticator, user_with_2fa.recovery_codes()[0]
    )

    fresh = MFAAdapter().encrypt("new-secret")
    settings.LIFELINE_ENCRYPTION_KEYS = [new_key]
    assert MFAAdapter().decrypt(fresh) == "new-secret"  # new ciphertexts use the new key
    settings.LIFELINE_ENCRYPTION_KEYS = [new_key, *old_keys]
    rotated = crypto.rotate(Authenticator.objects.get(pk=totp.pk).data["secret"])
    settings.LIFELINE_ENCRYPTION_KEYS = [new_key]
    assert MFAAdapter().decrypt(rotated) == user_with_2fa.secret  # re-encrypted, old key dropped


def test_unknown_key_cannot_decrypt(settings, user_with_2fa):
    import pytest

    settings.LIFELINE_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    totp = Authenticator.objects.get(user=user_with_2fa.user, type="totp")
    with pytest.raises(crypto.DecryptionError):
        MFAAdapter().decrypt(totp.data["secret"])


def test_rotate_command_lets_the_old_key_go(settings, user_with_2fa):
    from django.core.management import call_command

    old_keys = list(settings.LIFELINE_ENCRYPTION_KEYS)
    new_key = Fernet.generate_key().decode()
    settings.LIFELINE_ENCRYPTION_KEYS = [new_key, *old_keys]
    codes_before = user_with_2fa.recovery_codes()
    call_command("rotate_mfa_secrets")

    settings.LIFELINE_ENCRYPTION_KEYS = [new_key]  # the old key is dropped
    assert user_with_2fa.recovery_codes() == codes_before
    totp = Authenticator.objects.get(user=user_with_2fa.user, type="totp")
    assert use_totp_code(totp, user_with_2fa.code())
