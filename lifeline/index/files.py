"""Where distribution files live in storage, and how core metadata is pulled from wheels."""

from __future__ import annotations

import zipfile
from email.errors import MessageError

from django.core.files.storage import Storage, storages
from packaging.metadata import parse_email
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from lifeline.index.errors import UploadError

# A METADATA file bigger than this is refused: it is read into memory (zip-bomb guard).
MAX_METADATA_BYTES = 4 * 1024 * 1024


def storage() -> Storage:
    return storages["default"]


def storage_path(*, blake2_256: str, filename: str) -> str:
    """A stable, content-addressed path, as PyPI's: ``ab/cd/<60 hex>/<filename>``."""
    return f"{blake2_256[:2]}/{blake2_256[2:4]}/{blake2_256[4:]}/{filename}"


def extract_wheel_metadata(path: str, *, name: str, version: str) -> bytes:
    """Return the wheel's ``*.dist-info/METADATA``, after checking it matches the upload.

    The zip's central directory is read from the file on disk, so the wheel is never loaded
    into memory; only the (size-checked) METADATA member is.
    """
    try:
        with zipfile.ZipFile(path) as wheel:
            candidates = [
                info
                for info in wheel.infolist()
                if info.filename.count("/") == 1 and info.filename.endswith(".dist-info/METADATA")
            ]
            expected = canonicalize_name(name)
            matching = [
                info
                for info in candidates
                if canonicalize_name(
                    info.filename.split("/")[0][: -len(".dist-info")].split("-")[0]
                )
                == expected
            ]
            if len(matching) != 1:
                raise UploadError(
                    "Invalid wheel: it must contain exactly one <name>-<version>.dist-info/"
                    "METADATA for this project."
                )
            info = matching[0]
            if info.file_size > MAX_METADATA_BYTES:
                raise UploadError("Invalid wheel: its METADATA file is too large.")
            data = wheel.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise UploadError(
            f"Invalid wheel: not a readable zip file ({type(exc).__name__})."
        ) from None
    try:
        raw, _unparsed = parse_email(data)
    except (MessageError, ValueError, UnicodeDecodeError):
        raise UploadError("Invalid wheel: its METADATA cannot be parsed.") from None
    try:
        same_version = Version(str(raw.get("version", ""))) == Version(version)
    except InvalidVersion:
        same_version = False
    if canonicalize_name(str(raw.get("name", ""))) != canonicalize_name(name) or not same_version:
        raise UploadError(
            "Invalid wheel: the name or version in its METADATA does not match the upload."
        )
    return data


def looks_like_sdist(path: str) -> bool:
    """A .tar.gz must at least be gzip data (checked on the first two bytes only)."""
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"
