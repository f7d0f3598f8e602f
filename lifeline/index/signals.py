"""Signals sent by the index, for the apps above it (pyproject.toml's layers).

``file_uploaded`` is sent by ``file_upload`` inside its transaction, after the ``File`` row is
written: a receiver's rows commit or roll back with the upload, and a receiver that raises
fails the upload. Arguments: ``sender`` (the File model), ``file``, ``user``, ``credential``
(what ``lifeline.index.upload.credentials.authenticate_upload`` returned).
"""

from __future__ import annotations

from django.dispatch import Signal

file_uploaded = Signal()
