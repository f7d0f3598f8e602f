"""Remembered devices: the browsers an account completed a full login from.

The browser holds a signed, HttpOnly cookie with a random key; only the key's SHA-256 is
stored (``Device.key_hash``), per account, so one shared browser can be remembered by several
accounts. Recovery counts a remembered browser as a proof; the new-device notice listens to
``lifeline.accounts.signals.device_first_seen``, sent when a browser is remembered for the
first time.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from lifeline.accounts.models import Device
from lifeline.accounts.signals import device_first_seen
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag

# Unchanged from when devices lived in recovery, so existing cookies stay valid.
DEVICE_SALT = "lifeline.recovery.device"


def new_device_key() -> str:
    return secrets.token_urlsafe(32)


def sign_device_key(key: str) -> str:
    return signing.get_cookie_signer(salt=DEVICE_SALT).sign(key)


def unsign_device_key(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return signing.get_cookie_signer(salt=DEVICE_SALT).unsign(value)
    except signing.BadSignature:
        return None


def hash_device_key(key: str) -> str:
    return hashlib.sha256(b"lifeline-device:v1:" + key.encode()).hexdigest()


def device_remember(
    *, user: Any, device_key: str | None, ip: str | None, user_agent: str
) -> tuple[Device, str]:
    """Record a full login from this browser; returns the device and the key to keep.

    A browser without a (valid) key gets a new one. A key is remembered per account, so the
    same browser can be a known device of several accounts. When this creates the account's
    row for the browser, ``device_first_seen`` is sent (after the row is saved).
    """
    key = device_key or new_device_key()
    key_hash = hash_device_key(key)
    now = timezone.now()
    user_agent = (user_agent or "")[:400]
    created = None
    with transaction.atomic():
        updated = Device.objects.filter(user=user, key_hash=key_hash).update(
            last_seen=now, last_ip=ip, user_agent=user_agent
        )
        if not updated:
            try:
                with transaction.atomic():
                    created = Device.objects.create(
                        user=user,
                        key_hash=key_hash,
                        user_agent=user_agent,
                        first_seen=now,
                        last_seen=now,
                        last_ip=ip,
                    )
            except IntegrityError:  # a concurrent login from the same browser
                created = None
    if created is not None:
        device_first_seen.send(
            sender=Device, user=user, device=created, ip=ip, user_agent=user_agent
        )
        return created, key
    return Device.objects.get(user=user, key_hash=key_hash), key


def device_forget(*, user: Any, device_id: int) -> bool:
    """Forget one of the user's devices (it no longer counts as recovery proof)."""
    with transaction.atomic():
        device = Device.objects.filter(user=user, pk=device_id).first()
        if device is None:
            return False
        record_event(
            tag=EventTag.DEVICE_FORGET,
            user=user,
            actor=user,
            details={"device": device.pk, "browser": device.browser},
        )
        device.delete()
    return True


def devices_for(user: Any) -> list[Device]:
    return list(Device.objects.filter(user=user))


def is_current_device(device: Device, device_key: str | None) -> bool:
    return bool(device_key) and hash_device_key(device_key or "") == device.key_hash
