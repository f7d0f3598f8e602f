"""New-device notice in the browser: a sign-in from a new browser is let straight in and
emails every verified address once; the same browser again sends nothing; another browser
is announced again. The email's "This wasn't me?" link opens the help page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from playwright.sync_api import expect

from lifeline.notifications.models import EmailLog
from tests.e2e.conftest import new_context
from tests.e2e.helpers import follow_link_in_email, log_in, log_out
from tests.e2e.page_checks import PageChecks
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def notices() -> int:
    return EmailLog.objects.filter(template="new_device_signin").count()


def test_a_new_browser_is_announced_once_and_never_blocked(page, browser, live_url):
    user = UserFactory(username="dora")
    user.date_joined = timezone.now() - timedelta(days=90)
    user.save(update_fields=["date_joined"])
    EmailAddress.objects.create(user=user, email="dora@elsewhere.example", verified=True)

    log_in(page, login="dora", password=DEFAULT_PASSWORD)
    page.goto("/account/recovery-contacts/")  # signed in: no confirmation step in between
    expect(page.get_by_role("heading", name="Recovery contacts", level=1)).to_be_visible()
    assert notices() == 2  # both verified addresses

    follow_link_in_email(
        page,
        to="dora@elsewhere.example",
        subject_contains="New sign-in",
        path_part="/account/not-me/",
    )
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "/account/not-me/" in page.url

    # The same browser again: it is a known device now.
    log_out(page)
    log_in(page, login="dora", password=DEFAULT_PASSWORD)
    page.goto("/account/recovery-contacts/")
    expect(page.get_by_role("heading", name="Recovery contacts", level=1)).to_be_visible()
    assert notices() == 2

    # Another browser (no device cookie): announced, and let in.
    other = PageChecks(new_context(browser, live_url))
    try:
        second = other.context.new_page()
        log_in(second, login="dora", password=DEFAULT_PASSWORD)
        second.goto("/account/recovery-contacts/")
        expect(second.get_by_role("heading", name="Recovery contacts", level=1)).to_be_visible()
        other.assert_clean()
    finally:
        other.context.close()
    assert notices() == 4
    body = EmailLog.objects.filter(template="new_device_signin").latest("id")
    assert re.search(r"New sign-in to your Lifeline account", body.subject)
