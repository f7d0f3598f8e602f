"""The scale-out smoke journey, over plain HTTP against a running deployment (.ci/smoke).

sign up → verify the address (link from the SMTP sink) → sign in → TOTP + confirm saved
recovery codes → create an API token → twine upload → pip install from /simple/ → metrics.

Standard library only (plus pyotp, twine and pip from the venv), so it drives the
deployment exactly as an outside client would.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import http.cookiejar
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from email import message_from_bytes, policy
from pathlib import Path

import pyotp

PASSWORD = "smoke-Test-horse-battery-9"


def step(message: str) -> None:
    print(f"--- {message}", flush=True)


class _AllowSecureOverHttp(http.cookiejar.DefaultCookiePolicy):
    """Production cookies are Secure; this test talks plain HTTP to localhost behind no TLS."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return True


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar(policy=_AllowSecureOverHttp())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        self.url = self.base + "/"

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        """GET or POST ``path``; follow redirects by hand. Returns (status, final path, body)."""
        url = urllib.parse.urljoin(self.url, path)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        for _ in range(10):
            request = urllib.request.Request(url, data=body)
            request.add_header("Referer", self.url)
            try:
                response = self.opener.open(request, timeout=30)
                status, text = response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                status, text = error.code, error.read().decode()
                if status in (301, 302, 303, 307, 308):
                    # Production answers with https:// links; stay on this plain-HTTP port.
                    location = urllib.parse.urlsplit(error.headers["Location"])
                    url = urllib.parse.urljoin(url, location.path + "?" + location.query)
                    url = url.rstrip("?")
                    body = None
                    continue
            self.url = url
            parts = urllib.parse.urlsplit(url)
            return status, parts.path + (f"?{parts.query}" if parts.query else ""), text
        raise AssertionError(f"too many redirects from {path}")

    def form(self, path: str, fields: dict[str, str], *, page: str | None = None) -> tuple:
        """Fetch ``path`` (unless its HTML is given), then post ``fields`` with its CSRF token."""
        if page is None:
            status, _, page = self.request(path)
            assert status == 200, (path, status, page[:500])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, f"no CSRF token on {path}"
        return self.request(path, {"csrfmiddlewaretoken": token.group(1), **fields})


def wait_for_email(mail_dir: Path, to: str, needle: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml")):
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            body = message.get_body(("plain",)).get_content()
            if to in str(message["To"]) and needle in body:
                return body
        time.sleep(0.5)
    raise AssertionError(f"no email to {to} containing {needle!r} within {seconds}s")


def build_wheel(directory: Path, name: str, version: str) -> Path:
    """A minimal, valid pure-Python wheel (PEP 427), built without any build backend."""
    module = name.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    files = {
        f"{module}/__init__.py": f'VERSION = "{version}"\n'.encode(),
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
            "Summary: Lifeline smoke-test package\n"
        ).encode(),
        f"{dist_info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: lifeline-smoke\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        ),
    }
    record = io.StringIO()
    for path, content in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=")
        record.write(f"{path},sha256={digest.decode()},{len(content)}\n")
    record.write(f"{dist_info}/RECORD,,\n")
    files[f"{dist_info}/RECORD"] = record.getvalue().encode()
    wheel = directory / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, content in files.items():
            zf.writestr(path, content)
    return wheel


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--mail-dir", required=True, type=Path)
    parser.add_argument("--metrics-token", default="")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    bindir = Path(sys.executable).parent
    suffix = uuid.uuid4().hex[:8]
    username, email = f"smoke{suffix}", f"smoke{suffix}@example.org"
    browser = Browser(base)

    step("sign up")
    status, path, page = browser.form(
        "/account/signup/",
        {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert status == 200 and "signup" not in path, (status, path, page[:2000])

    step("verify the address (email delivered by the RQ worker over SMTP)")
    body = wait_for_email(args.mail_dir, email, "/account/confirm-email/")
    link = re.search(r"https?://[^/\s]+(/account/confirm-email/[^\s]+/)", body)
    assert link, body
    status, path, page = browser.form(link.group(1), {})
    assert status == 200, (status, path)

    step("sign in")
    status, path, page = browser.form("/account/login/", {"login": username, "password": PASSWORD})
    assert status == 200 and "/login/" not in path, (status, path, page[:2000])

    step("two-factor: TOTP, then confirm the saved recovery codes")
    status, path, page = browser.request("/account/2fa/totp/activate/")
    if "/reauthenticate/" in path:  # sudo mode: confirm the password first
        browser.form(path, {"password": PASSWORD}, page=page)
        status, path, page = browser.request("/account/2fa/totp/activate/")
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page)
    assert secret, f"no TOTP setup key on {path}"
    code = pyotp.TOTP(secret.group(1)).now()
    status, path, page = browser.form("/account/2fa/totp/activate/", {"code": code}, page=page)
    assert status == 200, (status, path)
    if "recovery-codes" not in path:
        status, path, page = browser.request("/account/2fa/recovery-codes/")
    codes = [html.unescape(c) for c in re.findall(r"<li><code>([^<]+)</code></li>", page)]
    assert len(codes) == 10, (path, page[:3000])
    status, path, page = browser.form("/account/2fa/recovery-codes/confirm/", {"code": codes[0]})
    assert "two-factor authentication is set up" in page, (status, path, page[:3000])

    step("create an API token")
    status, path, page = browser.form(
        "/account/tokens/new/", {"name": "smoke", "scope": "all", "expires": ""}
    )
    if "/reauthenticate/" in path:
        browser.form(path, {"password": PASSWORD}, page=page)
        status, path, page = browser.form(
            "/account/tokens/new/", {"name": "smoke", "scope": "all", "expires": ""}
        )
    token = re.search(r"(llpi-[A-Za-z0-9_.\-]+)", page)
    assert status == 200 and token, (status, path, page[:3000])

    step("twine upload")
    work = Path(tempfile.mkdtemp(prefix="lifeline-smoke-drive-"))
    try:
        publish_and_install(base, bindir, work, suffix, token.group(1))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if args.metrics_token:
        check_metrics(base, args.metrics_token)
    step(f"smoke journey passed ({username})")


def publish_and_install(base: str, bindir: Path, work: Path, suffix: str, token: str) -> None:
    package = f"lifeline-smoke-{suffix}"
    wheel = build_wheel(work, package, "0.1.0")
    env = {**os.environ, "PIP_CONFIG_FILE": "/dev/null", "TWINE_NON_INTERACTIVE": "1"}
    subprocess.run(
        [
            str(bindir / "twine"), "upload", "--repository-url", f"{base}/legacy/",
            "-u", "__token__", "-p", token, "--disable-progress-bar", str(wheel),
        ],
        check=True, env=env, timeout=120,
    )  # fmt: skip

    step("pip install from /simple/")
    target = work / "site"
    subprocess.run(
        [
            str(bindir / "python"), "-m", "pip", "install", "--no-deps", "--no-cache-dir",
            "--disable-pip-version-check", "--index-url", f"{base}/simple/",
            "--target", str(target), package,
        ],
        check=True, env=env, timeout=180,
    )  # fmt: skip
    installed = subprocess.run(
        [sys.executable, "-c", f"import {package.replace('-', '_')} as m; print(m.VERSION)"],
        env={**env, "PYTHONPATH": str(target)}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert installed.stdout.strip() == "0.1.0", installed

    step(f"installed {package} 0.1.0 from /simple/")


def check_metrics(base: str, metrics_token: str) -> None:
    step("metrics, added up over the gunicorn workers")
    request = urllib.request.Request(
        f"{base}/metrics", headers={"Authorization": f"Bearer {metrics_token}"}
    )
    metrics = urllib.request.urlopen(request, timeout=30).read().decode()
    for name in ("lifeline_logins_total", "lifeline_uploads_total"):
        value = re.search(rf"^{name} (\S+)$", metrics, re.M)
        assert value and float(value.group(1)) >= 1, name
    sent = re.search(r'^lifeline_emails\{status="sent"\} (\S+)$', metrics, re.M)
    assert sent and float(sent.group(1)) >= 2, "emails were not sent by the worker"


if __name__ == "__main__":
    main()
