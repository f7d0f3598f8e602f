"""Recovery contacts in the browser: alice names bob (and a name that is no account, which
looks the same to her), bob accepts from the banner, alice sees him accepted; bob, signed
in with 2FA, is asked to vouch when a recovery request for alice is in review; alice
removes him. Screenshots (desktop and phone) go to LIFELINE_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from lifeline.checkup.contacts import contacts_for
from lifeline.checkup.contacts_models import RecoveryContact
from lifeline.recovery.models import RecoveryProof
from lifeline.recovery.vouch import vouches_request
from tests.e2e.conftest import new_context
from tests.e2e.helpers import log_in
from tests.e2e.mfa_steps import confirm_password_if_asked
from tests.e2e.page_checks import PageChecks
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.fixtures_mfa import make_2fa_account
from tests.recovery.conftest import submit, verify

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def shoot(page: Page, checks: PageChecks, name: str) -> None:
    shots = os.environ.get("LIFELINE_SCREENSHOTS")
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        checks.check_now(page, f"{name} at {label} size")
        if shots:
            page.screenshot(path=str(Path(shots) / f"contacts-{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def enter_sudo_mode(page: Page, account) -> None:
    """allauth asks again before a sensitive page: a code for a 2FA account, else a password."""
    if "/2fa/reauthenticate/" in page.url:
        page.get_by_label(re.compile("code", re.I)).first.fill(account.code(1))
        page.get_by_role("button", name=re.compile("Confirm|Verify|Continue", re.I)).click()
    else:
        confirm_password_if_asked(page, DEFAULT_PASSWORD)


def test_name_accept_vouch_and_remove(page, page_checks, browser, live_url):
    UserFactory(username="alice")
    bob = make_2fa_account(UserFactory(username="bob"))

    log_in(page, login="alice", password=DEFAULT_PASSWORD)
    page.goto("/account/recovery-contacts/")
    expect(page.get_by_text("You have not named anyone yet.")).to_be_visible()
    page.get_by_role("link", name="Name a recovery contact").click()
    confirm_password_if_asked(page, DEFAULT_PASSWORD)  # sudo mode
    expect(page.get_by_role("heading", name="Name a recovery contact")).to_be_visible()
    shoot(page, page_checks, "add")
    for name in ("bob", "nosuchperson"):
        page.get_by_label("Their username").fill(name)
        page.get_by_role("button", name="Send the invitation").click()
        expect(page.get_by_text(f"Invitation to {name} recorded.")).to_be_visible()
        if name == "bob":
            page.get_by_role("link", name="Name a recovery contact").click()
    expect(page.get_by_text("Waiting for an answer")).to_have_count(2)
    shoot(page, page_checks, "waiting")

    # bob, in his own browser, signs in with his second factor and accepts from the banner.
    theirs = PageChecks(new_context(browser, live_url))
    try:
        bobs = theirs.context.new_page()
        log_in(bobs, login="bob", password=DEFAULT_PASSWORD)
        bobs.get_by_label(re.compile("code from your app", re.I)).fill(bob.code())
        bobs.get_by_role("button", name="Verify code").click()
        bobs.get_by_role("link", name="Answer the invitation").click()
        expect(bobs.get_by_role("heading", name="Invitations for you")).to_be_visible()
        shoot(bobs, theirs, "invitation")
        bobs.get_by_role("button", name="Accept").click()
        expect(bobs.get_by_text("You are now a recovery contact of alice.")).to_be_visible()

        # A month later someone asks to recover alice's account: bob is asked to vouch.
        RecoveryContact.objects.filter(contact=bob.user).update(
            accepted_at=timezone.now() - timedelta(days=31)
        )
        request_obj = submit(username="alice")
        verify(request_obj)
        vouches_request(request_obj=request_obj)  # idempotent: also sent when it is queued
        bobs.goto("/")
        bobs.get_by_role("link", name="Answer", exact=True).click()
        enter_sudo_mode(bobs, bob)
        expect(bobs.get_by_role("heading", name="Is this really alice?")).to_be_visible()
        shoot(bobs, theirs, "vouch")
        bobs.get_by_role(
            "button", name=re.compile("^I have confirmed, through a channel we already share")
        ).click()
        expect(bobs.get_by_text("Your answer about alice was recorded.")).to_be_visible()
        proof = RecoveryProof.objects.get(method="vouch")
        assert proof.result == "ok" and proof.strength == "medium"
        theirs.assert_clean()
    finally:
        theirs.context.close()

    page.goto("/account/recovery-contacts/")
    expect(page.get_by_text("Accepted", exact=True)).to_be_visible()
    shoot(page, page_checks, "accepted")
    page.get_by_role("button", name="Remove bob").click()
    expect(page.get_by_text("Removed.")).to_be_visible()
    assert (
        list(contacts_for(bob.user)) == []
        and not RecoveryContact.objects.filter(contact=bob.user).exists()
    )
