"""Every page a signed-in maintainer, a requester and a support-desk member can reach, looked at
as a person would (page_checks.py), at desktop (1280x800) and on a phone (390x844), in light
and in dark mode.

One browser context per person: each page is loaded once (checked on load at desktop, light)
and checked again in the three other combinations by switching the viewport and the colour
scheme in place. Set LIFELINE_SCREENSHOTS to a directory to also save screenshots of the
security and tokens pages in each combination.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from lifeline.checkup.contacts_models import RecoveryContact
from lifeline.checkup.reminders import unsubscribe_token
from lifeline.recovery.links import status_url
from lifeline.recovery.vouch import vouch_answer, vouches_request
from tests.desk.fixtures import add_strong_proofs, make_staff, open_case
from tests.e2e.conftest import new_context
from tests.e2e.helpers import log_in
from tests.e2e.mfa_steps import confirm_password_if_asked
from tests.e2e.page_checks import PageChecks
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.fixtures_mfa import TwoFactorAccount, make_2fa_account
from tests.recovery.conftest import add_project, make_token

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
OTHER_COMBINATIONS = [
    ("desktop dark", DESKTOP, "dark"),
    ("phone light", PHONE, "light"),
    ("phone dark", PHONE, "dark"),
]
SCREENSHOT_PAGES = {
    "/account/security/": "security",
    "/account/tokens/": "tokens",
    "/projects/maria-tool/": "project",
}

MAINTAINER_PAGES = [
    "/account/security/",
    "/account/security/sessions/",
    "/account/security/history/",
    "/account/email/",
    "/account/password/change/",
    "/account/2fa/",
    "/account/2fa/webauthn/",
    "/account/2fa/webauthn/add/",
    "/account/2fa/recovery-codes/",
    "/account/2fa/recovery-codes/confirm/",
    "/account/2fa/totp/deactivate/",
    "/account/tokens/",
    "/account/tokens/new/",
    "/account/recovery-contacts/",
    "/account/recovery-contacts/add/",
    "/projects/",
    "/projects/maria-tool/",
    "/user/maria/",
    "/manage/projects/",
    "/manage/project/maria-tool/",
    "/account/delete/",
    "/",
]
DESK_PAGES = [
    "/desk/",
    "/desk/metrics/",
    "/desk/accounts/",
    "/desk/accounts/alice/",
    "/desk/staff/",
]


def visit_everywhere(checks: PageChecks, page: Page, path: str, *, password: str) -> None:
    page.set_viewport_size(DESKTOP)
    page.emulate_media(color_scheme="light")
    page.goto(path)
    confirm_password_if_asked(page, password)  # sudo mode pages ask once
    assert "/account/login/" not in page.url, f"{path} asked to log in again"
    shots = os.environ.get("LIFELINE_SCREENSHOTS")
    for label, viewport, scheme in [("desktop light", DESKTOP, "light"), *OTHER_COMBINATIONS]:
        page.set_viewport_size(viewport)
        page.emulate_media(color_scheme=scheme)
        if label != "desktop light":
            checks.check_now(page, label)
        if shots:
            stem = SCREENSHOT_PAGES.get(path) or path.strip("/").replace("/", "_") or "home"
            name = f"{stem}-{label.replace(' ', '-')}.png"
            page.screenshot(path=str(Path(shots) / name), full_page=True)


def sign_in_with_totp(page: Page, account: TwoFactorAccount) -> None:
    log_in(page, login=account.user.username, password=DEFAULT_PASSWORD)
    page.get_by_label(re.compile("code from your app", re.I)).fill(account.code())
    page.get_by_role("button", name="Verify code").click()
    expect(page.get_by_role("heading", name="Account security")).to_be_visible()


@pytest.fixture
def people(live_url):
    maria = make_2fa_account(UserFactory(username="maria", email="maria@example.com"))
    add_project(maria.user, "maria-tool", urls={"Source": "https://code.example/maria/tool"})
    make_token(maria.user, name="CI release job")
    alice = UserFactory(username="alice", email="alice@example.com")
    make_2fa_account(alice)
    add_project(alice, "alice-tool", urls={"Source": "https://code.example/alice/tool"})
    case = open_case("alice", contact="alice.now@contact.example")
    add_strong_proofs(case)
    # maria and carol are alice's recovery contacts of two months: both are asked to vouch;
    # carol could not confirm (the desk case page warns), maria has yet to answer.
    carol = make_2fa_account(UserFactory(username="carol"))
    for contact in (maria.user, carol.user):
        when = timezone.now() - timedelta(days=60)
        RecoveryContact.objects.create(
            owner=alice,
            contact=contact,
            invited_username=contact.username,
            status=RecoveryContact.Status.ACCEPTED,
            invited_at=when,
            accepted_at=when,
        )
    asked = {p.details["contact"]: p for p in vouches_request(request_obj=case)}
    vouch_answer(contact=carol.user, proof_id=asked["carol"].pk, confirmed=False)
    ada = make_staff("ada", "admin")
    return {"maria": maria, "case": case, "ada": ada, "vouch": asked["maria"]}


def test_every_page_reads_cleanly_everywhere(browser, live_url, people):
    all_checks: list[PageChecks] = []

    def person() -> tuple[PageChecks, Page]:
        context = new_context(browser, live_url, viewport=DESKTOP)
        checks = PageChecks(context)
        all_checks.append(checks)
        return checks, context.new_page()

    try:
        # A maintainer with 2FA, a project with a release, and an API token.
        checks, page = person()
        sign_in_with_totp(page, people["maria"])
        for path in [*MAINTAINER_PAGES, f"/recovery/vouch/{people['vouch'].pk}/"]:
            visit_everywhere(checks, page, path, password=DEFAULT_PASSWORD)
        expect(page.get_by_role("heading", name="Is this really alice?")).to_be_visible()
        page.context.close()

        # A new user setting up 2FA.
        UserFactory(username="newbie")
        checks, page = person()
        log_in(page, login="newbie", password=DEFAULT_PASSWORD)
        for path in ["/account/2fa/", "/account/2fa/totp/activate/"]:
            visit_everywhere(checks, page, path, password=DEFAULT_PASSWORD)
        page.context.close()

        # Someone locked out: the recovery pages, and the status page of a filed request.
        checks, page = person()
        link = status_url(people["case"])
        for path in ["/recovery/", "/recovery/request/", link[link.index("/recovery/") :]]:
            visit_everywhere(checks, page, path, password=DEFAULT_PASSWORD)
        visit_everywhere(checks, page, "/_dev/styleguide/", password=DEFAULT_PASSWORD)
        # A checkup reminder's unsubscribe link, opened from the email (no sign-in).
        token = unsubscribe_token(people["maria"].user, "review")
        visit_everywhere(
            checks, page, f"/reminders/unsubscribe/{token}/", password=DEFAULT_PASSWORD
        )
        page.context.close()

        # A support-desk admin: queue, case, metrics, account tools, staff.
        checks, page = person()
        sign_in_with_totp(page, people["ada"])
        case_path = f"/desk/cases/{people['case'].public_id}/"
        for path in [*DESK_PAGES, case_path]:
            visit_everywhere(checks, page, path, password=DEFAULT_PASSWORD)
        page.context.close()
    finally:
        for checks in all_checks:
            checks.context.close()

    problems = [p for checks in all_checks for p in checks.problems]
    assert len({url for checks in all_checks for url in checks.checked}) >= 30
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(
        f"- {p}" for p in dict.fromkeys(problems)
    )
