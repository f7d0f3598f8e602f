"""A ~200 MB upload is streamed to disk: the server never holds it in memory.

The request body is produced on the fly by a reader object (as a socket would deliver it),
and tracemalloc measures the peak of Python allocations while /legacy/ parses, hashes,
validates and stores it.
"""

from __future__ import annotations

import hashlib
import tracemalloc

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.test import RequestFactory

from lifeline.index import files
from lifeline.index.models import File
from lifeline.index.upload.views import legacy_upload
from tests.index.helpers import basic

pytestmark = pytest.mark.django_db

SIZE = 200 * 1024 * 1024
BLOCK = b"\x1f\x8b" + bytes(range(256)) * 4096  # starts like gzip, 1 MiB + 2 bytes
BOUNDARY = "memoryboundary"


def _content_chunks():
    sent = 0
    while sent < SIZE:
        chunk = BLOCK[: SIZE - sent]
        sent += len(chunk)
        yield chunk


class StreamedBody:
    """A file-like body that generates its bytes as they are read, never all at once."""

    def __init__(self, parts: list) -> None:
        self._parts = iter(parts)
        self._buffer = b""

    def _next_bytes(self):
        for part in self._parts:
            if isinstance(part, bytes):
                yield part
            else:
                yield from part()

    def read(self, size: int = -1) -> bytes:
        assert size is not None and size > 0, "the server tried to read the whole body at once"
        if not hasattr(self, "_gen"):
            self._gen = self._next_bytes()
        while len(self._buffer) < size:
            try:
                self._buffer += next(self._gen)
            except StopIteration:
                break
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def readline(self, size: int = -1) -> bytes:  # pragma: no cover - not used by Django
        return self.read(size if size and size > 0 else 65536)


def test_200_mb_upload_is_streamed_not_held_in_memory(settings, maintainer, token):
    settings.LIFELINE_UPLOAD_MAX_BYTES = 300 * 1024 * 1024
    sha256, blake2 = hashlib.sha256(), hashlib.blake2b(digest_size=32)
    for chunk in _content_chunks():
        sha256.update(chunk)
        blake2.update(chunk)
    fields = {
        ":action": "file_upload",
        "protocol_version": "1",
        "metadata_version": "2.1",
        "name": "big",
        "version": "1.0",
        "filetype": "sdist",
        "pyversion": "source",
        "sha256_digest": sha256.hexdigest(),
        "blake2_256_digest": blake2.hexdigest(),
    }
    head = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    head += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="content"; '
        f'filename="big-1.0.tar.gz"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    length = len(head) + SIZE + len(tail)
    environ = RequestFactory()._base_environ(
        PATH_INFO="/legacy/",
        REQUEST_METHOD="POST",
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(length),
        HTTP_AUTHORIZATION=basic(token),
    )
    environ["wsgi.input"] = StreamedBody([head, _content_chunks, tail])
    request = WSGIRequest(environ)

    tracemalloc.start()
    try:
        response = legacy_upload(request)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 200, response.content
    stored = File.objects.get()
    assert stored.size == SIZE and stored.sha256_digest == sha256.hexdigest()
    assert files.storage().size(stored.path) == SIZE
    # The whole body is 200 MiB; the server's peak Python allocation stays a few MiB.
    assert peak < 16 * 1024 * 1024, f"peak traced memory {peak / 2**20:.1f} MiB"
    print(f"200 MiB upload: peak traced Python memory {peak / 2**20:.2f} MiB")
