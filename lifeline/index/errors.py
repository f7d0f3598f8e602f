"""The index's refusals: a message the client sees verbatim, and an HTTP status."""

from __future__ import annotations


class UploadError(Exception):
    """A refusal the client must see verbatim (twine and uv print it), like PyPI's."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
