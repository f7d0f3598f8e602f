"""Building blocks for index tests: 2FA users, tokens, in-memory distributions, uploads."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import time
import zipfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from lifeline.accounts.mfa.status import has_2fa
from lifeline.tokens.services import token_create
from tests.factories import UserFactory
from tests.fixtures_mfa import make_2fa_account


def give_2fa(user: Any) -> Any:
    """An authenticator app and confirmed recovery codes: 2FA set-up complete."""
    make_2fa_account(user)
    assert has_2fa(user), "helper must produce a user that passes has_2fa()"
    return user


def make_user_with_2fa(**kwargs: Any) -> Any:
    return give_2fa(UserFactory(**kwargs))


def make_token(user: Any, **kwargs: Any) -> str:
    _token, raw = token_create(user=user, name=kwargs.pop("name", "test"), **kwargs)
    return raw


def basic(raw: str, username: str = "__token__") -> str:
    return "Basic " + base64.b64encode(f"{username}:{raw}".encode()).decode()


def metadata_text(name: str, version: str, **extra: str) -> str:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {version}",
        "Summary: A tiny test package",
        "Requires-Python: >=3.8",
        "Project-URL: Source, https://example.com/src",
    ]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n\nLong description.\n"


def make_wheel(name: str, version: str, *, metadata: str | None = None) -> bytes:
    dist = f"{name.replace('-', '_')}-{version}.dist-info"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as wheel:
        wheel.writestr(f"{name.replace('-', '_')}/__init__.py", "VALUE = 1\n")
        wheel.writestr(f"{dist}/METADATA", metadata or metadata_text(name, version))
        wheel.writestr(
            f"{dist}/WHEEL",
            "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        wheel.writestr(f"{dist}/RECORD", "")
    return buffer.getvalue()


def make_sdist(name: str, version: str) -> bytes:
    buffer = io.BytesIO()
    base = f"{name.replace('-', '_')}-{version}"
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        data = metadata_text(name, version).encode()
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size, info.mtime = len(data), int(time.time())
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def wheel_filename(name: str, version: str) -> str:
    return f"{name.replace('-', '_')}-{version}-py3-none-any.whl"


def upload_fields(
    name: str, version: str, content: bytes, filename: str, /, **overrides: Any
) -> dict[str, Any]:
    """The form twine sends, with digests of ``content``."""
    filetype = "bdist_wheel" if filename.endswith(".whl") else "sdist"
    fields: dict[str, Any] = {
        ":action": "file_upload",
        "protocol_version": "1",
        "metadata_version": "2.1",
        "name": name,
        "version": version,
        "filetype": filetype,
        "pyversion": "py3" if filetype == "bdist_wheel" else "source",
        "summary": "A tiny test package",
        "requires_python": ">=3.8",
        "project_urls": ["Source, https://example.com/src"],
        "home_page": "https://example.com/",
        "author_email": "Author <author@example.com>",
        "md5_digest": hashlib.md5(content).hexdigest(),
        "sha256_digest": hashlib.sha256(content).hexdigest(),
        "blake2_256_digest": hashlib.blake2b(content, digest_size=32).hexdigest(),
        "content": SimpleUploadedFile(filename, content, "application/octet-stream"),
    }
    for key, value in overrides.items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    return fields


def upload(client: Any, raw_token: str, name: str, version: str, /, **kwargs: Any) -> Any:
    """Upload a wheel (or ``kind="sdist"``) of name/version; returns the response.

    Keyword arguments override form fields (``None`` drops one).
    """
    kind = kwargs.pop("kind", "wheel")
    content = kwargs.pop("content", None)
    if content is None:
        content = make_wheel(name, version) if kind == "wheel" else make_sdist(name, version)
    filename = kwargs.pop("filename", None) or (
        wheel_filename(name, version)
        if kind == "wheel"
        else f"{name.replace('-', '_')}-{version}.tar.gz"
    )
    auth = kwargs.pop("auth", None) or basic(raw_token)
    fields = upload_fields(name, version, content, filename, **kwargs)
    return client.post("/legacy/", fields, HTTP_AUTHORIZATION=auth)


def raw_multipart(fields: dict[str, Any], boundary: str = "lifelineboundary") -> bytes:
    """Encode a form by hand, so a test can send a filename no well-behaved client would."""
    out = []
    for key, value in fields.items():
        if isinstance(value, SimpleUploadedFile):
            value.seek(0)
            value = (value.name, value.read())
        if isinstance(value, tuple):  # (filename, bytes), the filename sent verbatim
            out.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; '
                f'filename="{value[0]}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + value[1]
                + b"\r\n"
            )
            continue
        for item in value if isinstance(value, list) else [value]:
            out.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                f"{item}\r\n".encode()
            )
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)
