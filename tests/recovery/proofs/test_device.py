# ruff: noqa: F811  (pytest fixtures imported from tests.desk.fixtures)
"""The device proof counts only a browser that signed in to the account *before* the request:
a stolen or guessed cookie value, a browser first seen afterwards, or a closed case get nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lifeline.accounts.devices import hash_device_key
from lifeline.accounts.models import Device
from lifeline.recovery.models import RecoveryProof, RecoveryRequest
from lifeline.recovery.proofs.device import proof_device
from lifeline.recovery.states import State
from tests.desk.fixtures import case, owner  # noqa: F401
from tests.recovery.conftest import submit

pytestmark = pytest.mark.django_db
KEY = "a-device-cookie-value-0123456789"


def _device(user, *, before) -> Device:  # type: ignore[no-untyped-def]
    return Device.objects.create(
        user=user, key_hash=hash_device_key(KEY), first_seen=before - timedelta(days=30)
    )


def test_a_known_browser_gets_one_medium_proof(case):
    _device(case.user, before=case.created)
    proof = proof_device(request_obj=case, device_key=KEY)
    assert proof is not None and proof.ok and proof.strength == RecoveryProof.Strength.MEDIUM
    assert proof_device(request_obj=case, device_key=KEY) is None  # not twice
    assert RecoveryProof.objects.filter(request=case, method="device").count() == 1


@pytest.mark.parametrize("key", ["", "someone-elses-cookie"])
def test_an_unknown_or_missing_cookie_gets_nothing_and_no_failure_row(case, key):
    _device(case.user, before=case.created)
    assert proof_device(request_obj=case, device_key=key) is None
    assert not RecoveryProof.objects.filter(request=case, method="device").exists()


def test_a_browser_first_seen_after_the_request_does_not_count(case):
    Device.objects.create(user=case.user, key_hash=hash_device_key(KEY))
    assert proof_device(request_obj=case, device_key=KEY) is None


def test_a_closed_case_or_a_request_for_no_account_gets_nothing(case):
    _device(case.user, before=case.created)
    RecoveryRequest.objects.filter(pk=case.pk).update(state=State.DENIED)
    case.refresh_from_db()
    assert proof_device(request_obj=case, device_key=KEY) is None
    nobody = submit(username="nobody-here")
    assert proof_device(request_obj=nobody, device_key=KEY) is None
