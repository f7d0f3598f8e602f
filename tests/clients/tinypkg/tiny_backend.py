"""A minimal in-tree PEP 517 build backend for the client tests' tiny package.

It needs nothing but the standard library, so ``python -m build --no-isolation`` works on a
machine without setuptools and without network access. It writes a standard wheel
(METADATA, WHEEL, RECORD with hashes) and a PEP 625 sdist (PKG-INFO at the top).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import time
import tomllib
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
PACKAGE_DIR = "tiny_lifeline_pkg"


def _project() -> dict:
    return tomllib.loads((HERE / "pyproject.toml").read_text())["project"]


def _metadata() -> str:
    project = _project()
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {project['version']}",
        f"Summary: {project.get('description', '')}",
        f"Requires-Python: {project.get('requires-python', '>=3.8')}",
    ]
    for label, url in project.get("urls", {}).items():
        lines.append(f"Project-URL: {label}, {url}")
    return "\n".join(lines) + "\n\nA tiny package used by Lifeline's client tests.\n"


def _dist_name() -> str:
    project = _project()
    return f"{project['name'].replace('-', '_').lower()}-{project['version']}"


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    base = _dist_name()
    filename = f"{base}-py3-none-any.whl"
    files: dict[str, bytes] = {}
    for source in sorted((HERE / PACKAGE_DIR).glob("*.py")):
        files[f"{PACKAGE_DIR}/{source.name}"] = source.read_bytes()
    files[f"{base}.dist-info/METADATA"] = _metadata().encode()
    files[f"{base}.dist-info/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: tiny_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = [_record_line(path, data) for path, data in files.items()]
    record.append(f"{base}.dist-info/RECORD,,")
    files[f"{base}.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files.items():
            zf.writestr(path, data)
    return filename


def build_sdist(sdist_directory, config_settings=None):
    base = _dist_name()
    filename = f"{base}.tar.gz"
    members = {"PKG-INFO": _metadata().encode()}
    for path in [
        "pyproject.toml",
        "tiny_backend.py",
        *sorted(f"{PACKAGE_DIR}/{p.name}" for p in (HERE / PACKAGE_DIR).glob("*.py")),
    ]:
        members[path] = (HERE / path).read_bytes()
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as tar:
        for path, data in members.items():
            info = tarfile.TarInfo(f"{base}/{path}")
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
            tar.addfile(info, io.BytesIO(data))
    return filename
