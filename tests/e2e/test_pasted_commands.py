"""The token page's snippets work pasted as shown: .pypirc + twine, uv's environment, pip.conf.

A maintainer creates a token in the browser and copies the snippets off the page; the real
twine, uv and pip run them unchanged (only the placeholders a person fills in: none, since
the new-token page fills in the token).
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from lifeline.index.models import Release
from tests.clients.conftest import BIN, live_index, tiny_dists  # noqa: F401
from tests.e2e.helpers import log_in
from tests.e2e.mfa_steps import confirm_password_if_asked
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.fixtures_mfa import make_2fa_account

pytestmark = [pytest.mark.browser, pytest.mark.clients]


def shell(script: str, *, cwd, env) -> None:
    env = {**env, "PATH": f"{BIN}:{env.get('PATH', '')}"}
    result = subprocess.run(
        ["bash", "-euc", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, f"{script}\n{result.stdout}\n{result.stderr}"


def test_snippets_pasted_as_shown(page, live_index, tiny_dists, tmp_path):  # noqa: F811
    account = make_2fa_account(UserFactory(username="paster"))
    log_in(page, login="paster", password=DEFAULT_PASSWORD)
    page.get_by_label(re.compile("code from your app", re.I)).fill(account.code())
    page.get_by_role("button", name="Verify code").click()
    expect(page.get_by_role("heading", name="Account security")).to_be_visible()
    page.goto("/account/tokens/new/")
    confirm_password_if_asked(page, DEFAULT_PASSWORD)
    page.get_by_label("Name").fill("laptop")
    page.get_by_role("button", name="Create token").click()
    confirm_password_if_asked(page, DEFAULT_PASSWORD)  # sudo mode, then the POST resumes
    snippet = {
        key: page.locator(f"#snippet-{key}").inner_text()
        for key in ("pypirc", "twine", "uv-env", "pip-conf")
    }
    env = tiny_dists.env

    # twine: ~/.pypirc as shown, then the command as shown, from a project directory.
    (tiny_dists.home / ".pypirc").write_text(snippet["pypirc"] + "\n")
    project = tmp_path / "project"
    (project / "dist").mkdir(parents=True)
    for dist in tiny_dists.by_version["0.1"]:
        shutil.copy(dist, project / "dist")
    shell(snippet["twine"], cwd=project, env=env)
    assert Release.objects.filter(version="0.1", project__normalized_name="lifeline-tiny").exists()

    # uv: the environment lines and `uv publish`, as shown.
    shutil.rmtree(project / "dist")
    (project / "dist").mkdir()
    for dist in tiny_dists.by_version["0.2"]:
        shutil.copy(dist, project / "dist")
    shell(snippet["uv-env"], cwd=project, env=env)
    assert Release.objects.filter(version="0.2", project__normalized_name="lifeline-tiny").exists()

    # pip: pip.conf as shown finds the project on this index.
    conf = tmp_path / "pip.conf"
    conf.write_text(snippet["pip-conf"] + "\n")
    shell(
        "pip download --no-deps --dest downloaded lifeline-tiny==0.2",
        cwd=tmp_path,
        env={**env, "PIP_CONFIG_FILE": str(conf)},
    )
    assert [p.name for p in (tmp_path / "downloaded").iterdir()]
