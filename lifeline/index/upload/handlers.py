"""Stream an uploaded distribution to a temporary file, hashing it on the way.

Django's multipart parser hands the body to upload handlers in 64 KiB chunks. This handler
writes each chunk to a temporary file (never to memory, whatever the size) and feeds the same
chunk to SHA-256, BLAKE2b-256 and MD5, so the digests are known without reading the file a
second time. It stops keeping bytes once the configured limit is passed. A finished file
belongs to the caller, who closes it (and so deletes it) whatever the outcome.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler

CONTENT_FIELD = "content"


class HashingTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    chunk_size = 256 * 1024

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.too_large = False
        self.extra_files = 0
        self._reset()

    def _reset(self) -> None:
        self.sha256 = hashlib.sha256()
        self.blake2 = hashlib.blake2b(digest_size=32)
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.size = 0

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        if field_name != CONTENT_FIELD or self.too_large:
            # Signatures and other file parts are not kept: discard them unread.
            self.extra_files += 1
            raise SkipFile()
        self._reset()
        super().new_file(field_name, *args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.size += len(raw_data)
        if self.size > self.max_bytes:
            self.too_large = True
            self.file.close()  # the temporary file is deleted on close
            raise SkipFile()
        self.sha256.update(raw_data)
        self.blake2.update(raw_data)
        self.md5.update(raw_data)
        super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size: int) -> TemporaryUploadedFile:
        uploaded = super().file_complete(file_size)
        uploaded.sha256_digest = self.sha256.hexdigest()  # type: ignore[attr-defined]
        uploaded.blake2_256_digest = self.blake2.hexdigest()  # type: ignore[attr-defined]
        uploaded.md5_digest = self.md5.hexdigest()  # type: ignore[attr-defined]
        # Hand the finished file over: Django's parser closes ``handler.file`` whenever a later
        # part is skipped (``twine --sign`` sends ``gpg_signature`` after ``content``), and
        # closing a temporary file deletes it. The view closes what the parser returned.
        del self.file
        return uploaded
