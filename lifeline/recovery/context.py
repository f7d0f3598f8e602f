"""Context for the account security page's device list (``recovery/includes/devices.html``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from lifeline.accounts.devices import devices_for, is_current_device
from lifeline.recovery.flows import device_key_from


def device_list_context(request: HttpRequest) -> dict[str, Any]:
    """``{"recovery_devices": [(device, is_current), ...]}`` for the signed-in user."""
    key = device_key_from(request)
    return {
        "recovery_devices": [
            (device, is_current_device(device, key)) for device in devices_for(request.user)
        ]
    }
