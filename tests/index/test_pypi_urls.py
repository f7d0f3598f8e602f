"""PyPI's URL shapes: ``/project/<name>/`` and the JSON API ``/pypi/<name>[/<version>]/json``."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from django.test import override_settings

from lifeline.index.models import File, Release
from lifeline.index.services import release_yank
from tests.index.helpers import upload

pytestmark = pytest.mark.django_db
BASE = "https://index.example"
FILE_KEYS = {
    "comment_text",
    "digests",
    "downloads",
    "filename",
    "has_sig",
    "md5_digest",
    "packagetype",
    "python_version",
    "requires_python",
    "size",
    "upload_time",
    "upload_time_iso_8601",
    "url",
    "yanked",
    "yanked_reason",
}


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.LIFELINE_BASE_URL = BASE


@pytest.fixture
def published(client, maintainer, token):
    for version in ("1.0", "2.0", "3.0rc1"):
        response = upload(
            client,
            token,
            "Demo_Pkg",
            version,
            description=f"# Demo {version}",
            description_content_type="text/markdown",
            keywords="demo,test",
            license="MIT",
            classifiers=["Programming Language :: Python :: 3"],
            requires_dist=["packaging>=22", "pytest; extra == 'test'"],
            maintainer_email="Maint <m@example.com>",
        )
        assert response.status_code == 200, response.content
    assert upload(client, token, "Demo_Pkg", "2.0", kind="sdist").status_code == 200
    return maintainer


def _get(client, path, **headers):
    response = client.get(path, **headers)
    assert response.status_code == 200, (path, response.status_code, response.content[:200])
    assert response["Content-Type"] == "application/json"
    return response, json.loads(response.content)


def test_project_json_describes_the_latest_final_release(client, published):
    response, document = _get(client, "/pypi/Demo_Pkg/json")
    assert set(document) == {"info", "last_serial", "releases", "urls", "vulnerabilities"}
    info = document["info"]
    # 3.0rc1 is a pre-release: PyPI describes the latest final release.
    assert info["name"] == "Demo_Pkg" and info["version"] == "2.0"
    assert info["summary"] == "A tiny test package"
    assert info["description"] == "# Demo 2.0"
    assert info["description_content_type"] == "text/markdown"
    assert info["author_email"] == "Author <author@example.com>"
    assert info["maintainer_email"] == "Maint <m@example.com>"
    assert info["license"] == "MIT" and info["keywords"] == "demo,test"
    assert info["classifiers"] == ["Programming Language :: Python :: 3"]
    assert info["requires_dist"] == ["packaging>=22", "pytest; extra == 'test'"]
    assert info["requires_python"] == ">=3.8"
    assert info["home_page"] == "https://example.com/"
    assert info["project_urls"] == {"Source": "https://example.com/src"}
    assert info["package_url"] == info["project_url"] == f"{BASE}/project/Demo_Pkg/"
    assert info["release_url"] == f"{BASE}/project/Demo_Pkg/2.0/"
    assert info["yanked"] is False and info["yanked_reason"] is None
    assert info["downloads"] == {"last_day": -1, "last_month": -1, "last_week": -1}
    assert list(document["releases"]) == ["1.0", "2.0", "3.0rc1"]
    assert [f["filename"] for f in document["urls"]] == [
        "Demo_Pkg-2.0-py3-none-any.whl",
        "Demo_Pkg-2.0.tar.gz",
    ]
    assert document["urls"] == document["releases"]["2.0"]
    assert document["vulnerabilities"] == []
    assert document["last_serial"] == int(response["X-PyPI-Last-Serial"]) > 1
    assert response["Access-Control-Allow-Origin"] == "*"


def test_file_entries_have_pypis_fields_and_true_digests(client, published):
    _response, document = _get(client, "/pypi/Demo_Pkg/2.0/json")
    wheel = document["urls"][0]
    assert set(wheel) == FILE_KEYS
    stored = File.objects.get(filename=wheel["filename"])
    content = b"".join(client.get(stored.url_path).streaming_content)
    assert wheel["digests"] == {
        "md5": hashlib.md5(content).hexdigest(),
        "sha256": hashlib.sha256(content).hexdigest(),
        "blake2b_256": hashlib.blake2b(content, digest_size=32).hexdigest(),
    }
    assert wheel["md5_digest"] == wheel["digests"]["md5"]
    assert wheel["size"] == len(content) == stored.size
    assert wheel["packagetype"] == "bdist_wheel" and wheel["python_version"] == "py3"
    assert wheel["requires_python"] == ">=3.8"
    assert wheel["url"] == f"{BASE}{stored.url_path}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", wheel["upload_time"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", wheel["upload_time_iso_8601"])
    assert wheel["yanked"] is False and wheel["yanked_reason"] is None


def test_release_json_is_that_release_without_releases(client, published):
    _response, document = _get(client, "/pypi/Demo_Pkg/3.0rc1/json")
    assert "releases" not in document
    assert document["info"]["version"] == "3.0rc1"
    assert document["info"]["description"] == "# Demo 3.0rc1"
    assert [f["filename"] for f in document["urls"]] == ["Demo_Pkg-3.0rc1-py3-none-any.whl"]
    # An equivalent spelling of the version finds the same release (as PyPI).
    _response, same = _get(client, "/pypi/Demo_Pkg/3.0.0rc1/json")
    assert same["info"]["version"] == "3.0rc1"


def test_yanked_releases_are_marked_and_not_chosen_as_latest(client, published):
    release_yank(release=Release.objects.get(version="2.0"), actor=published, reason="broken build")
    _response, document = _get(client, "/pypi/Demo_Pkg/json")
    assert document["info"]["version"] == "1.0"
    yanked = document["releases"]["2.0"]
    assert {f["yanked"] for f in yanked} == {True}
    assert {f["yanked_reason"] for f in yanked} == {"broken build"}
    _response, release = _get(client, "/pypi/Demo_Pkg/2.0/json")
    assert release["info"]["yanked"] is True
    assert release["info"]["yanked_reason"] == "broken build"


def test_names_redirect_to_the_projects_name_and_unknowns_are_json_404s(client, published):
    response = client.get("/pypi/demo-pkg/json")
    assert response.status_code == 301 and response["Location"] == "/pypi/Demo_Pkg/json"
    response = client.get("/pypi/DEMO.pkg/2.0/json")
    assert response.status_code == 301 and response["Location"] == "/pypi/Demo_Pkg/2.0/json"
    for path in (
        "/pypi/no-such-project/json",
        "/pypi/Demo_Pkg/9.9/json",
        "/pypi/Demo_Pkg/not a version/json",
        "/pypi/%3Cscript%3E/json",
    ):
        missing = client.get(path)
        assert missing.status_code == 404, path
        assert missing["Content-Type"] == "application/json"
        assert json.loads(missing.content) == {"message": "Not Found"}


def test_json_revalidates_with_an_etag_that_changes_on_upload(client, published, token):
    response, _document = _get(client, "/pypi/Demo_Pkg/json")
    etag = response["ETag"]
    again = client.get("/pypi/Demo_Pkg/json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert upload(client, token, "Demo_Pkg", "4.0").status_code == 200
    fresh, document = _get(client, "/pypi/Demo_Pkg/json", HTTP_IF_NONE_MATCH=etag)
    assert fresh["ETag"] != etag and document["info"]["version"] == "4.0"


def test_json_api_is_public_and_sets_no_cookie(client, published, other_maintainer):
    """Read by tools: no session, no 2FA gate, no Vary: Cookie, even for a signed-in user."""
    assert client.post("/pypi/Demo_Pkg/json").status_code == 405
    client.force_login(other_maintainer)
    response, _document = _get(client, "/pypi/Demo_Pkg/json")
    assert "Cookie" not in response.get("Vary", "") and "Set-Cookie" not in response


@override_settings(LIFELINE_REQUIRE_2FA=True)
def test_json_api_is_not_behind_the_2fa_gate(client, published, user):
    client.force_login(user)  # no 2FA
    assert client.get("/pypi/Demo_Pkg/json").status_code == 200


def test_project_urls_redirect_to_the_project_page(client, published):
    response = client.get("/project/Demo_Pkg/")
    assert response.status_code == 301 and response["Location"] == "/projects/demo-pkg/"
    response = client.get("/project/demo-pkg/2.0/")
    assert response.status_code == 301
    assert response["Location"] == "/projects/demo-pkg/#release-2.0"
    page = client.get("/projects/demo-pkg/").content.decode()
    assert 'id="release-2.0"' in page
    assert client.get("/project/no-such-project/").status_code == 404
    assert client.get("/project/demo-pkg/9.9/").status_code == 404
    assert client.get("/project/demo-pkg/not-a-version!/").status_code == 404
