"""The commands and snippets the pages show work pasted as shown: absolute URLs only."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from tests.e2e.html_text import assert_reads_cleanly
from tests.index.helpers import upload

BASE = "http://index.example:8201"
# A command or setting whose URL is a bare path: fails when pasted into a terminal.
RELATIVE = re.compile(r"(--repository-url|--index-url|--publish-url|=)\s*\"?/(legacy|simple)/")


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.LIFELINE_BASE_URL = BASE


def snippets(body: str) -> dict[str, str]:
    found = re.findall(r'<pre class="code-block" id="([^"]+)">(.*?)</pre>', body, re.S)
    return {key: html_lib.unescape(text) for key, text in found}


def test_token_list_shows_absolute_tool_configuration(owner_client):
    body = owner_client.get("/account/tokens/").content.decode()
    assert_reads_cleanly(body)
    shown = snippets(body)
    assert f"repository = {BASE}/legacy/" in shown["snippet-pypirc"]
    assert "username = __token__" in shown["snippet-pypirc"]
    assert shown["snippet-twine"] == "twine upload --repository lifeline dist/*"
    assert f"export UV_PUBLISH_URL={BASE}/legacy/" in shown["snippet-uv-env"]
    assert f'publish-url = "{BASE}/legacy/"' in shown["snippet-uv-index"]
    assert shown["snippet-pip-conf"] == f"[global]\nindex-url = {BASE}/simple/"
    assert shown["snippet-pip-env"] == f"export PIP_INDEX_URL={BASE}/simple/"
    assert shown["snippet-pip-install"].startswith(f"pip install --index-url {BASE}/simple/ ")
    assert not RELATIVE.search(html_lib.unescape(body))
    # Every snippet has its copy button (shown by copy.js, which the page loads).
    for key in shown:
        assert f'data-copy="{key}"' in body
    assert "/static/lifeline/copy.js" in body


def test_created_token_fills_in_the_snippets(owner_client):
    response = owner_client.post(
        "/account/tokens/new/", {"name": "laptop", "scope": "all", "expires": ""}
    )
    body = response.content.decode()
    raw = re.search(r'id="raw-token">([^<]+)<', body).group(1).strip()
    shown = snippets(body)
    assert f"password = {raw}" in shown["snippet-pypirc"]
    assert f"export UV_PUBLISH_TOKEN={raw}" in shown["snippet-uv-env"]
    assert shown["snippet-twine-once"] == (
        f"twine upload --repository-url {BASE}/legacy/ -u __token__ -p {raw} dist/*"
    )
    assert not RELATIVE.search(html_lib.unescape(body))
    assert 'data-copy="raw-token"' in body


def test_project_page_install_command_is_absolute(owner_client, owner):
    from tests.index.helpers import make_token

    assert upload(owner_client, make_token(owner), "demo", "1.0").status_code == 200
    body = html_lib.unescape(owner_client.get("/projects/demo/").content.decode())
    assert f"pip install --index-url {BASE}/simple/ demo" in body
    assert not RELATIVE.search(body)
