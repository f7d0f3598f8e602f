"""twine and uv publish upload; pip and uv install; all against a live Lifeline."""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core.signals import request_started

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.index.models import File, Project, Role
from tests.clients.conftest import BIN, PACKAGE, run
from tests.index.helpers import make_token, make_user_with_2fa

pytestmark = [pytest.mark.clients, pytest.mark.django_db(transaction=True)]


def _get(url: str, accept: str | None = None, **headers: str) -> tuple[int, dict[str, str], bytes]:
    if accept:
        headers["Accept"] = accept
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, dict(response.headers), response.read()


def _twine(dists: list[Path], url: str, token: str, env, *, check: bool = True):
    return run(
        [
            str(BIN / "twine"),
            "upload",
            "--non-interactive",
            "--disable-progress-bar",
            "--repository-url",
            f"{url}/legacy/",
            "-u",
            "__token__",
            "-p",
            token,
            *map(str, dists),
        ],
        env,
        check=check,
    )


def test_twine_uv_publish_pip_and_uv_install(live_index, tiny_dists, server_log, tmp_path):
    url, env = live_index, tiny_dists.env
    owner = make_user_with_2fa(username="alice")
    token = make_token(owner, name="ci")

    # 1. twine uploads 0.1 (sdist and wheel): the project is created, alice owns it.
    _twine(tiny_dists.by_version["0.1"], url, token, env)
    project = Project.objects.get(normalized_name=PACKAGE)
    assert Role.objects.get(project=project).user == owner
    assert File.objects.filter(release__project=project).count() == 2
    assert SecurityEvent.objects.filter(tag=EventTag.PROJECT_CREATE, project=project.name).exists()

    # 2. uv publish uploads 0.2 with the same token.
    run(
        [
            str(BIN / "uv"),
            "publish",
            "--publish-url",
            f"{url}/legacy/",
            "-u",
            "__token__",
            "-p",
            token,
            "--trusted-publishing",
            "never",
            "--no-cache",
            *map(str, tiny_dists.by_version["0.2"]),
        ],
        env,
    )
    assert File.objects.filter(release__project=project).count() == 4

    # 3. twine: a duplicate file is refused with PyPI's message; a password is refused.
    again = _twine(tiny_dists.by_version["0.1"][:1], url, token, env, check=False)
    assert again.returncode != 0
    assert "File already exists" in again.stdout + again.stderr
    password = run(
        [
            str(BIN / "twine"),
            "upload",
            "--non-interactive",
            "--disable-progress-bar",
            "--repository-url",
            f"{url}/legacy/",
            "-u",
            "alice",
            "-p",
            "hunter2-password",
            str(tiny_dists.by_version["0.1"][0]),
        ],
        env,
        check=False,
    )
    assert password.returncode != 0
    assert "Username/Password authentication is not supported" in password.stdout + password.stderr

    # 4. The simple API, both formats, against PEP 503/691/658/700/714.
    _status, headers, body = _get(f"{url}/simple/{PACKAGE}/", "application/vnd.pypi.simple.v1+json")
    assert headers["Content-Type"] == "application/vnd.pypi.simple.v1+json"
    document = json.loads(body)
    assert document["meta"]["api-version"] == "1.1"
    assert document["name"] == PACKAGE and document["versions"] == ["0.1", "0.2"]
    wheel = next(f for f in document["files"] if f["filename"].endswith("0.1-py3-none-any.whl"))
    _s, _h, wheel_bytes = _get(url + wheel["url"])
    assert hashlib.sha256(wheel_bytes).hexdigest() == wheel["hashes"]["sha256"]
    assert wheel["size"] == len(wheel_bytes) and wheel["requires-python"] == ">=3.8"
    _s, _h, metadata = _get(url + wheel["url"] + ".metadata")
    assert hashlib.sha256(metadata).hexdigest() == wheel["core-metadata"]["sha256"]
    assert wheel["dist-info-metadata"] == wheel["core-metadata"]
    assert wheel["upload-time"].endswith("Z") and wheel["yanked"] is False
    _s, html_headers, html = _get(f"{url}/simple/{PACKAGE}/", "text/html")
    assert html_headers["Content-Type"].startswith("text/html")
    assert b'<meta name="pypi:repository-version" content="1.1">' in html
    assert f'#sha256={wheel["hashes"]["sha256"]}"'.encode() in html
    assert f'data-core-metadata="sha256={wheel["core-metadata"]["sha256"]}"'.encode() in html
    assert b'data-requires-python="&gt;=3.8"' in html

    # 4b. The JSON API (curl-like GET) describes what was uploaded, in PyPI's shape.
    _s, json_headers, body = _get(f"{url}/pypi/{PACKAGE}/json")
    assert json_headers["Content-Type"] == "application/json"
    described = json.loads(body)
    assert described["info"]["version"] == "0.2" and list(described["releases"]) == ["0.1", "0.2"]
    uploaded = File.objects.filter(release__project=project, release__version="0.2")
    assert {(f["filename"], f["digests"]["sha256"]) for f in described["urls"]} == {
        (f.filename, f.sha256_digest) for f in uploaded
    }
    assert all(f["url"].startswith(f"{url}/files/") for f in described["urls"])

    # 5. pip installs 0.1 and resolves it through the PEP 658 metadata file; it asks for
    # gzip (its default), and the simple page it parses comes gzip-compressed.
    server_log.clear()
    encodings: list[str] = []

    def record_encoding(sender, environ, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if environ.get("PATH_INFO") == f"/simple/{PACKAGE}/":
            encodings.append(environ.get("HTTP_ACCEPT_ENCODING", ""))

    request_started.connect(record_encoding, dispatch_uid="clients-accept-encoding")
    target = tmp_path / "pip-target"
    try:
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--no-cache-dir",
                "--index-url",
                f"{url}/simple/",
                "--target",
                str(target),
                "--only-binary",
                ":all:",
                f"{PACKAGE}==0.1",
            ],
            env,
        )
    finally:
        request_started.disconnect(dispatch_uid="clients-accept-encoding")
    assert (target / "tiny_lifeline_pkg" / "__init__.py").exists()
    assert encodings and all("gzip" in e for e in encodings), encodings
    _s, gz_headers, gz_body = _get(
        f"{url}/simple/{PACKAGE}/", "text/html", **{"Accept-Encoding": encodings[0]}
    )
    assert gz_headers["Content-Encoding"] == "gzip"
    assert b"lifeline_tiny-0.1" in gzip.decompress(gz_body).lower()
    assert any(r.path.endswith("-0.1-py3-none-any.whl.metadata") for r in server_log), [
        r.path for r in server_log
    ]

    # 6. uv installs the latest (0.2) through the JSON API.
    server_log.clear()
    uv_target = tmp_path / "uv-target"
    run(
        [
            str(BIN / "uv"),
            "pip",
            "install",
            "--no-cache",
            "--index-url",
            f"{url}/simple/",
            "--target",
            str(uv_target),
            "--python",
            sys.executable,
            PACKAGE,
        ],
        env,
    )
    assert any(p.name.startswith("lifeline_tiny-0.2") for p in uv_target.iterdir())
    simple_hits = [r for r in server_log if r.path == f"/simple/{PACKAGE}/"]
    assert simple_hits and "application/vnd.pypi.simple.v1+json" in simple_hits[0].accept

    # The token's use was recorded (time and IP) and logged as an event.
    owner.refresh_from_db()
    used = owner.api_tokens.get()
    assert used.last_used_at is not None and used.last_used_ip in ("127.0.0.1", "::1")
    assert SecurityEvent.objects.filter(tag=EventTag.TOKEN_USE, user=owner).exists()
