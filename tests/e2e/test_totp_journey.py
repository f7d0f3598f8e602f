"""TOTP: enrol (QR + secret) → confirm saved codes → log out → the enrolment code is refused →
log in with the next code → replay refused."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from lifeline.accounts.mfa.status import has_2fa
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.e2e.helpers import log_in, log_out, open_latest_email
from tests.e2e.mfa_steps import confirm_password_if_asked, confirm_saved_codes, read_recovery_codes
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_totp_enrol_confirm_login_and_replay(page, live_url):
    user = UserFactory(username="totpuser")
    log_in(page, login="totpuser", password=DEFAULT_PASSWORD)
    expect(page.get_by_role("heading", name="Account security")).to_be_visible()

    # Without 2FA, token pages send the user to setup with a plain explanation.
    page.goto("/account/tokens/")
    expect(page).to_have_url(re.compile(r"/account/2fa/$"))
    expect(page.get_by_text("Two-factor authentication is required").first).to_be_visible()

    page.get_by_role("link", name="Set up an authenticator app").click()
    confirm_password_if_asked(page, DEFAULT_PASSWORD)
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    expect(page.locator("figure svg")).to_be_visible()  # server-rendered inline SVG QR code
    secret = page.get_by_label(re.compile("Setup key")).input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    totp = pyotp.TOTP(secret)
    enrolment_code = totp.now()
    page.get_by_label("Authenticator code").fill(enrolment_code)
    page.get_by_role("button", name="Activate").click()

    codes = read_recovery_codes(page)
    # Setup is not complete yet: the gate still holds.
    assert not has_2fa(user)
    confirm_saved_codes(page, codes[4])
    assert has_2fa(user)
    page.goto("/account/tokens/")
    expect(page).not_to_have_url(re.compile(r"/account/2fa/$"))

    log_out(page)
    log_in(page, login="totpuser", password=DEFAULT_PASSWORD)
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    # The code typed at enrolment is still inside the ±1 step window, but it was used once:
    # it cannot also sign in (docs/security.md, replay protection).
    page.get_by_label(re.compile("code from your app", re.I)).fill(enrolment_code)
    page.get_by_role("button", name="Verify code").click()
    expect(page.get_by_text("That code didn't work").first).to_be_visible()
    expect(page.get_by_role("heading", name="Account security")).to_have_count(0)
    # The next step's code is valid (±1 step).
    code = totp.at(time.time() + 30)
    page.get_by_label(re.compile("code from your app", re.I)).fill(code)
    page.get_by_role("button", name="Verify code").click()
    expect(page.get_by_role("heading", name="Account security")).to_be_visible()

    log_out(page)
    log_in(page, login="totpuser", password=DEFAULT_PASSWORD)
    page.get_by_label(re.compile("code from your app", re.I)).fill(code)
    page.get_by_role("button", name="Verify code").click()
    expect(page.get_by_text("That code didn't work").first).to_be_visible()
    expect(page.get_by_role("heading", name="Account security")).to_have_count(0)

    tags = set(SecurityEvent.objects.filter(user=user).values_list("tag", flat=True))
    assert {
        EventTag.TOTP_ADD,
        EventTag.RECOVERY_CODES_GENERATE,
        EventTag.RECOVERY_CODES_CONFIRM,
        EventTag.MFA_FAILURE,
    } <= tags
    body = open_latest_email(page, to=user.email, subject_contains="authenticator app was added")
    assert "If this wasn't you" in body
