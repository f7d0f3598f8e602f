"""The device proof (medium): the request was opened from a browser that completed a full
login to the account before the request was filed (``lifeline.accounts.devices``)."""

from __future__ import annotations

from lifeline.accounts.devices import hash_device_key
from lifeline.accounts.models import Device
from lifeline.recovery.models import RecoveryProof, RecoveryRequest
from lifeline.recovery.proofs.common import Method, Strength, record_proof
from lifeline.recovery.states import PROVING_STATES, State


def proof_device(*, request_obj: RecoveryRequest, device_key: str) -> RecoveryProof | None:
    """Record the device proof when this browser completed a login to the account before the
    request was filed (medium). Silent otherwise: no failure row for a browser we don't know.
    """
    if request_obj.user_id is None or not device_key:
        return None
    if request_obj.state not in (State.SUBMITTED, *PROVING_STATES):
        return None
    device = Device.objects.filter(
        user_id=request_obj.user_id,
        key_hash=hash_device_key(device_key),
        first_seen__lt=request_obj.created,
    ).first()
    if device is None:
        return None
    if RecoveryProof.objects.filter(
        request=request_obj, method=Method.DEVICE, result=RecoveryProof.Result.OK
    ).exists():
        return None
    return record_proof(
        request_obj=request_obj,
        method=Method.DEVICE,
        ok=True,
        strength=Strength.MEDIUM,
        boundary="device",
        reason="Opened from a browser that signed in to this account before.",
        details={
            "device": device.pk,
            "browser": device.browser,
            "first_seen": device.first_seen.isoformat(),
        },
        notify=False,
    )
