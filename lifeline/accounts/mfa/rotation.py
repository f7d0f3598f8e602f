"""Re-encrypt 2FA secrets under the newest key (step 3 of key rotation, docs/security.md).

After a new key is put first in LIFELINE_ENCRYPTION_KEYS, old ciphertexts still decrypt
(MultiFernet tries every key), so this step is optional; it is what lets the old key be
dropped. Idempotent and safe to run while the site is up: each row is locked while it is
rewritten, so a concurrent sign-in cannot lose its "used" mark.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db import transaction

from lifeline.core import crypto


def _rotate_data(authenticator: Authenticator) -> bool:
    data = authenticator.data
    changed = False
    for key in ("secret", "seed"):
        value = data.get(key)
        if isinstance(value, str) and value.startswith(crypto.PREFIX):
            rotated = crypto.rotate(value)
            changed |= rotated != value
            data[key] = rotated
    migrated = data.get("migrated_codes")
    if isinstance(migrated, list):
        data["migrated_codes"] = [crypto.rotate(code) for code in migrated]
        changed = True
    return changed


def rotate_mfa_secrets() -> int:
    """Re-encrypt every TOTP secret and recovery-code seed; return how many rows changed."""
    count = 0
    ids = list(
        Authenticator.objects.filter(
            type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            authenticator = Authenticator.objects.select_for_update().filter(pk=pk).first()
            if authenticator is not None and _rotate_data(authenticator):
                authenticator.save(update_fields=["data"])
                count += 1
    return count
