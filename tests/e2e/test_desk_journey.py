"""The support side, end to end in Chromium, ending with a real twine upload.

alice lost her email, her 2FA app and her codes, but still holds an old API token and her
repository. Her request and its two strong proofs are created through services (the
requester UI has its own journey in test_recovery_journey.py). Then, in the browser: staff
signs in with TOTP, opens the case and approves it with a justification; time moves past
the 24 h cooling-off and `lifeline tick` runs; alice follows the restore link from the
outbox, sets a new password, is made to set up 2FA and confirm her saved codes, creates a
new API token, and twine uploads a new version.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.index.models import Release
from lifeline.recovery.models import RecoveryAudit, RecoveryRequest
from lifeline.recovery.states import State
from tests.clients.conftest import BIN, live_index, run, tiny_dists  # noqa: F401
from tests.desk.fixtures import JUSTIFICATION, add_strong_proofs, make_staff, open_case
from tests.e2e.helpers import follow_link_in_email, log_in, log_out, open_latest_email
from tests.e2e.mfa_steps import confirm_password_if_asked, confirm_saved_codes, read_recovery_codes
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.fixtures_mfa import make_2fa_account
from tests.recovery.conftest import add_project, make_token

pytestmark = [pytest.mark.browser, pytest.mark.clients]
NEW_PASSWORD = "recovered at last, 2026!"


def staff_sign_in(page, account) -> None:
    log_in(page, login=account.user.username, password=DEFAULT_PASSWORD)
    page.get_by_label(re.compile("code from your app", re.I)).fill(account.code())
    page.get_by_role("button", name="Verify code").click()
    expect(
        page.get_by_role("link", name=re.compile("Log out|Sign out", re.I))
        .or_(page.get_by_role("button", name=re.compile("Log out|Sign out", re.I)))
        .first
    ).to_be_visible()


def test_lost_everything_to_publishing_again(page, live_index, tiny_dists):  # noqa: F811
    alice = UserFactory(username="alice", email="alice@example.com")
    make_2fa_account(alice)
    add_project(alice, "lifeline-tiny", urls={"Source": "https://code.example/alice/tiny"})
    make_token(alice)  # the old token, still in her CI secret
    case = open_case("alice", contact="alice.now@contact.example")
    add_strong_proofs(case)
    staff = make_staff("sam", "support")

    # Staff: sign in with TOTP, find the case in the queue, approve with a justification.
    staff_sign_in(page, staff)
    page.goto("/desk/")
    expect(page.locator("#queue-counts")).to_contain_text("Open")
    page.get_by_role("link", name=case.reference).click()
    expect(page.locator("#evidence-level")).to_have_text("Strong evidence")
    page.locator("summary", has_text="Approve").click()  # the decision sits after the evidence
    approve = page.locator("#approve-form")
    approve.get_by_label("Justification (for the audit trail)").fill(JUSTIFICATION)
    approve.get_by_label("Keep the account's API tokens").check()
    approve.get_by_role("button", name="Approve", exact=True).click()
    confirm_password_if_asked(page, DEFAULT_PASSWORD)  # sudo mode, then the POST resumes
    expect(page.locator("#case-state")).to_have_text(re.compile("Approved"))
    expect(page.locator("#audit")).to_contain_text(JUSTIFICATION)
    log_out(page)

    # The real owner was told at her verified address, with the one-click cancel.
    body = open_latest_email(page, to="alice@example.com", subject_contains="was approved")
    assert "/recovery/cancel/" in body

    # Time travel past the 24 h cooling-off; the scheduled job makes the case ready.
    case.refresh_from_db()
    assert timedelta(hours=23) < case.completes_at - timezone.now() <= timedelta(hours=24)
    RecoveryRequest.objects.filter(pk=case.pk).update(
        completes_at=timezone.now() - timedelta(seconds=1)
    )
    call_command("tick", verbosity=0)
    case.refresh_from_db()
    assert case.state == State.READY

    # Requester: restore link from the outbox → new password.
    follow_link_in_email(
        page,
        to="alice.now@contact.example",
        subject_contains="Restore your",
        path_part="/recovery/restore/",
    )
    expect(page).not_to_have_url(re.compile(r"/recovery/restore/[^/]+/[^/]+/$"))  # token gone
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password and restore").click()
    expect(page.get_by_role("heading", name="Your account was restored")).to_be_visible()

    # Sign in: nothing but 2FA setup and the saved-codes check until both are done.
    log_in(page, login="alice", password=NEW_PASSWORD)
    page.goto("/account/tokens/")
    expect(page).to_have_url(re.compile(r"/account/2fa/$"))
    page.get_by_role("link", name="Set up an authenticator app").click()
    confirm_password_if_asked(page, NEW_PASSWORD)
    secret = page.get_by_label(re.compile("Setup key")).input_value()
    page.get_by_label("Authenticator code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activate").click()
    codes = read_recovery_codes(page)
    confirm_saved_codes(page, codes[2])

    # A new API token, then twine publishes a new version.
    page.goto("/account/tokens/new/")
    confirm_password_if_asked(page, NEW_PASSWORD)
    page.get_by_label("Name").fill("laptop release")
    page.get_by_role("button", name="Create token").click()
    raw = page.locator("#raw-token").inner_text().strip()
    assert raw
    run(
        [
            str(BIN / "twine"),
            "upload",
            "--non-interactive",
            "--disable-progress-bar",
            "--repository-url",
            f"{live_index}/legacy/",
            "-u",
            "__token__",
            "-p",
            raw,
            *map(str, tiny_dists.by_version["0.2"]),
        ],
        tiny_dists.env,
    )
    assert Release.objects.filter(project__normalized_name="lifeline-tiny", version="0.2").exists()

    # Every step is in the audit trail; the old address got the "recovered" notice.
    steps = list(
        RecoveryAudit.objects.filter(request=case)
        .exclude(from_state="submitted")
        .values_list("from_state", "to_state", "actor_kind")
    )
    assert steps == [
        ("open", "approved", "staff"),
        ("approved", "ready", "system"),
        ("ready", "completed", "requester"),
    ]
    assert SecurityEvent.objects.filter(user=alice, tag=EventTag.RECOVERY_RESTORE).exists()
    notice = open_latest_email(page, to="alice@example.com", subject_contains="was recovered")
    assert "If this wasn't you" in notice
