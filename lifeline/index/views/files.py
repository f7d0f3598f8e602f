"""``/files/<path>``: distribution files and their PEP 658 metadata, at stable URLs.

Paths are content-addressed (``ab/cd/<blake2>/<filename>``) and files never change, so they
are served with a year-long immutable cache and the SHA-256 as ETag, on the short middleware
path (no session, so no ``Vary: Cookie``). Only paths recorded in
the database are served: a request can never name an arbitrary storage key.
"""

from __future__ import annotations

import mimetypes

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseNotModified,
    HttpResponseRedirect,
)

from lifeline.index import files
from lifeline.index.models import File

IMMUTABLE = "public, max-age=31536000, immutable"
METADATA_SUFFIX = ".metadata"


def _content_type(filename: str) -> str:
    if filename.endswith(".whl"):
        return "application/zip"
    if filename.endswith(".tar.gz"):
        return "application/gzip"
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


def _not_found() -> HttpResponse:
    # Served on the short middleware path (index/simple/middleware.py): a plain answer, no
    # templated error page.
    return HttpResponse("404 Not Found\n", status=404, content_type="text/plain; charset=utf-8")


def serve_file(request: HttpRequest, path: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    is_metadata = path.endswith(METADATA_SUFFIX)
    file_path = path.removesuffix(METADATA_SUFFIX) if is_metadata else path
    file = (
        File.objects.filter(path=file_path)
        .only("path", "filename", "sha256_digest", "metadata_sha256")
        .first()
    )
    if file is None or (is_metadata and not file.metadata_sha256):
        return _not_found()
    stored = file.metadata_path if is_metadata else file.path
    digest = file.metadata_sha256 if is_metadata else file.sha256_digest
    etag = f'"{digest}"'
    if etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
        response: HttpResponse = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    store = files.storage()
    try:
        local_path = store.path(stored)
    except NotImplementedError:
        # Object storage: send the client to the bucket (a signed URL when configured so).
        return HttpResponseRedirect(store.url(stored))
    try:
        handle = open(local_path, "rb")  # noqa: SIM115 - FileResponse closes it
    except FileNotFoundError:
        return _not_found()
    content_type = "text/plain; charset=utf-8" if is_metadata else _content_type(file.filename)
    response = FileResponse(handle, content_type=content_type)
    if not is_metadata:
        response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["ETag"] = etag
    response["Cache-Control"] = IMMUTABLE
    return response
