"""Copy buttons (lifeline/static/lifeline/copy.js) put the exact snippet on the clipboard,
say so to screen readers, and run under the site's CSP without a single error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.fixtures_mfa import make_2fa_account

pytestmark = pytest.mark.browser


def test_copy_button_copies_the_snippet_and_announces_it(page, live_url):
    account = make_2fa_account(UserFactory(username="copier"))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_url)

    log_in(page, login="copier", password=DEFAULT_PASSWORD)
    page.get_by_label(re.compile("code from your app", re.I)).fill(account.code())
    page.get_by_role("button", name="Verify code").click()
    page.goto("/account/tokens/")

    snippet = page.locator("#snippet-pip-conf").inner_text()
    assert snippet == f"[global]\nindex-url = {live_url}/simple/"
    page.get_by_role("button", name="Copy the pip.conf snippet").click()
    expect(page.locator('button[data-copy="snippet-pip-conf"]')).to_have_text(re.compile("^Copied"))
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == snippet
    assert not errors, errors
