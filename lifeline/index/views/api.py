"""PyPI's JSON API: ``/pypi/<name>/json`` and ``/pypi/<name>/<version>/json``.

The shape is PyPI's (warehouse ``legacy/api/json.py`` and its documentation): ``info`` (the
release's core metadata), ``urls`` (the files of that release), ``releases`` (every version
and its files, on the project endpoint only), ``last_serial`` and ``vulnerabilities``. Many
tools read it (dependency bots, ``pip-audit``-style tools, "latest version" checks).

As on PyPI: the project endpoint describes the latest release (not yanked, not a pre-release,
when there is one); a name spelled other than as the project's is redirected to its name; an
unknown project or version is a 404 with a JSON body. Absolute URLs are built from
``LIFELINE_BASE_URL``, never from the request's Host header. Responses carry an ETag from
the project's serial (bumped by every upload, yank and delete), so a poll costs a 304.

These views run on the short middleware path (no session, no user): they never raise.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseNotModified,
    HttpResponsePermanentRedirect,
)
from packaging.utils import canonicalize_name, canonicalize_version
from packaging.version import InvalidVersion, Version

from lifeline.index.models import File, Project, Release
from lifeline.index.simple import render
from lifeline.index.upload.validation import NAME_RE

CACHE_CONTROL = "max-age=0, must-revalidate, public"
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET",
    "Access-Control-Expose-Headers": "X-PyPI-Last-Serial",
}


def pypi_json_project(request: HttpRequest, name: str) -> HttpResponse:
    return _respond(request, name, None)


def pypi_json_release(request: HttpRequest, name: str, version: str) -> HttpResponse:
    return _respond(request, name, version)


def _respond(request: HttpRequest, name: str, version: str | None) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    project = (
        Project.objects.filter(normalized_name=canonicalize_name(name)).first()
        if NAME_RE.match(name)
        else None
    )
    if project is None:
        return _not_found()
    if name != project.name:
        path = f"/pypi/{project.name}/" + (f"{version}/" if version is not None else "") + "json"
        return _with_cors(HttpResponsePermanentRedirect(path))
    etag = render.etag_for(
        "json", project.pk, project.created, project.serial, version, settings.LIFELINE_BASE_URL
    )
    if etag in _if_none_match(request):
        return _headers(HttpResponseNotModified(), project, etag)
    releases = list(
        Release.objects.filter(project=project).prefetch_related(
            Prefetch("files", queryset=File.objects.order_by("filename"))
        )
    )
    release = _latest(releases) if version is None else _find(releases, version)
    if release is None:
        return _not_found()
    document: dict[str, Any] = {
        "info": _info(project, release),
        "last_serial": project.serial,
    }
    if version is None:
        document["releases"] = {
            r.version: [_file(f, r) for f in r.files.all()]
            for r in sorted(releases, key=lambda r: _version_key(r.version))
        }
    document["urls"] = [_file(f, release) for f in release.files.all()]
    document["vulnerabilities"] = []
    response = HttpResponse(json.dumps(document), content_type="application/json")
    return _headers(response, project, etag)


def _headers(response: HttpResponse, project: Project, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    response["X-PyPI-Last-Serial"] = str(project.serial)
    return _with_cors(response)


def _with_cors(response: HttpResponse) -> HttpResponse:
    for key, value in CORS.items():
        response[key] = value
    return response


def _not_found() -> HttpResponse:
    response = HttpResponse(
        json.dumps({"message": "Not Found"}), status=404, content_type="application/json"
    )
    return _with_cors(response)


def _if_none_match(request: HttpRequest) -> set[str]:
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    return {tag.strip().removeprefix("W/") for tag in header.split(",")[:32] if tag.strip()}


def _version_key(version: str) -> tuple[int, Version | str]:
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def _is_prerelease(release: Release) -> bool:
    try:
        return Version(release.version).is_prerelease
    except InvalidVersion:
        return True


def _latest(releases: list[Release]) -> Release | None:
    """PyPI's choice: not yanked first, then final releases first, then the highest version."""
    if not releases:
        return None
    return max(
        releases,
        key=lambda r: (not r.yanked, not _is_prerelease(r), _version_key(r.version)),
    )


def _find(releases: list[Release], version: str) -> Release | None:
    exact = next((r for r in releases if r.version == version), None)
    if exact is not None:
        return exact
    try:
        wanted = canonicalize_version(Version(version))
    except InvalidVersion:
        return None
    return next((r for r in releases if canonicalize_version(r.canonical_version) == wanted), None)


def _url(path: str) -> str:
    return f"{settings.LIFELINE_BASE_URL}{path}"


def _info(project: Project, release: Release) -> dict[str, Any]:
    project_url = _url(f"/project/{project.name}/")
    return {
        "author": release.author,
        "author_email": release.author_email,
        "bugtrack_url": None,
        "classifiers": list(release.classifiers or []),
        "description": release.description,
        "description_content_type": release.description_content_type or None,
        "docs_url": None,
        "download_url": "",
        "downloads": {"last_day": -1, "last_month": -1, "last_week": -1},
        "home_page": release.home_page,
        "keywords": release.keywords,
        "license": release.license,
        "maintainer": release.maintainer,
        "maintainer_email": release.maintainer_email,
        "name": project.name,
        "package_url": project_url,
        "platform": None,
        "project_url": project_url,
        "project_urls": dict(release.project_urls) or None,
        "release_url": _url(f"/project/{project.name}/{release.version}/"),
        "requires_dist": list(release.requires_dist) or None,
        "requires_python": release.requires_python or None,
        "summary": release.summary,
        "version": release.version,
        "yanked": release.yanked,
        "yanked_reason": release.yanked_reason or None,
    }


def _file(file: File, release: Release) -> dict[str, Any]:
    digests = {"blake2b_256": file.blake2_256_digest, "sha256": file.sha256_digest}
    if file.md5_digest:
        digests["md5"] = file.md5_digest
    return {
        "comment_text": "",
        "digests": digests,
        "downloads": -1,
        "filename": file.filename,
        "has_sig": False,
        "md5_digest": file.md5_digest or None,
        "packagetype": file.packagetype,
        "python_version": file.python_version,
        "requires_python": file.requires_python or None,
        "size": file.size,
        "upload_time": file.upload_time.strftime("%Y-%m-%dT%H:%M:%S"),
        "upload_time_iso_8601": file.upload_time.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "url": _url(file.url_path),
        "yanked": release.yanked,
        "yanked_reason": release.yanked_reason or None,
    }
