"""``/simple/`` and ``/simple/<name>/``: the repository API pip and uv read.

Responses carry ``ETag`` and ``Cache-Control: max-age=0, must-revalidate``: clients and
proxies may keep a page but must revalidate it, which costs a 304 and no rendering. So a
repeated install is cheap, and a page is right the moment after an upload. Pages are sent
gzip-compressed to clients that accept it (pip, uv), from the cached compressed copy.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseNotModified,
    HttpResponsePermanentRedirect,
)
from packaging.utils import canonicalize_name

from lifeline.index.simple import render
from lifeline.index.simple.negotiation import Format, accepts_gzip, negotiate
from lifeline.index.upload.validation import NAME_RE

CACHE_CONTROL = "max-age=0, must-revalidate, public"


def _format(request: HttpRequest) -> Format | None:
    return negotiate(request.META.get("HTTP_ACCEPT", ""), request.GET.get("format"))


def _not_acceptable() -> HttpResponse:
    return HttpResponse(
        "406 Not Acceptable: this index serves application/vnd.pypi.simple.v1+json, "
        "application/vnd.pypi.simple.v1+html and text/html.\n",
        status=406,
        content_type="text/plain; charset=utf-8",
    )


def _answer(
    request: HttpRequest, fmt: Format, etag: str, rendered: Callable[[], render.Rendered]
) -> HttpResponse:
    """200 with the page (gzip-compressed when the client accepts it), or 304.

    The identity and gzip bodies are two representations, each with its own strong ETag;
    ``If-None-Match`` is compared with the one this request would get, and ``*`` matches
    any (the page exists). ``Vary`` names both headers that select the representation.
    """
    use_gzip = accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    selected = render.gzip_etag(etag) if use_gzip else etag
    tags = _if_none_match(request)
    if "*" in tags or selected in tags:
        response: HttpResponse = HttpResponseNotModified()
    else:
        page = rendered()
        body = page.gzipped if use_gzip else page.body
        response = HttpResponse(body, content_type=fmt.content_type)
        response["Content-Length"] = str(len(body))
        if use_gzip:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = selected
    response["Cache-Control"] = CACHE_CONTROL
    response["Vary"] = "Accept, Accept-Encoding"
    return response


def _if_none_match(request: HttpRequest) -> set[str]:
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    return {tag.strip().removeprefix("W/") for tag in header.split(",")[:32] if tag.strip()}


def simple_index(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    fmt = _format(request)
    if fmt is None:
        return _not_acceptable()
    # Keyed by a counter bumped when a project is created or deleted: no aggregate per request.
    serial = render.index_serial()
    etag = render.index_etag(serial, fmt.kind)
    return _answer(request, fmt, etag, lambda: render.root_page(serial, fmt.kind))


def simple_project(request: HttpRequest, name: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if not NAME_RE.match(name):
        return HttpResponse("404 Not Found\n", status=404, content_type="text/plain")
    normalized = canonicalize_name(name)
    if normalized != name:
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(
            f"/simple/{normalized}/" + (f"?{query}" if query else "")
        )
    fmt = _format(request)
    if fmt is None:
        return _not_acceptable()
    state = render.project_state(normalized)
    if state is None:
        return HttpResponse(
            f"404 Not Found: no project named {normalized!r}.\n",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    etag = render.project_etag(state, fmt.kind)
    return _answer(request, fmt, etag, lambda: render.project_page(state, fmt.kind))
