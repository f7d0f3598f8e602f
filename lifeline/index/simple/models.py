"""Simple pages rendered once per change and shared by every worker and process.

``SimplePage`` holds the latest rendering of one page (a project page or the root index, in
one format) with its ETag: a worker that has not seen the page yet (a new worker, another
process, a page evicted from its in-memory LRU) reads it with one indexed query instead of
rendering it again. It is a copy: the ETag says which version it is, a reader serves it only
when that ETag is the one the current state asks for, and a missing or stale row is simply
rendered again. One row per (page, format), so the table is bounded by the number of projects.

``IndexSerial`` is one counter, bumped in the transaction that creates or deletes a project:
the root index (``/simple/``) is keyed by it, so serving the root never aggregates the
project table.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver


class SimplePage(models.Model):
    key = models.CharField(max_length=100, unique=True, help_text="project:<id>:<kind>")
    etag = models.CharField(max_length=80, help_text="The ETag of the stored rendering.")
    body = models.BinaryField()
    gzipped = models.BinaryField()

    class Meta:
        app_label = "index"

    def __str__(self) -> str:
        return self.key


class IndexSerial(models.Model):
    serial = models.PositiveBigIntegerField(default=0)

    class Meta:
        app_label = "index"

    def __str__(self) -> str:
        return str(self.serial)


def bump_index_serial() -> None:
    """Mark the set of projects changed (runs in the creating or deleting transaction)."""
    if IndexSerial.objects.filter(pk=1).update(serial=F("serial") + 1):
        return
    try:
        with transaction.atomic():
            # A random start: a reset database never repeats a version a running worker cached.
            IndexSerial.objects.create(pk=1, serial=secrets.randbelow(2**40) + 1)
    except IntegrityError:  # another transaction created it first
        IndexSerial.objects.filter(pk=1).update(serial=F("serial") + 1)


@receiver(post_save, sender="index.Project", dispatch_uid="lifeline.index.simple.created")
def _project_saved(sender: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created:
        bump_index_serial()


@receiver(post_delete, sender="index.Project", dispatch_uid="lifeline.index.simple.deleted")
def _project_deleted(sender: Any, **kwargs: Any) -> None:
    bump_index_serial()
