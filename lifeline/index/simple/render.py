"""Render simple pages (PEP 503/691/592/658/700/714) from the database, and cache them.

A rendering is keyed by ``(project id, project serial, format)``. ``Project.serial`` is bumped
in the transaction of every change that alters the page, so a cached rendering is never
stale, and serving a page costs one indexed lookup plus a dictionary hit: nothing grows with
the number of files in the index. Each rendering holds the page and its gzip-compressed copy,
so a client that asks for gzip (pip does) costs no compression per request.

Two levels: a bounded per-process LRU, and behind it the shared store (``SimplePage`` rows,
lifeline/index/simple/models.py) that every worker and process reads. A page is rendered
once per change, by whichever worker asks first; a new worker, or one whose LRU evicted the
page, reads the stored rendering (one indexed query) instead of rendering it again. The root
index is keyed by ``IndexSerial``, bumped when a project is created or deleted.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from django.db import DatabaseError, connection, transaction
from packaging.version import InvalidVersion, Version

from lifeline.index.models import File, IndexSerial, Project, Release, SimplePage

logger = logging.getLogger(__name__)

API_VERSION = "1.1"
CACHE_ENTRIES = 4096


@dataclass(frozen=True)
class Rendered:
    """A page, its ETag, and the same page gzip-compressed (made once, with the page)."""

    body: bytes
    etag: str
    gzipped: bytes = b""

    @classmethod
    def of(cls, body: bytes, etag: str) -> Rendered:
        # mtime=0: the same page always compresses to the same bytes (stable across processes).
        return cls(body=body, etag=etag, gzipped=gzip.compress(body, compresslevel=6, mtime=0))

    def gzip_etag(self) -> str:
        return gzip_etag(self.etag)


def gzip_etag(etag: str) -> str:
    """The gzip encoding is another representation, so it has its own strong ETag."""
    return f'{etag[:-1]}-gzip"'


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self.data: OrderedDict[tuple, Rendered] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> Rendered | None:
        with self.lock:
            value = self.data.get(key)
            if value is not None:
                self.data.move_to_end(key)
            return value

    def put(self, key: tuple, value: Rendered) -> None:
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.data.clear()


cache = _LRU(CACHE_ENTRIES)


@dataclass(frozen=True)
class ProjectState:
    """What identifies one version of a project's page: (id, created, serial)."""

    pk: int
    created: str
    serial: int


# One indexed lookup, as plain SQL: this runs on every simple request, so it skips the ORM's
# query compilation (about a third of the view's time).
_STATE_SQL = f"SELECT id, created, serial FROM {Project._meta.db_table} WHERE normalized_name = %s"  # noqa: S608 - the table name is ours


def project_state(normalized_name: str) -> ProjectState | None:
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL, [normalized_name])
        row = cursor.fetchone()
    return ProjectState(pk=row[0], created=str(row[1]), serial=row[2]) if row else None


def etag_for(*parts: object) -> str:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f'"{digest}"'


def project_etag(state: ProjectState, kind: str) -> str:
    return etag_for("project", state.pk, state.created, state.serial, kind)


# Counts renderings (tests and the benchmark read it: a warm worker renders nothing).
renders = 0


def _stored(key: str, etag: str) -> Rendered | None:
    """The shared rendering under ``key`` if it is the version ``etag`` names."""
    row = SimplePage.objects.filter(key=key, etag=etag).values_list("body", "gzipped").first()
    if row is None:
        return None
    return Rendered(body=bytes(row[0]), etag=etag, gzipped=bytes(row[1]))


def _store(key: str, rendered: Rendered) -> None:
    """Share a rendering with every worker (an upsert; a failure only costs a later render)."""
    row = SimplePage(key=key, etag=rendered.etag, body=rendered.body, gzipped=rendered.gzipped)
    try:
        with transaction.atomic():
            SimplePage.objects.bulk_create(
                [row],
                update_conflicts=True,
                unique_fields=["key"],
                update_fields=["etag", "body", "gzipped"],
            )
    except DatabaseError:
        logger.warning("simple page %s: could not store the rendering", key, exc_info=True)


def _cached(key: str, etag: str, render: Callable[[], bytes]) -> Rendered:
    """The page from the LRU, else from the shared store, else rendered once and shared."""
    global renders
    rendered = cache.get((key, etag))
    if rendered is None:
        rendered = _stored(key, etag)
        if rendered is None:
            renders += 1
            rendered = Rendered.of(render(), etag)
            _store(key, rendered)
        cache.put((key, etag), rendered)
    return rendered


def project_page(state: ProjectState, kind: str) -> Rendered:
    def render() -> bytes:
        project = Project.objects.get(pk=state.pk)
        files = list(
            File.objects.filter(release__project=project)
            .select_related("release")
            .order_by("release__created", "filename")
        )
        versions = list(Release.objects.filter(project=project).values_list("version", flat=True))
        return _json(project, files, versions) if kind == "json" else _html(project, files)

    return _cached(f"project:{state.pk}:{kind}", project_etag(state, kind), render)


_INDEX_STATE_SQL = (
    f"SELECT (SELECT serial FROM {IndexSerial._meta.db_table} WHERE id = 1),"  # noqa: S608 - our tables
    f" (SELECT MAX(id) FROM {Project._meta.db_table})"
)


def index_serial() -> str:
    """The root index's version: the serial bumped when a project is created or deleted, and
    the newest project id (which also covers rows bulk-loaded without signals). Two index
    lookups in one statement, no aggregate over the projects."""
    with connection.cursor() as cursor:
        cursor.execute(_INDEX_STATE_SQL)
        serial, top = cursor.fetchone()
    return f"{serial or 0}.{top or 0}"


def index_etag(serial: str, kind: str) -> str:
    return etag_for("index", serial, kind)


def root_page(serial: str, kind: str) -> Rendered:
    def render() -> bytes:
        names = Project.objects.order_by("normalized_name").values_list("normalized_name")
        return index_page([name for (name,) in names], kind)

    return _cached(f"index:{kind}", index_etag(serial, kind), render)


def _sort_key(version: str) -> tuple[int, Version | str]:
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def _upload_time(file: File) -> str:
    return file.upload_time.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json(project: Project, files: list[File], versions: list[str]) -> bytes:
    entries = []
    for file in files:
        entry: dict[str, object] = {
            "filename": file.filename,
            "url": f"{file.url_path}",
            "hashes": {"sha256": file.sha256_digest},
            "size": file.size,
            "upload-time": _upload_time(file),
            "yanked": (file.release.yanked_reason or True) if file.release.yanked else False,
        }
        if file.requires_python:
            entry["requires-python"] = file.requires_python
        metadata = {"sha256": file.metadata_sha256} if file.metadata_sha256 else False
        entry["core-metadata"] = metadata
        entry["dist-info-metadata"] = metadata  # PEP 714: the old key, for older pip
        entries.append(entry)
    document = {
        "meta": {"api-version": API_VERSION},
        "name": project.normalized_name,
        "versions": sorted(versions, key=_sort_key),
        "files": entries,
    }
    return json.dumps(document, separators=(",", ":")).encode()


def _html(project: Project, files: list[File]) -> bytes:
    name = escape(project.normalized_name)
    lines = [
        "<!DOCTYPE html>",
        "<html>",
        "<head>",
        f'<meta name="pypi:repository-version" content="{API_VERSION}">',
        f"<title>Links for {name}</title>",
        "</head>",
        "<body>",
        f"<h1>Links for {name}</h1>",
    ]
    for file in files:
        attrs = [f'href="{escape(file.url_path)}#sha256={file.sha256_digest}"']
        if file.requires_python:
            attrs.append(f'data-requires-python="{escape(file.requires_python)}"')
        if file.metadata_sha256:
            attrs.append(f'data-core-metadata="sha256={file.metadata_sha256}"')
            attrs.append(f'data-dist-info-metadata="sha256={file.metadata_sha256}"')
        if file.release.yanked:
            attrs.append(f'data-yanked="{escape(file.release.yanked_reason)}"')
        lines.append(f"<a {' '.join(attrs)}>{escape(file.filename)}</a><br>")
    lines += ["</body>", "</html>", ""]
    return "\n".join(lines).encode()


def index_page(names: list[str], kind: str) -> bytes:
    if kind == "json":
        document = {
            "meta": {"api-version": API_VERSION},
            "projects": [{"name": n} for n in names],
        }
        return json.dumps(document, separators=(",", ":")).encode()
    links = "\n".join(f'<a href="/simple/{escape(n)}/">{escape(n)}</a><br>' for n in names)
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f'<meta name="pypi:repository-version" content="{API_VERSION}">\n'
        "<title>Simple index</title>\n</head>\n<body>\n"
        f"{links}\n</body>\n</html>\n"
    ).encode()
