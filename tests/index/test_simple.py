"""The simple API (PEP 503/691/592/658/700/714) and file serving."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifeline.index.models import Release
from lifeline.index.services import release_unyank, release_yank
from lifeline.index.simple.negotiation import negotiate
from tests.index.helpers import upload

pytestmark = pytest.mark.django_db
JSON = "application/vnd.pypi.simple.v1+json"
HTML = "application/vnd.pypi.simple.v1+html"


@pytest.fixture
def published(client, maintainer, token):
    assert upload(client, token, "Demo_Pkg", "1.0").status_code == 200
    assert upload(client, token, "Demo_Pkg", "1.0", kind="sdist").status_code == 200
    return maintainer


def _json(client, path="/simple/demo-pkg/"):
    response = client.get(path, HTTP_ACCEPT=JSON)
    assert response.status_code == 200 and response["Content-Type"] == JSON
    return json.loads(response.content)


def test_json_page_follows_pep_691_700_714(client, published):
    document = _json(client)
    assert document["meta"] == {"api-version": "1.1"}
    assert document["name"] == "demo-pkg" and document["versions"] == ["1.0"]
    wheel, sdist = sorted(document["files"], key=lambda f: not f["filename"].endswith(".whl"))
    assert wheel["filename"] == "Demo_Pkg-1.0-py3-none-any.whl"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", wheel["upload-time"])
    assert wheel["requires-python"] == ">=3.8" and wheel["yanked"] is False
    assert wheel["core-metadata"] == wheel["dist-info-metadata"] != False  # noqa: E712
    assert sdist["core-metadata"] is False and sdist["dist-info-metadata"] is False
    body = client.get(wheel["url"])
    content = b"".join(body.streaming_content)
    assert hashlib.sha256(content).hexdigest() == wheel["hashes"]["sha256"]
    assert len(content) == wheel["size"]
    assert body["Content-Type"] == "application/zip"
    assert "immutable" in body["Cache-Control"]
    metadata = client.get(wheel["url"] + ".metadata")
    metadata_bytes = b"".join(metadata.streaming_content)
    assert hashlib.sha256(metadata_bytes).hexdigest() == wheel["core-metadata"]["sha256"]
    assert b"Name: Demo_Pkg" in metadata_bytes
    assert client.get(sdist["url"])["Content-Type"] == "application/gzip"
    assert client.get(sdist["url"] + ".metadata").status_code == 404


def test_html_page_follows_pep_503_592_658(client, published):
    response = client.get("/simple/demo-pkg/")
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta name="pypi:repository-version" content="1.1">' in html
    links = re.findall(r"<a ([^>]*)>([^<]*)</a>", html)
    assert sorted(text for _attrs, text in links) == [
        "Demo_Pkg-1.0-py3-none-any.whl",
        "Demo_Pkg-1.0.tar.gz",
    ]
    for attrs, text in links:
        assert re.search(
            rf'href="/files/[0-9a-f/]+/{re.escape(text)}#sha256=[0-9a-f]{{64}}"', attrs
        )
        assert 'data-requires-python="&gt;=3.8"' in attrs
        assert "data-yanked" not in attrs
    wheel_attrs = next(a for a, t in links if t.endswith(".whl"))
    assert re.search(r'data-core-metadata="sha256=[0-9a-f]{64}"', wheel_attrs)
    assert re.search(r'data-dist-info-metadata="sha256=[0-9a-f]{64}"', wheel_attrs)


def test_negotiation(client, published):
    assert client.get("/simple/demo-pkg/", HTTP_ACCEPT=HTML)["Content-Type"] == HTML
    assert client.get("/simple/demo-pkg/", HTTP_ACCEPT="*/*")["Content-Type"].startswith(
        "text/html"
    )
    both = f"{HTML};q=0.2, {JSON};q=0.9, text/html;q=0.01"
    assert client.get("/simple/demo-pkg/", HTTP_ACCEPT=both)["Content-Type"] == JSON
    latest = "application/vnd.pypi.simple.latest+json"
    assert client.get("/simple/demo-pkg/", HTTP_ACCEPT=latest)["Content-Type"] == JSON
    assert client.get("/simple/demo-pkg/", HTTP_ACCEPT="image/png").status_code == 406
    assert client.get(f"/simple/demo-pkg/?format={JSON}")["Content-Type"] == JSON
    assert "Accept" in client.get("/simple/demo-pkg/")["Vary"]
    assert negotiate("text/html;q=abc, application/json") is None


def test_root_index_in_both_formats(client, published):
    html = client.get("/simple/").content.decode()
    assert '<a href="/simple/demo-pkg/">demo-pkg</a>' in html
    document = json.loads(client.get("/simple/", HTTP_ACCEPT=JSON).content)
    assert document == {"meta": {"api-version": "1.1"}, "projects": [{"name": "demo-pkg"}]}


def test_non_normalised_name_redirects(client, published):
    response = client.get("/simple/Demo_Pkg/")
    assert response.status_code == 301 and response["Location"] == "/simple/demo-pkg/"
    assert client.get("/simple/Demo_Pkg/?format=x")["Location"] == "/simple/demo-pkg/?format=x"
    assert client.get("/simple/no-such-thing/").status_code == 404
    assert client.get("/simple/%3Cscript%3E/").status_code == 404


def test_etag_revalidation_and_freshness_after_upload(client, published, token):
    first = client.get("/simple/demo-pkg/", HTTP_ACCEPT=JSON)
    etag = first["ETag"]
    assert first["Cache-Control"] == "max-age=0, must-revalidate, public"
    again = client.get("/simple/demo-pkg/", HTTP_ACCEPT=JSON, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    html_etag = client.get("/simple/demo-pkg/")["ETag"]
    assert html_etag != etag
    # Right after an upload the page (and its ETag) change.
    assert upload(client, token, "demo-pkg", "2.0").status_code == 200
    fresh = client.get("/simple/demo-pkg/", HTTP_ACCEPT=JSON, HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag
    assert json.loads(fresh.content)["versions"] == ["1.0", "2.0"]


def test_serving_a_page_does_constant_work(client, published, token):
    """Two queries at most (the project row, the rendering on a miss), whatever the size."""
    client.get("/simple/demo-pkg/")
    with CaptureQueriesContext(connection) as warm:
        client.get("/simple/demo-pkg/")
    for version in ("2.0", "3.0", "4.0"):
        upload(client, token, "demo-pkg", version)
    client.get("/simple/demo-pkg/")
    with CaptureQueriesContext(connection) as warm_bigger:
        client.get("/simple/demo-pkg/")
    simple_queries = [q for q in warm.captured_queries if "index_" in q["sql"]]
    assert len(simple_queries) == 1
    assert len(warm_bigger.captured_queries) == len(warm.captured_queries)


def test_yanked_release_is_marked_in_both_formats(client, published):
    release_yank(release=Release.objects.get(), actor=published, reason="broken build")
    files = _json(client)["files"]
    assert {f["yanked"] for f in files} == {"broken build"}
    html = client.get("/simple/demo-pkg/").content.decode()
    assert html.count('data-yanked="broken build"') == 2
    release_unyank(release=Release.objects.get(), actor=published)
    assert {f["yanked"] for f in _json(client)["files"]} == {False}
    release_yank(release=Release.objects.get(), actor=published)
    assert {f["yanked"] for f in _json(client)["files"]} == {True}
    assert 'data-yanked=""' in client.get("/simple/demo-pkg/").content.decode()


def test_files_only_serve_recorded_paths(client, published):
    assert client.get("/files/../../etc/passwd").status_code == 404
    assert client.get("/files/aa/bb/" + "c" * 60 + "/nothing.whl").status_code == 404
    url = _json(client)["files"][0]["url"]
    response = client.get(url, HTTP_IF_NONE_MATCH=client.get(url)["ETag"])
    assert response.status_code == 304
    assert client.post(url).status_code == 405


def test_fast_path_keeps_protective_headers_and_host_check(client, published):
    response = client.get("/simple/demo-pkg/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-ID"]  # the ops middleware still sees the request
    assert "Cookie" not in response["Vary"] and "Set-Cookie" not in response
    assert client.get("/simple/demo-pkg/", HTTP_HOST="evil.example").status_code == 400
