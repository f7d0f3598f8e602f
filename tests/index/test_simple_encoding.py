"""Simple pages: gzip when asked (from the cache), ETags per encoding, ``If-None-Match: *``;
immutable ``/files/`` responses never vary on Cookie."""

from __future__ import annotations

import gzip
import json

import pytest

from lifeline.index.simple import render
from lifeline.index.simple.negotiation import accepts_gzip
from tests.index.helpers import upload

pytestmark = pytest.mark.django_db
JSON = "application/vnd.pypi.simple.v1+json"
PIP = "gzip, deflate"  # what pip sends


@pytest.fixture
def published(client, maintainer, token):
    assert upload(client, token, "demo-pkg", "1.0").status_code == 200
    return maintainer


@pytest.mark.parametrize("path", ["/simple/", "/simple/demo-pkg/"])
@pytest.mark.parametrize("accept", ["text/html", JSON])
def test_gzip_when_asked_same_page_otherwise(client, published, path, accept):
    plain = client.get(path, HTTP_ACCEPT=accept)
    zipped = client.get(path, HTTP_ACCEPT=accept, HTTP_ACCEPT_ENCODING=PIP)
    assert plain.status_code == zipped.status_code == 200
    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert zipped["Content-Type"] == plain["Content-Type"]
    assert int(zipped["Content-Length"]) == len(zipped.content)
    for response in (plain, zipped):
        assert response["Vary"] == "Accept, Accept-Encoding"
    # Two representations, two strong ETags.
    assert zipped["ETag"] != plain["ETag"]
    assert not zipped["ETag"].startswith("W/")


def test_gzip_bytes_come_from_the_cache_not_per_request(client, published, monkeypatch):
    client.get("/simple/demo-pkg/", HTTP_ACCEPT_ENCODING=PIP)  # renders and caches both

    def no_compression(*args, **kwargs):
        raise AssertionError("compressed per request")

    monkeypatch.setattr(render.gzip, "compress", no_compression)
    again = client.get("/simple/demo-pkg/", HTTP_ACCEPT_ENCODING=PIP)
    assert again["Content-Encoding"] == "gzip" and b"demo-pkg" in gzip.decompress(again.content)


def test_each_encoding_revalidates_with_its_own_etag(client, published):
    plain_etag = client.get("/simple/demo-pkg/")["ETag"]
    gzip_etag = client.get("/simple/demo-pkg/", HTTP_ACCEPT_ENCODING=PIP)["ETag"]
    assert client.get("/simple/demo-pkg/", HTTP_IF_NONE_MATCH=plain_etag).status_code == 304
    hit = client.get("/simple/demo-pkg/", HTTP_ACCEPT_ENCODING=PIP, HTTP_IF_NONE_MATCH=gzip_etag)
    assert hit.status_code == 304 and hit["ETag"] == gzip_etag and hit.content == b""
    assert hit["Vary"] == "Accept, Accept-Encoding"
    # A tag of the other encoding is not a match: the client would keep the wrong bytes.
    miss = client.get("/simple/demo-pkg/", HTTP_ACCEPT_ENCODING=PIP, HTTP_IF_NONE_MATCH=plain_etag)
    assert miss.status_code == 200 and miss["Content-Encoding"] == "gzip"
    weak = client.get("/simple/demo-pkg/", HTTP_IF_NONE_MATCH=f'"x", W/{plain_etag}')
    assert weak.status_code == 304


@pytest.mark.parametrize("path", ["/simple/", "/simple/demo-pkg/"])
def test_if_none_match_star_is_304(client, published, path):
    response = client.get(path, HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 304 and response["ETag"]
    zipped = client.get(path, HTTP_IF_NONE_MATCH="*", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped.status_code == 304 and zipped["ETag"].endswith('-gzip"')


def test_star_does_not_hide_a_missing_project(client, published):
    assert client.get("/simple/nothing-here/", HTTP_IF_NONE_MATCH="*").status_code == 404


def test_accept_encoding_parsing():
    assert accepts_gzip("gzip, deflate") and accepts_gzip("br;q=1.0, gzip;q=0.8, *;q=0.1")
    assert accepts_gzip("*") and accepts_gzip("x-gzip")
    assert not accepts_gzip("") and not accepts_gzip("identity") and not accepts_gzip("br")
    assert not accepts_gzip("gzip;q=0") and not accepts_gzip("*, gzip;q=0")
    assert not accepts_gzip("gzip;q=abc")


def test_pages_after_an_upload_are_fresh_in_gzip_too(client, published, token):
    first = client.get("/simple/demo-pkg/", HTTP_ACCEPT=JSON, HTTP_ACCEPT_ENCODING=PIP)
    assert upload(client, token, "demo-pkg", "2.0").status_code == 200
    fresh = client.get(
        "/simple/demo-pkg/",
        HTTP_ACCEPT=JSON,
        HTTP_ACCEPT_ENCODING=PIP,
        HTTP_IF_NONE_MATCH=first["ETag"],
    )
    assert fresh.status_code == 200
    assert json.loads(gzip.decompress(fresh.content))["versions"] == ["1.0", "2.0"]


def test_files_never_vary_on_cookie(client, published, other_maintainer):
    """Immutable files are the same for everyone: a shared cache must keep one copy."""
    url = json.loads(client.get("/simple/demo-pkg/", HTTP_ACCEPT=JSON).content)["files"][0]["url"]
    for signed_in in (False, True):
        if signed_in:
            client.force_login(other_maintainer)
        response = client.get(url)
        assert response.status_code == 200
        assert "immutable" in response["Cache-Control"]
        assert "Cookie" not in response.get("Vary", "")
        assert "Set-Cookie" not in response
        assert response["X-Content-Type-Options"] == "nosniff"
        metadata = client.get(url + ".metadata")
        assert metadata.status_code == 200 and "Cookie" not in metadata.get("Vary", "")
    missing = client.get("/files/aa/bb/" + "c" * 60 + "/nothing.whl")
    assert missing.status_code == 404 and "Cookie" not in missing.get("Vary", "")
