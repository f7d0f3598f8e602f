"""Validate an upload's form fields and filename with ``packaging``, as PyPI does.

Every check raises ``UploadError`` with a message a person can act on; nothing here may
raise anything else on bad input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.http import QueryDict
from packaging.metadata import ExceptionGroup, InvalidMetadata, Metadata, RawMetadata
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from lifeline.index.errors import UploadError

HELP = "See the upload documentation for more information."
NAME_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
# Letters, digits and . _ + - only: no path separators, no spaces, no control characters.
FILENAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
SUPPORTED_METADATA_VERSIONS = {"1.0", "1.1", "1.2", "2.0", "2.1", "2.2", "2.3", "2.4", "2.5"}
MAX_FIELD = 10_000


@dataclass
class UploadRequest:
    """The validated fields of one upload."""

    name: str
    version: str
    canonical_version: str
    filename: str
    packagetype: str
    python_version: str
    metadata_version: str
    summary: str = ""
    description: str = ""
    description_content_type: str = ""
    home_page: str = ""
    project_urls: dict[str, str] = field(default_factory=dict)
    author: str = ""
    author_email: str = ""
    maintainer: str = ""
    maintainer_email: str = ""
    license: str = ""
    keywords: str = ""
    classifiers: list[str] = field(default_factory=list)
    requires_python: str = ""
    requires_dist: list[str] = field(default_factory=list)
    sha256_digest: str = ""
    blake2_256_digest: str = ""
    md5_digest: str = ""

    @property
    def normalized_name(self) -> str:
        return canonicalize_name(self.name)


def _one(data: QueryDict, key: str, limit: int = MAX_FIELD) -> str:
    value = data.get(key, "") or ""
    if "\x00" in value:
        raise UploadError(f"Invalid value for {key}: NUL characters are not allowed. {HELP}")
    if len(value) > limit:
        raise UploadError(f"Invalid value for {key}: longer than {limit} characters. {HELP}")
    return value.strip()


def _many(data: QueryDict, key: str) -> list[str]:
    return [v.strip() for v in data.getlist(key) if v and v.strip()][:1000]


def _http_url(value: str, what: str) -> str:
    """Only http(s) URLs: they are shown as links and used as recovery evidence."""
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. "http://[::1" (an unclosed IPv6 literal)
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise UploadError(f"Invalid value for {what}: {value!r} is not an http(s) URL. {HELP}")
    return value


def parse_upload_fields(data: QueryDict) -> UploadRequest:
    """Check the protocol fields and the metadata; return the cleaned request."""
    if data.get(":action") != "file_upload":
        raise UploadError(f"Invalid value for :action: use 'file_upload'. {HELP}")
    if data.get("protocol_version", "1") != "1":
        raise UploadError(f"Unknown protocol version. {HELP}")

    metadata_version = _one(data, "metadata_version", 10)
    if metadata_version not in SUPPORTED_METADATA_VERSIONS:
        raise UploadError(
            f"'{metadata_version}' is an invalid value for Metadata-Version. "
            f"Error: Use a known metadata version. {HELP}"
        )
    name = _one(data, "name", 200)
    if not NAME_RE.match(name):
        raise UploadError(
            f"'{name}' is an invalid value for Name. Error: Start and end with a letter or "
            f"numeral containing only ASCII numeric and '.', '_' and '-'. {HELP}"
        )
    raw_version = _one(data, "version", 100)
    try:
        version = Version(raw_version)
    except InvalidVersion:
        raise UploadError(
            f"'{raw_version}' is an invalid value for Version. Error: Use PEP 440 versioning. "
            f"{HELP}"
        ) from None
    if version.local is not None:
        raise UploadError(
            f"'{raw_version}' is an invalid value for Version. Error: Can't use PEP 440 "
            f"local versions. {HELP}"
        )
    requires_python = _one(data, "requires_python", 200)
    if requires_python:
        try:
            SpecifierSet(requires_python)
        except InvalidSpecifier:
            raise UploadError(
                f"'{requires_python}' is an invalid value for Requires-Python. "
                f"Error: Use a valid PEP 440 specifier. {HELP}"
            ) from None
    requires_dist = _many(data, "requires_dist")
    for requirement in requires_dist:
        try:
            Requirement(requirement)
        except InvalidRequirement:
            raise UploadError(
                f"'{requirement}' is an invalid value for Requires-Dist. {HELP}"
            ) from None
    summary = _one(data, "summary", 512)
    if "\n" in summary or "\r" in summary:
        raise UploadError(f"'summary' must be a single line. {HELP}")
    home_page = _one(data, "home_page", 500)
    if home_page:
        _http_url(home_page, "Home-page")
    project_urls: dict[str, str] = {}
    for entry in _many(data, "project_urls"):
        label, sep, url = entry.partition(",")
        label, url = label.strip(), url.strip()
        if not sep or not label or len(label) > 32:
            raise UploadError(
                f"'{entry}' is an invalid value for Project-URL. Error: use 'Label, URL' with a "
                f"label of at most 32 characters. {HELP}"
            )
        project_urls[label] = _http_url(url, "Project-URL")

    request = UploadRequest(
        name=name,
        version=raw_version,
        canonical_version=str(version),
        filename="",
        packagetype=_one(data, "filetype", 20),
        python_version=_one(data, "pyversion", 100),
        metadata_version=metadata_version,
        summary=summary,
        description=_one(data, "description", 2_000_000),
        description_content_type=_one(data, "description_content_type", 200),
        home_page=home_page,
        project_urls=project_urls,
        author=_one(data, "author", 500),
        author_email=_one(data, "author_email", 500),
        maintainer=_one(data, "maintainer", 500),
        maintainer_email=_one(data, "maintainer_email", 500),
        license=_one(data, "license", 500)[:500],
        keywords=_one(data, "keywords", 1000),
        classifiers=_many(data, "classifiers"),
        requires_python=requires_python,
        requires_dist=requires_dist,
        sha256_digest=_one(data, "sha256_digest", 64).lower(),
        blake2_256_digest=_one(data, "blake2_256_digest", 64).lower(),
        md5_digest=_one(data, "md5_digest", 32).lower(),
    )
    _check_with_packaging(request)
    return request


def _check_with_packaging(request: UploadRequest) -> None:
    """A last pass through ``packaging.metadata`` for the core fields."""
    raw: RawMetadata = {
        # packaging doesn't list the never-finalised 2.0; validate such files as 2.1.
        "metadata_version": "2.1"
        if request.metadata_version == "2.0"
        else request.metadata_version,
        "name": request.name,
        "version": request.version,
    }
    if request.requires_python:
        raw["requires_python"] = request.requires_python
    if request.summary:
        raw["summary"] = request.summary
    try:
        Metadata.from_raw(raw, validate=True)
    except (InvalidMetadata, ExceptionGroup) as exc:
        errors = getattr(exc, "exceptions", [exc])
        raise UploadError(f"Invalid metadata: {errors[0]}. {HELP}") from None


def check_filename(request: UploadRequest, filename: str) -> str:
    """The filename must be plain, of a known type, and match the name and version."""
    if not filename or len(filename) > 255 or not FILENAME_RE.match(filename) or ".." in filename:
        raise UploadError(f"Invalid distribution file name: {filename[:100]!r}. {HELP}")
    try:
        if filename.endswith(".whl"):
            if request.packagetype != "bdist_wheel":
                raise UploadError(f"A .whl file must be uploaded with filetype bdist_wheel. {HELP}")
            file_name, file_version, _build, _tags = parse_wheel_filename(filename)
        elif filename.endswith(".tar.gz"):
            if request.packagetype != "sdist":
                raise UploadError(f"A .tar.gz file must be uploaded with filetype sdist. {HELP}")
            file_name, file_version = parse_sdist_filename(filename)
        else:
            raise UploadError(f"Invalid file extension: Use .tar.gz or .whl. {HELP}")
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion) as exc:
        raise UploadError(f"Invalid distribution file name: {exc}. {HELP}") from None
    if file_name != request.normalized_name or file_version != Version(request.version):
        raise UploadError(
            f"The filename {filename!r} does not match the name {request.name!r} and version "
            f"{request.version!r} in the metadata. {HELP}"
        )
    return filename


def check_digests(request: UploadRequest, computed: dict[str, str]) -> None:
    """At least one strong digest is required, and every digest given must match."""
    if not request.sha256_digest and not request.blake2_256_digest:
        raise UploadError(f"Include at least one message digest (sha256 or blake2_256). {HELP}")
    for key in ("sha256_digest", "blake2_256_digest", "md5_digest"):
        given = getattr(request, key)
        if given and given != computed[key]:
            raise UploadError(
                "The digest supplied does not match a digest calculated from the uploaded "
                f"file ({key}). {HELP}"
            )
