"""A maintainer who lost email and 2FA recovers strong evidence without any staff action.

alice owns a project whose metadata (uploaded long ago) points at a repository, and still
has an API token in a CI secret. She files a request, confirms her new contact address
through the outbox, opens her status page, proves the token with the real ``curl`` and
publishes the challenge in her repository (a local HTTP server), and the evidence becomes
strong. The real owner's verified address got the alert with the one-click cancel.
"""

import json
import re
import subprocess

import pytest
from playwright.sync_api import expect

from lifeline.recovery.models import RecoveryProof, RecoveryRequest
from tests.e2e.helpers import follow_link_in_email, open_latest_email
from tests.factories import UserFactory
from tests.fixtures_mfa import make_2fa_account
from tests.recovery.conftest import add_project, make_token
from tests.recovery.stub_server import stub_server

pytestmark = pytest.mark.browser


def test_lost_everything_to_strong_evidence(page, live_url, settings):
    settings.LIFELINE_RECOVERY_FETCH_ALLOW_PRIVATE = True  # the repository is on 127.0.0.1
    routes: dict = {}
    with stub_server(routes) as repo:
        alice = UserFactory(username="alice", email="alice@example.com")
        make_2fa_account(alice)
        add_project(alice, "alice-tool", urls={"Source": f"{repo}/alice/alice-tool"})
        _token, raw_token = make_token(alice)

        # Self-service first: she has nothing left, so she is routed to the request form.
        page.goto("/")
        page.get_by_role("link", name="Lost access to your account?").click()
        page.get_by_label("None of these").check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Username").fill("alice")
        page.get_by_label(re.compile("no longer have access to the account's email")).check()
        page.get_by_label(re.compile("lost my two-factor device")).check()
        page.get_by_label(re.compile("never generated my recovery codes")).check()
        page.get_by_label("Contact email address").fill("alice.now@contact.example")
        page.get_by_label("What happened?").fill(
            "My old employer closed my email account and my phone with the authenticator broke."
        )
        page.get_by_label("I agree to follow the Code of Conduct").check()
        page.get_by_label(re.compile("review may take a significant amount of time")).check()
        page.get_by_role("button", name="Send request").click()
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

        follow_link_in_email(
            page,
            to="alice.now@contact.example",
            subject_contains="Confirm your contact address",
            path_part="/recovery/verify/",
        )
        page.get_by_role("button", name="Confirm my address").click()
        expect(page.get_by_role("heading", name="Address confirmed")).to_be_visible()

        # The real owner was alerted at their verified address, with a one-click cancel.
        alert = open_latest_email(page, to="alice@example.com", subject_contains="recover your")
        assert "/recovery/cancel/" in alert

        follow_link_in_email(
            page,
            to="alice.now@contact.example",
            subject_contains="received",
            path_part="/recovery/status/",
        )
        expect(page.get_by_role("heading", name=re.compile("Recovery request R-"))).to_be_visible()
        assert "/recovery/status/" in page.url and page.url.rstrip("/").count("/") == 5
        expect(page.locator("#evidence-level")).to_have_text("Weak")
        challenge = page.locator("#challenge").inner_text().strip()
        expect(page.locator("#curl-command")).to_contain_text("curl --fail-with-body -u __token__")

        # Proof a: the API token, with the real curl.
        result = subprocess.run(
            [
                "curl",
                "--silent",
                "--show-error",
                "--fail-with-body",
                "-u",
                f"__token__:{raw_token}",
                "-d",
                f"challenge={challenge}",
                f"{live_url}/recovery/proofs/token/",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        answer = json.loads(result.stdout)
        assert answer["ok"] is True and answer["evidence"] == "moderate"
        page.reload()
        expect(page.locator("#evidence-level")).to_have_text("Moderate")

        # Proof b: the challenge published in the repository, checked by the server.
        routes["/alice/alice-tool/raw/main/LIFELINE.txt"] = (200, {}, challenge.encode())
        page.get_by_label("URL of the file with the challenge").fill(
            f"{repo}/alice/alice-tool/raw/main/LIFELINE.txt"
        )
        page.get_by_role("button", name="Check").click()
        expect(
            page.get_by_text(re.compile("Proof succeeded: The challenge was found"))
        ).to_be_visible()
        expect(page.locator("#evidence-level")).to_have_text("Strong")
        expect(
            page.get_by_text("2 independent proofs, 2 of them strong: strong evidence.")
        ).to_be_visible()

    request_obj = RecoveryRequest.objects.get()
    assert request_obj.state == "open" and request_obj.assignee is None  # no staff action
    assert set(RecoveryProof.objects.filter(result="ok").values_list("method", flat=True)) == {
        "api_token",
        "repository",
    }
    assert raw_token not in json.dumps(list(RecoveryProof.objects.values("details", "reason")))
