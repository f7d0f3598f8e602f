"""The curl + openssl recipe in docs/email-events.md works, as written, against a live server."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress

from tests.checkup.conftest import make_owner

DOC = Path(__file__).resolve().parents[2] / "docs" / "email-events.md"

pytestmark = pytest.mark.skipif(
    not (shutil.which("curl") and shutil.which("openssl")), reason="needs curl and openssl"
)


def recipe(base_url: str, secret: str) -> str:
    script = re.search(r"```sh\n(.*?)```", DOC.read_text(), re.S).group(1)
    script = script.replace("the value of LIFELINE_BOUNCE_WEBHOOK_SECRET", secret)
    return script.replace("https://lifeline.example", base_url)


def test_the_documented_curl_command_unverifies_and_a_replay_is_refused(live_url, settings):
    settings.LIFELINE_BOUNCE_WEBHOOK_SECRET = "doc-recipe-secret-abcdefghijklmnop"
    make_owner("alice@example.org", "alice@other.example")
    script = recipe(live_url, settings.LIFELINE_BOUNCE_WEBHOOK_SECRET)
    first = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
    assert json.loads(first.stdout) == {"results": [{"id": "test-1", "result": "processed"}]}
    assert not EmailAddress.objects.get(email="alice@example.org").verified
    again = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
    assert json.loads(again.stdout)["error"] == "replayed"
