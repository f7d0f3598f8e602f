"""Encryption at rest and key rotation."""

import pytest
from cryptography.fernet import Fernet

from lifeline.core import crypto


def test_round_trip_and_no_plaintext(settings):
    settings.LIFELINE_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = crypto.encrypt("JBSWY3DPEHPK3PXP")
    assert "JBSWY3DPEHPK3PXP" not in token and token.startswith("fernet:")
    assert crypto.decrypt(token) == "JBSWY3DPEHPK3PXP"


def test_rotation_keeps_old_ciphertexts_readable(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.LIFELINE_ENCRYPTION_KEYS = [old]
    token = crypto.encrypt("secret")
    settings.LIFELINE_ENCRYPTION_KEYS = [new, old]
    assert crypto.decrypt(token) == "secret"
    rotated = crypto.rotate(token)
    settings.LIFELINE_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(rotated) == "secret"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


def test_tampering_and_plaintext_are_refused(settings):
    settings.LIFELINE_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = crypto.encrypt("secret")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token[:-4] + "AAAA")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("secret")
