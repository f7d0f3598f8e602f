"""Second-factor codes: recovery-code format and checks, TOTP with replay protection.

Recovery codes come from allauth's ``RecoveryCodes``: ten codes derived by HMAC from a
random 160-bit seed, which is stored encrypted (``MFAAdapter.encrypt``). Lifeline sets
``MFA_RECOVERY_CODE_DIGITS = 20``: each code is 20 decimal digits taken from 80 bits of
HMAC output, i.e. log2(10**20) ~= 66.4 bits, above PyPI's 64 and NIST SP 800-63B-4's
minimum for look-up secrets. They are shown grouped ``12345-67890-12345-67890``; input is
compared after stripping whitespace and punctuation and folding case (allauth's
``normalize_user_code``), in constant time.

TOTP: allauth remembers a used code in the cache for one period (30 s), but with a
tolerance of one step a code stays valid for up to 90 s, so it could be replayed in the
gap. Lifeline stores the last accepted time step on the authenticator (``last_counter``,
as django-otp's ``last_t``) under a row lock and refuses any step at or before it: a code
is good once, and an older code is never accepted after a newer one.
"""

from __future__ import annotations

import math
from typing import Any

from allauth.core.internal.cryptokit import compare_user_code, normalize_user_code
from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt
from django.db import transaction

GROUP_SIZE = 5
LAST_COUNTER_KEY = "last_counter"


def recovery_code_bits() -> float:
    """Entropy of one recovery code, in bits."""
    return math.log2(10**app_settings.RECOVERY_CODE_DIGITS)


def normalize_code(raw: str) -> str:
    """The typed code without spaces, dashes or case: ``"1234 5-678"`` → ``"12345678"``."""
    return normalize_user_code(raw or "")


def format_recovery_code(code: str) -> str:
    """Group a code for reading and writing down: ``12345-67890-12345-67890``."""
    plain = normalize_code(code)
    return "-".join(plain[i : i + GROUP_SIZE] for i in range(0, len(plain), GROUP_SIZE))


# --- Recovery codes ---------------------------------------------------------------------


def recovery_codes_authenticator(user: Any) -> Authenticator | None:
    return Authenticator.objects.filter(
        user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES
    ).first()


def unused_code_count(authenticator: Authenticator | None) -> int:
    """Codes left, without decrypting anything (a popcount of allauth's used-mask)."""
    if authenticator is None:
        return 0
    migrated = authenticator.data.get("migrated_codes")
    if migrated is not None:
        return len(migrated)
    used_mask = int(authenticator.data.get("used_mask", 0))
    return max(app_settings.RECOVERY_CODE_COUNT - used_mask.bit_count(), 0)


def is_unused_recovery_code(authenticator: Authenticator, code: str) -> bool:
    """True when ``code`` is one of the set's unused codes. Does NOT use the code up.

    This backs the "type one code back" check after codes are shown: it proves the user
    saved them without burning one (Warehouse makes users burn a code). Every candidate is
    compared, in constant time each, so timing does not reveal which code matched.
    """
    if not normalize_code(code):
        return False
    matched = False
    for candidate in authenticator.wrap().get_unused_codes():
        matched |= compare_user_code(actual=code, expected=candidate)
    return matched


def use_recovery_code(authenticator: Authenticator, code: str) -> bool:
    """Check a recovery code and burn it (allauth locks the row and sets the used bit)."""
    return bool(normalize_code(code)) and authenticator.wrap().validate_code(code)


# --- TOTP ---------------------------------------------------------------------------------


def matching_totp_counter(secret: str, code: str, *, after: int = -1) -> int | None:
    """The time step (within ±tolerance of now) whose code equals ``code``, if any.

    Steps at or before ``after`` are skipped: those codes were already used. Every step in
    the window is checked so the time taken does not depend on which one matched.
    """
    found: int | None = None
    for counter in yield_hotp_counters_from_time():
        expected = format_hotp_value(hotp_value(secret, counter))
        if compare_user_code(actual=code, expected=expected) and counter > after:
            found = counter if found is None else found
    return found


def use_totp_code(authenticator: Authenticator, code: str) -> bool:
    """Check a TOTP code and record its time step so it is never accepted again."""
    if not normalize_code(code):
        return False
    with transaction.atomic():
        locked = Authenticator.objects.select_for_update().get(pk=authenticator.pk)
        secret = decrypt(locked.data["secret"])
        last = int(locked.data.get(LAST_COUNTER_KEY, -1))
        counter = matching_totp_counter(secret, code, after=last)
        if counter is None:
            return False
        locked.data[LAST_COUNTER_KEY] = counter
        locked.save(update_fields=["data"])
        authenticator.data = locked.data
        return True


def remember_totp_counter(authenticator: Authenticator, counter: int) -> None:
    """After enrolment, the code typed to activate must not also sign the user in."""
    with transaction.atomic():
        locked = Authenticator.objects.select_for_update().get(pk=authenticator.pk)
        if int(locked.data.get(LAST_COUNTER_KEY, -1)) < counter:
            locked.data[LAST_COUNTER_KEY] = counter
            locked.save(update_fields=["data"])
