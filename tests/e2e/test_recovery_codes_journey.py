"""Recovery codes in the browser: sign in with one, the email it sends, download and print."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lifeline.accounts.mfa.codes import format_recovery_code
from tests.e2e.helpers import log_in, log_out, open_latest_email
from tests.e2e.mfa_steps import CODE_RE, confirm_password_if_asked
from tests.fixtures_mfa import make_2fa_account

pytestmark = pytest.mark.browser


def test_recovery_code_login_and_email(page, live_url):
    account = make_2fa_account()
    user = account.user
    code = account.recovery_codes()[2]

    log_in(page, login=user.username, password=account.password)
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    # Typed the way people copy codes: grouped with spaces, stray whitespace.
    page.get_by_label("One of your saved recovery codes").fill(
        " " + format_recovery_code(code).replace("-", " ") + " "
    )
    page.get_by_role("button", name="Use recovery code").click()
    expect(page.get_by_role("heading", name="Account security")).to_be_visible()
    # Said once, on the two-factor card; the checkup's checklist says what it means instead.
    expect(page.get_by_text("9 left")).to_have_count(1)
    expect(page.get_by_text("9 left")).to_be_visible()
    expect(page.locator("#check-codes")).to_contain_text("Saved, with enough left.")

    body = open_latest_email(page, to=user.email, subject_contains="A recovery code was used")
    assert "9 left" in body
    assert "If this wasn't you" in body
    assert "127.0.0.1" in body

    # The same code never works twice.
    page.goto("/account/security/")
    log_out(page)
    log_in(page, login=user.username, password=account.password)
    page.get_by_label("One of your saved recovery codes").fill(code)
    page.get_by_role("button", name="Use recovery code").click()
    expect(page.get_by_text("That code didn't work").first).to_be_visible()


def test_download_and_print_codes(page, live_url):
    account = make_2fa_account()
    user = account.user
    log_in(page, login=user.username, password=account.password)
    page.get_by_label(re.compile("code from your app", re.I)).fill(account.code())
    page.get_by_role("button", name="Verify code").click()
    expect(page.get_by_role("heading", name="Account security")).to_be_visible()

    page.goto("/account/2fa/recovery-codes/")
    confirm_password_if_asked(page, account.password)
    shown = [c.strip() for c in page.locator("ol.recovery-codes code").all_inner_texts()]
    assert shown == [format_recovery_code(c) for c in account.recovery_codes()]

    with page.expect_download() as info:
        page.get_by_role("link", name="Download as .txt").click()
    download = info.value
    assert download.suggested_filename == "recovery-codes.txt"
    text = Path(download.path()).read_text()
    lines = [line for line in text.splitlines() if CODE_RE.match(line)]
    assert lines == shown

    page.get_by_role("link", name="Print-friendly page").click()
    expect(page.get_by_role("heading", name=re.compile("recovery codes"))).to_be_visible()
    printed = [c.strip() for c in page.locator("ol.print-codes code").all_inner_texts()]
    assert printed == shown
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
