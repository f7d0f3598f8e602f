"""Sections upper apps add to the security page (lifeline/accounts/security_page.py)."""

from __future__ import annotations

import pytest

from lifeline.accounts.security_page import (
    register_security_section,
    security_sections,
    unregister_security_section,
)

DEVICES = "recovery/includes/devices.html"


@pytest.fixture
def extra_section():
    """A second copy of the device list in the top slot, removed again after the test."""
    seen = []

    def context(request):
        seen.append(request.user.username)
        return {"recovery_devices": []}

    register_security_section("top", DEVICES, context)
    yield seen
    unregister_security_section("top", DEVICES)


def test_unknown_slot_is_refused():
    with pytest.raises(ValueError, match="Unknown security page slot"):
        register_security_section("sidebar", DEVICES, lambda request: {})


def test_sections_come_by_order_then_template():
    register_security_section("bottom", "b.html", lambda request: {}, order=5)
    register_security_section("bottom", "a.html", lambda request: {}, order=5)
    register_security_section("bottom", "c.html", lambda request: {}, order=1)
    try:
        ours = [s.template for s in security_sections("bottom") if "/" not in s.template]
        assert ours == ["c.html", "a.html", "b.html"]  # (apps' own sections have a folder)
    finally:
        for name in ("a.html", "b.html", "c.html"):
            unregister_security_section("bottom", name)


def test_recovery_registers_the_device_list_after_the_password_card(client_logged_in):
    """Registered from RecoveryConfig.ready: accounts' template loads no recovery tag."""
    assert [s.template for s in security_sections("middle")] == [DEVICES]
    body = client_logged_in.get("/account/security/").content.decode()
    assert body.count('id="devices-h"') == 1
    assert body.index('id="password-h"') < body.index('id="devices-h"')
    assert body.index('id="devices-h"') < body.index('id="history-h"')


def test_a_section_renders_in_its_slot_with_the_request_user(client_logged_in, user, extra_section):
    body = client_logged_in.get("/account/security/").content.decode()
    assert extra_section == [user.username]
    top = body.index('id="devices-h"')
    assert top < body.index('id="factors-h"')  # the top slot is above the 2FA card
    assert body.count('id="devices-h"') == 2  # and the middle one is still there
