"""Steps shared by browser journeys."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def open_latest_email(page: Page, *, to: str, subject_contains: str) -> str:
    """Open the newest outbox email to ``to`` whose subject contains the text; return its body."""
    page.goto("/_dev/outbox/")
    row = page.locator("tbody tr", has_text=to).filter(has_text=subject_contains).first
    expect(row).to_be_visible()
    row.get_by_role("link").click()
    return page.locator("pre.email-body").inner_text()


def follow_link_in_email(page: Page, *, to: str, subject_contains: str, path_part: str) -> None:
    body = open_latest_email(page, to=to, subject_contains=subject_contains)
    match = re.search(r"https?://\S*" + re.escape(path_part) + r"\S*", body)
    assert match, f"no link containing {path_part!r} in email:\n{body}"
    page.locator(f'pre.email-body a[href="{match.group(0)}"]').click()


def log_in(page: Page, *, login: str, password: str) -> None:
    page.goto("/account/login/")
    # allauth labels the field "Login" (placeholder "Username or email").
    page.get_by_label(re.compile("^(Login|Username or email)", re.I)).fill(login)
    page.get_by_label(re.compile("^Password", re.I)).fill(password)
    # Exact: the login page also has "Sign in with a passkey".
    page.get_by_role("button", name=re.compile("^(Sign in|Log in)$", re.I)).click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name=re.compile("Log out|Sign out", re.I)).first.click()
    confirm = page.get_by_role("button", name=re.compile("Sign out|Log out", re.I))
    if page.url.rstrip("/").endswith("/account/logout"):
        confirm.first.click()
