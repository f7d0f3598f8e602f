"""``POST /legacy/``: PyPI's upload API, for twine and ``uv publish``.

Authentication is HTTP Basic with the user name ``__token__`` and an API token as password,
never a session: the view is CSRF-exempt because a cookie can't authenticate it. Answers are
plain text with the message also in the HTTP reason phrase, which is what twine and uv print.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from lifeline.core import ratelimit
from lifeline.core.client import request_client
from lifeline.index.errors import UploadError
from lifeline.index.upload.credentials import (
    CredentialRefused,
    UploadCredential,
    authenticate_upload,
)
from lifeline.index.upload.handlers import CONTENT_FIELD, HashingTemporaryFileUploadHandler
from lifeline.index.upload.service import file_upload
from lifeline.index.upload.validation import parse_upload_fields

logger = logging.getLogger(__name__)
TOKEN_USERNAME = "__token__"  # noqa: S105 - the fixed user name for token auth


class StrictMultiPartParser(MultiPartParser):
    """Django's parser, but a filename it would have to rewrite is remembered and refused.

    Django already reduces ``../x.whl`` to ``x.whl``; we go further and refuse, so a client
    that sent a path learns it did something wrong instead of seeing a different name stored.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.altered_names: list[str] = []

    def sanitize_file_name(self, file_name: str) -> str | None:
        clean = super().sanitize_file_name(file_name)
        if clean != file_name:
            self.altered_names.append(file_name)
        return clean


# C0 and C1 control characters: refused in an HTTP status line (Django raises
# BadHeaderError), and never wanted in a terminal that prints the answer.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def plain(message: str, status: int) -> HttpResponse:
    """A PyPI-style refusal: the message as body and as reason phrase (latin-1, one line).

    Messages echo what the client sent (a name, a version, a file name), so any control
    character is replaced with ``?`` in both: a hostile value can't break the status line.
    """
    message = _CONTROL.sub("?", " ".join(message.split()))
    reason = _CONTROL.sub("?", message.encode("latin-1", "replace").decode("latin-1"))[:500]
    response = HttpResponse(
        f"{status} {message}\n", status=status, content_type="text/plain; charset=utf-8"
    )
    response.reason_phrase = reason
    return response


def _base() -> str:
    return settings.LIFELINE_BASE_URL


def _authenticate(request: HttpRequest, ip: str | None) -> UploadCredential:
    """The active API token from the Basic credentials (its use recorded), or an ``UploadError``.

    A user name other than ``__token__`` is refused without checking the password, so this
    endpoint can never be used to guess passwords. A well-formed token whose hash matches
    but is revoked or expired gets a precise message: only its holder can trigger it.
    """
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    create_at = f"{_base()}{reverse('token_list')}"

    def invalid(reason: str = "") -> UploadError:
        return UploadError(
            f"Invalid or non-existent authentication information{reason}. Upload with the "
            f"user name __token__ and an API token as the password; create one at {create_at}.",
            403,
        )

    if scheme.lower() != "basic" or not encoded:
        raise invalid()
    try:
        raw = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):  # not base64, or not ASCII at all
        raise invalid(": the Basic credentials are not valid base64") from None
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid(": the Basic credentials are not UTF-8 text") from None
    username, sep, password = decoded.partition(":")
    if not sep:
        raise invalid()
    if username != TOKEN_USERNAME:
        raise UploadError(
            "Username/Password authentication is not supported. Upload with an API token: "
            f"user name __token__ and the token as the password. Create one at {_base()}"
            f"{reverse('token_list')}.",
            403,
        )
    try:
        token = authenticate_upload(password, ip=ip)
    except CredentialRefused as refused:
        raise UploadError(refused.message, 403) from None
    if token is None:
        raise invalid()
    return token


def _too_large_message() -> str:
    limit_mb = settings.LIFELINE_UPLOAD_MAX_BYTES / (1024 * 1024)
    return f"File too large. The limit is {limit_mb:g} MiB per file."


@csrf_exempt
def legacy_upload(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return plain("Use POST with multipart/form-data to upload.", 405)
    try:
        return _upload(request)
    except UploadError as exc:
        return plain(exc.message, exc.status)


def _upload(request: HttpRequest) -> HttpResponse:
    max_bytes: int = settings.LIFELINE_UPLOAD_MAX_BYTES
    try:
        content_length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise UploadError("Invalid Content-Length.") from None
    # Refuse before reading the body when it can't fit (the form fields get their own
    # DATA_UPLOAD_MAX_MEMORY_SIZE allowance on top of the file limit).
    if content_length > max_bytes + settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 65536:
        raise UploadError(_too_large_message(), 413)
    if not request.content_type.startswith("multipart/form-data"):
        raise UploadError("Use multipart/form-data to upload (PyPI's upload API).")

    ip = request_client(request).ip
    spec = settings.LIFELINE_UPLOAD_AUTH_FAILURES
    verdict = ratelimit.check("upload:auth-failure", ip or "", spec, consume=False)
    if not verdict.allowed:
        raise UploadError(
            "Too many failed authentication attempts from your address. Try again in "
            f"{ratelimit.humanize_wait(verdict.retry_after)}.",
            429,
        )
    try:
        token = _authenticate(request, ip)
    except UploadError:
        ratelimit.check("upload:auth-failure", ip or "", spec)  # count the failure
        raise

    handler = HashingTemporaryFileUploadHandler(request, max_bytes=max_bytes)
    parser = StrictMultiPartParser(request.META, request, [handler], request.encoding)
    try:
        data, uploaded = parser.parse()
    except (RequestDataTooBig, TooManyFieldsSent):
        raise UploadError("Too much form data: the metadata fields are too large.") from None
    except (MultiPartParserError, SuspiciousOperation, UnicodeDecodeError) as exc:
        raise UploadError(f"Malformed multipart body ({type(exc).__name__}).") from None
    finally:
        _close_unfinished(handler)
    try:
        return _store(token, data, uploaded, parser, handler)
    finally:
        # Every temporary file the body produced is deleted on the way out, stored or not.
        for _field, parts in uploaded.lists():
            for part in parts:
                part.close()


def _close_unfinished(handler: HashingTemporaryFileUploadHandler) -> None:
    """A file part the parser left half-written (a malformed body) is deleted now."""
    unfinished = getattr(handler, "file", None)
    if unfinished is not None:
        unfinished.close()


def _store(
    token: UploadCredential,
    data: Any,
    uploaded: Any,
    parser: StrictMultiPartParser,
    handler: HashingTemporaryFileUploadHandler,
) -> HttpResponse:
    if parser.altered_names:
        name = parser.altered_names[0].encode("ascii", "backslashreplace").decode()[:100]
        raise UploadError(
            f"Invalid distribution file name: {name!r} (paths and special characters are not "
            "allowed)."
        )
    if handler.too_large:
        raise UploadError(_too_large_message(), 413)
    if len(uploaded.getlist(CONTENT_FIELD)) > 1:
        raise UploadError("Upload payload has more than one file (send one 'content' part).")
    upload_request = parse_upload_fields(data)
    content = uploaded.get(CONTENT_FIELD)
    if content is None or not hasattr(content, "sha256_digest"):
        raise UploadError("Upload payload does not have a file.")
    file = file_upload(user=token.user, token=token, request=upload_request, content=content)
    logger.info("uploaded %s by %s", file.filename, token.user.username)
    return plain("OK", 200)
