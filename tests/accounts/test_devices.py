"""Remembered devices (lifeline.accounts.devices): the first login from a browser sends
``device_first_seen`` once; later logins from it only refresh the row."""

from django.db import connection

from lifeline.accounts.devices import (
    device_forget,
    device_remember,
    hash_device_key,
    is_current_device,
    sign_device_key,
    unsign_device_key,
)
from lifeline.accounts.models import Device
from lifeline.accounts.signals import device_first_seen
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.factories import UserFactory


def _capture():
    seen = []

    def receiver(sender, **kwargs):
        seen.append((sender, kwargs))

    device_first_seen.connect(receiver, weak=False)
    return seen, receiver


def test_a_new_browser_sends_device_first_seen_once(db):
    user = UserFactory()
    seen, receiver = _capture()
    try:
        device, key = device_remember(user=user, device_key=None, ip="203.0.113.5", user_agent="UA")
        again, same_key = device_remember(
            user=user, device_key=key, ip="203.0.113.6", user_agent="UA 2"
        )
    finally:
        device_first_seen.disconnect(receiver)
    assert same_key == key and again.pk == device.pk
    assert len(seen) == 1
    sender, kwargs = seen[0]
    assert sender is Device
    assert kwargs["user"] == user and kwargs["device"].pk == device.pk
    assert kwargs["ip"] == "203.0.113.5" and kwargs["user_agent"] == "UA"
    again.refresh_from_db()
    assert again.last_ip == "203.0.113.6" and again.user_agent == "UA 2"


def test_the_same_browser_is_new_for_another_account(db):
    first, second = UserFactory(), UserFactory()
    seen, receiver = _capture()
    try:
        _device, key = device_remember(user=first, device_key=None, ip=None, user_agent="")
        device_remember(user=second, device_key=key, ip=None, user_agent="")
    finally:
        device_first_seen.disconnect(receiver)
    assert [kwargs["user"] for _sender, kwargs in seen] == [first, second]


def test_only_the_key_digest_is_stored_and_the_cookie_is_signed(db):
    user = UserFactory()
    device, key = device_remember(user=user, device_key=None, ip=None, user_agent="")
    assert device.key_hash == hash_device_key(key) and key not in device.key_hash
    assert unsign_device_key(sign_device_key(key)) == key
    assert unsign_device_key(sign_device_key(key) + "x") is None
    assert is_current_device(device, key) and not is_current_device(device, "other")


def test_forgetting_a_device_is_recorded_and_only_for_its_owner(db):
    owner, stranger = UserFactory(), UserFactory()
    device, _key = device_remember(user=owner, device_key=None, ip=None, user_agent="")
    assert not device_forget(user=stranger, device_id=device.pk)
    assert device_forget(user=owner, device_id=device.pk)
    assert not Device.objects.filter(pk=device.pk).exists()
    assert SecurityEvent.objects.filter(user=owner, tag=EventTag.DEVICE_FORGET).exists()


def test_devices_keep_their_table_after_moving_to_accounts(db):
    assert Device._meta.db_table == "recovery_device"
    assert Device._meta.app_label == "accounts"
    assert "recovery_device" in connection.introspection.table_names()
