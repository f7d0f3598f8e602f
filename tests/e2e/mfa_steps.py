"""Browser steps shared by the 2FA journeys (TOTP, WebAuthn, recovery codes)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

CODE_RE = re.compile(r"^\d{5}-\d{5}-\d{5}-\d{5}$")


def confirm_password_if_asked(page: Page, password: str) -> None:
    """Sudo mode: allauth asks for the password again before 2FA changes."""
    if "/reauthenticate/" in page.url:
        page.get_by_label(re.compile("^Password", re.I)).fill(password)
        page.get_by_role("button", name=re.compile("Confirm|Continue|Reauthenticate", re.I)).click()


def read_recovery_codes(page: Page) -> list[str]:
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    codes = [c.strip() for c in page.locator("ol.recovery-codes code").all_inner_texts()]
    assert len(codes) == 10, codes
    assert all(CODE_RE.match(c) for c in codes), codes
    return codes


def confirm_saved_codes(page: Page, code: str) -> None:
    """From the codes page: prove the codes were saved by typing one back (not burnt)."""
    expect(page.get_by_text("one lost phone away from a support request").first).to_be_visible()
    page.get_by_role("link", name=re.compile("I've saved them", re.I)).click()
    expect(page.locator("ol.recovery-codes")).to_have_count(0)  # codes not shown here
    page.get_by_label("One of your recovery codes").fill(code.replace("-", " "))
    page.get_by_role("button", name="Confirm").click()
    expect(
        page.get_by_text(re.compile("two-factor authentication is set up", re.I))
    ).to_be_visible()
    expect(page.get_by_text("one lost phone away")).to_have_count(0)
