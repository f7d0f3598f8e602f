"""Remembered devices (proof c): the browsers an account completed a full login from."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.recovery import crypto
from lifeline.recovery.models import Device


def device_remember(
    *, user: Any, device_key: str | None, ip: str | None, user_agent: str
) -> tuple[Device, str]:
    """Record a full login from this browser; returns the device and the key to keep.

    A browser without a (valid) key gets a new one. A key is remembered per account, so the
    same browser can be a known device of several accounts.
    """
    key = device_key or crypto.new_device_key()
    key_hash = crypto.hash_device_key(key)
    now = timezone.now()
    with transaction.atomic():
        updated = Device.objects.filter(user=user, key_hash=key_hash).update(
            last_seen=now, last_ip=ip, user_agent=(user_agent or "")[:400]
        )
        if not updated:
            try:
                with transaction.atomic():
                    Device.objects.create(
                        user=user,
                        key_hash=key_hash,
                        user_agent=(user_agent or "")[:400],
                        first_seen=now,
                        last_seen=now,
                        last_ip=ip,
                    )
            except IntegrityError:  # a concurrent login from the same browser
                pass
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
    return bool(device_key) and crypto.hash_device_key(device_key or "") == device.key_hash
