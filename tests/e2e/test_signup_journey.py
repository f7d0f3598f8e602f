"""Sign up → verify through the outbox → log in → change password → log out → log in again."""

import re

import pytest
from playwright.sync_api import expect

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.e2e.helpers import follow_link_in_email, log_in, log_out

pytestmark = pytest.mark.browser


def test_signup_verify_login_change_password(page, live_url):
    page.goto("/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Username").fill("newmaintainer")
    page.get_by_label(re.compile("^Email", re.I)).fill("New.Maintainer@Example.com")
    page.get_by_label(re.compile("^Password$", re.I)).fill("first-long-password-9")
    page.get_by_label(re.compile("Password \\(again\\)", re.I)).fill("first-long-password-9")
    page.get_by_role("button", name=re.compile("Sign up", re.I)).click()
    expect(page.get_by_role("heading", name=re.compile("Verify", re.I))).to_be_visible()

    follow_link_in_email(
        page,
        to="new.maintainer@example.com",
        subject_contains="Confirm your email",
        path_part="/account/confirm-email/",
    )
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    expect(page.get_by_text(re.compile("confirmed", re.I)).first).to_be_visible()

    log_in(page, login="newmaintainer", password="first-long-password-9")
    expect(page.get_by_role("heading", name="Account security")).to_be_visible()

    page.goto("/account/password/change/")
    page.get_by_label(re.compile("Current password", re.I)).fill("first-long-password-9")
    page.get_by_label(re.compile("^New password$", re.I)).fill("second-long-password-7")
    page.get_by_label(re.compile("New password \\(again\\)", re.I)).fill("second-long-password-7")
    page.get_by_role("button", name=re.compile("Change password", re.I)).click()
    expect(page.get_by_text(re.compile("Password successfully changed", re.I))).to_be_visible()

    log_out(page)
    log_in(page, login="new.maintainer@example.com", password="first-long-password-9")
    expect(page.get_by_text(re.compile("not correct|incorrect", re.I)).first).to_be_visible()
    log_in(page, login="new.maintainer@example.com", password="second-long-password-7")
    expect(page.get_by_role("heading", name="Account security")).to_be_visible()

    tags = set(SecurityEvent.objects.values_list("tag", flat=True))
    assert {
        EventTag.ACCOUNT_CREATED,
        EventTag.EMAIL_VERIFY,
        EventTag.LOGIN_SUCCESS,
        EventTag.PASSWORD_CHANGE,
        EventTag.LOGIN_FAILURE,
        EventTag.LOGOUT,
    } <= tags
