"""The security checkup in the browser: a user goes from "At risk" to "Strong" by following the
checklist's one-click fixes (a second address at another domain, an authenticator app with
confirmed codes, a security key through Chromium's virtual authenticator, "I've reviewed
this"), and the navigation badge goes away. Screenshots of each status at desktop and phone
size go to LIFELINE_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from lifeline.checkup.facts import assess_user
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.e2e.helpers import follow_link_in_email, log_in
from tests.e2e.mfa_steps import confirm_password_if_asked, confirm_saved_codes, read_recovery_codes
from tests.e2e.test_webauthn_journey import add_virtual_authenticator
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


OVERFLOW_JS = """() => [...document.querySelectorAll('main *')]
    .filter(e => !e.closest('thead, caption, .visually-hidden'))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 40))"""


def shoot(page: Page, name: str) -> None:
    """At phone size nothing sticks out sideways; screenshots when LIFELINE_SCREENSHOTS is set."""
    shots = os.environ.get("LIFELINE_SCREENSHOTS")
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        assert page.evaluate(OVERFLOW_JS) == [], f"{name} at {label} overflows"
        if shots:
            path = Path(shots) / f"checkup-{name}-{label}.png"
            page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(DESKTOP)


def status(page: Page) -> str:
    return page.locator("[data-checkup-status]").get_attribute("data-checkup-status") or ""


def badge(page: Page):
    return page.locator("nav.site-nav [data-checkup-badge]")


def checklist_row(page: Page, row_id: str):
    return page.locator(f"#{row_id}")


def test_from_at_risk_to_strong_by_the_checklist(page, live_url):
    user = UserFactory(username="casey", email="casey@alice.dev")
    user.date_joined = timezone.now() - timedelta(days=400)
    user.save(update_fields=["date_joined"])
    add_virtual_authenticator(page)
    log_in(page, login="casey", password=DEFAULT_PASSWORD)
    page.goto("/account/security/")

    # At risk: the status in one sentence, the rule, and a badge in the navigation.
    assert status(page) == "at_risk"
    expect(page.get_by_text("Anyone with your password can sign in")).to_be_visible()
    expect(page.get_by_text(re.compile("^Strong means that losing any one thing"))).to_be_visible()
    expect(badge(page)).to_have_text(re.compile(r"^4"))
    shoot(page, "at-risk")

    # 1. A second address at another domain: add it, verify it from the email.
    checklist_row(page, "check-addresses").get_by_role("link", name="Add an address").click()
    expect(page).to_have_url(re.compile(r"/account/email/$"))
    confirm_password_if_asked(page, DEFAULT_PASSWORD)
    page.get_by_label(re.compile("^E-?mail", re.I)).last.fill("casey@example.org")
    page.get_by_role("button", name=re.compile("Add e-?mail", re.I)).click()
    confirm_password_if_asked(page, DEFAULT_PASSWORD)
    follow_link_in_email(
        page,
        to="casey@example.org",
        subject_contains="Confirm",
        path_part="/account/confirm-email/",
    )
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    page.goto("/account/security/")
    assert status(page) == "at_risk"  # still no second factor
    expect(checklist_row(page, "check-addresses").get_by_text("Done")).to_be_visible()

    # 2. Two-factor: an authenticator app, and the codes confirmed as saved.
    checklist_row(page, "check-two-factor").get_by_role("link", name="Set up two-factor").click()
    page.get_by_role("link", name="Set up an authenticator app").click()
    confirm_password_if_asked(page, DEFAULT_PASSWORD)
    secret = page.get_by_label(re.compile("Setup key")).input_value()
    page.get_by_label("Authenticator code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activate").click()
    confirm_saved_codes(page, read_recovery_codes(page)[0])
    page.goto("/account/security/")
    assert status(page) == "attention"  # no phishing-resistant key yet, review overdue
    expect(
        page.get_by_text(re.compile("^A security key or passkey is the strongest"))
    ).to_be_visible()
    shoot(page, "needs-attention")

    # 3. A security key, straight from the checklist.
    checklist_row(page, "check-two-factor").get_by_role(
        "link", name="Add a security key or passkey"
    ).click()
    confirm_password_if_asked(page, DEFAULT_PASSWORD)
    page.get_by_label("Name").fill("Desk key")
    page.get_by_role("button", name="Add key").click()
    expect(page).to_have_url(re.compile(r"/account/2fa/$"))
    page.goto("/account/security/")
    assert status(page) == "attention"
    expect(badge(page)).to_have_text(re.compile(r"^1"))  # only the review is left

    # 4. "I've reviewed this": recorded, and the account is Strong; the badge is gone.
    checklist_row(page, "check-review").get_by_role("button", name="I've reviewed this").click()
    expect(page.get_by_text("your review is recorded")).to_be_visible()
    assert status(page) == "strong"
    expect(
        page.get_by_text("Losing any one factor or address cannot lock you out.")
    ).to_be_visible()
    expect(badge(page)).to_have_count(0)
    shoot(page, "strong")

    assessment = assess_user(user)
    assert assessment.lockout_safe and not assessment.open_items
    assert SecurityEvent.objects.filter(user=user, tag=EventTag.CHECKUP_REVIEW).exists()
