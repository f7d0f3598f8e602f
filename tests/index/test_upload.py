"""POST /legacy/: what is accepted, what is refused, and the exact words of each refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.index import files
from lifeline.index.models import File, Project, Release, Role, UsedFilename
from lifeline.index.services import release_delete
from lifeline.tokens.models import ApiToken
from lifeline.tokens.services import token_revoke
from tests.index.helpers import (
    basic,
    make_token,
    make_user_with_2fa,
    make_wheel,
    raw_multipart,
    upload,
    upload_fields,
    wheel_filename,
)

pytestmark = pytest.mark.django_db


def refused(response, status: int, words: str) -> None:
    body = response.content.decode()
    assert response.status_code == status, body
    assert words in body, body
    assert words.split(".")[0] in response.reason_phrase
    assert response["Content-Type"].startswith("text/plain")


def test_first_upload_creates_project_release_and_owner(client, maintainer, token):
    response = upload(client, token, "Demo.Pkg", "1.0")
    assert response.status_code == 200, response.content
    project = Project.objects.get()
    assert (project.name, project.normalized_name) == ("Demo.Pkg", "demo-pkg")
    assert Role.objects.get(project=project).role == Role.Kind.OWNER
    release = Release.objects.get()
    assert release.project_urls == {"Source": "https://example.com/src"}
    assert release.home_page == "https://example.com/"
    assert release.author_email == "Author <author@example.com>"
    assert release.uploader == maintainer
    file = File.objects.get()
    assert file.uploader == maintainer and file.packagetype == "bdist_wheel"
    assert file.requires_python == ">=3.8" and file.metadata_sha256
    assert files.storage().exists(file.path) and files.storage().exists(file.metadata_path)
    tags = set(SecurityEvent.objects.filter(project="Demo.Pkg").values_list("tag", flat=True))
    assert {
        EventTag.PROJECT_CREATE,
        EventTag.ROLE_ADD,
        EventTag.RELEASE_ADD,
        EventTag.RELEASE_FILE_ADD,
    } <= tags
    assert UsedFilename.objects.filter(filename=file.filename).exists()


def test_maintainer_can_upload_a_later_release(client, maintainer, token, other_maintainer):
    upload(client, token, "demo", "1.0")
    Role.objects.create(
        project=Project.objects.get(), user=other_maintainer, role=Role.Kind.MAINTAINER
    )
    response = upload(client, make_token(other_maintainer), "demo", "1.1")
    assert response.status_code == 200
    assert Release.objects.get(version="1.1").uploader == other_maintainer


def test_username_and_password_are_refused(client, maintainer, password):
    response = upload(client, "", "demo", "1.0", auth=basic(password, maintainer.username))
    refused(response, 403, "Username/Password authentication is not supported")


@pytest.mark.parametrize(
    "auth",
    [
        None,
        "Bearer abc",
        "Basic !!!notbase64",
        basic("not-a-token"),
        basic("llpi-0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    ],
)
def test_bad_token_is_refused(client, maintainer, auth):
    if auth is None:  # no Authorization header at all, as a misconfigured client sends
        content = make_wheel("demo", "1.0")
        fields = upload_fields("demo", "1.0", content, wheel_filename("demo", "1.0"))
        response = client.post("/legacy/", fields)
    else:
        response = upload(client, "", "demo", "1.0", auth=auth)
    refused(response, 403, "Invalid or non-existent authentication information")
    assert "/account/tokens/" in response.content.decode()  # says where to get a token
    assert not Project.objects.exists()


def test_tampered_token_is_refused(client, token):
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    refused(upload(client, tampered, "demo", "1.0"), 403, "Invalid or non-existent")


def test_revoked_token_is_refused(client, maintainer, token):
    token_revoke(token=ApiToken.objects.get(), actor=maintainer)
    refused(upload(client, token, "demo", "1.0"), 403, "this token has been revoked")


def test_expired_token_is_refused(client, maintainer):
    raw = make_token(maintainer, expires_at=timezone.now() - timedelta(seconds=1))
    refused(upload(client, raw, "demo", "1.0"), 403, "this token has expired")


def test_token_scoped_to_another_project_is_refused(client, maintainer, token):
    upload(client, token, "first", "1.0")
    scoped = make_token(maintainer, project=Project.objects.get(normalized_name="first"))
    refused(
        upload(client, scoped, "second", "1.0"),
        403,
        "Invalid API token: the token is scoped to the project 'first'",
    )
    assert upload(client, scoped, "first", "1.1").status_code == 200


def test_user_without_a_role_is_refused(client, token, other_maintainer):
    upload(client, token, "demo", "1.0")
    refused(
        upload(client, make_token(other_maintainer), "demo", "1.1"),
        403,
        f"The user '{other_maintainer.username}' isn't allowed to upload to project 'demo'",
    )


def test_user_without_2fa_is_refused_when_required(client, user, settings):
    settings.LIFELINE_REQUIRE_2FA = True
    refused(
        upload(client, make_token(user), "demo", "1.0"),
        403,
        "does not have two-factor authentication enabled",
    )
    settings.LIFELINE_REQUIRE_2FA = False
    assert upload(client, make_token(user), "demo", "1.0").status_code == 200


def test_filename_must_match_the_metadata(client, token):
    response = upload(client, token, "demo", "1.0", filename="other-1.0-py3-none-any.whl")
    refused(response, 400, "does not match the name 'demo' and version '1.0'")
    response = upload(client, token, "demo", "1.0", filename="demo-2.0-py3-none-any.whl")
    refused(response, 400, "does not match the name 'demo' and version '1.0'")


def test_wheel_metadata_must_match_the_upload(client, token):
    response = upload(client, token, "demo", "1.0", content=make_wheel("demo", "9.9"))
    refused(response, 400, "Invalid wheel")


def test_wrong_digest_is_refused(client, token):
    response = upload(client, token, "demo", "1.0", sha256_digest="0" * 64)
    refused(response, 400, "The digest supplied does not match")
    response = upload(client, token, "demo", "1.0", sha256_digest=None, blake2_256_digest=None)
    refused(response, 400, "Include at least one message digest")


def test_duplicate_file_is_refused(client, token):
    assert upload(client, token, "demo", "1.0").status_code == 200
    refused(upload(client, token, "demo", "1.0"), 400, "File already exists ('demo-1.0-py3")


def test_a_deleted_files_name_can_never_be_reused(client, maintainer, token):
    upload(client, token, "demo", "1.0")
    release_delete(release=Release.objects.get(), actor=maintainer)
    assert not File.objects.exists()
    refused(upload(client, token, "demo", "1.0"), 400, "This filename has already been used")


def test_oversize_file_is_refused(client, token, settings):
    settings.LIFELINE_UPLOAD_MAX_BYTES = 500
    refused(upload(client, token, "demo", "1.0"), 413, "File too large")
    assert not Project.objects.exists()


def test_oversize_body_is_refused_before_reading(client, token, settings):
    settings.LIFELINE_UPLOAD_MAX_BYTES = 10
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    response = upload(client, token, "demo", "1.0", content=b"x" * 100_000)
    refused(response, 413, "File too large. The limit is")


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"metadata_version": "9.9"}, "is an invalid value for Metadata-Version"),
        ({"name": "-bad name-"}, "'-bad name-' is an invalid value for Name"),
        ({"version": "one.two"}, "'one.two' is an invalid value for Version"),
        ({"version": "1.0+local"}, "Can't use PEP 440 local versions"),
        ({"requires_python": ">=3.x"}, "is an invalid value for Requires-Python"),
        ({"project_urls": ["Source, javascript:alert(1)"]}, "is not an http(s) URL"),
        ({"project_urls": ["no comma here"]}, "is an invalid value for Project-URL"),
        ({"home_page": "ftp://example.com"}, "is not an http(s) URL"),
        ({"home_page": "http://[::1"}, "is not an http(s) URL"),
        ({"requires_dist": ["not a requirement !!"]}, "is an invalid value for Requires-Dist"),
        ({":action": "remove_pkg"}, "Invalid value for :action"),
        ({"protocol_version": "2"}, "Unknown protocol version"),
        ({"filetype": "bdist_egg"}, "must be uploaded with filetype bdist_wheel"),
        ({"summary": "two\nlines"}, "must be a single line"),
    ],
)
def test_malformed_metadata_is_refused(client, token, overrides, words):
    refused(upload(client, token, "demo", "1.0", **overrides), 400, words)
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "filename",
    [
        "../demo-1.0-py3-none-any.whl",
        "..\\demo-1.0-py3-none-any.whl",
        ".demo-1.0-py3-none-any.whl",
        "demo-1.0-py3-none-any.whl\x00.txt",
        "demo 1.0.tar.gz",
        "demo-1.0.exe",
        "demo-1.0.zip",
    ],
)
def test_path_traversal_and_odd_filenames_are_refused(client, token, filename):
    content = make_wheel("demo", "1.0")
    fields = upload_fields("demo", "1.0", content, "placeholder.whl")
    fields["content"] = (filename, content)  # the test client would strip a path itself
    response = client.post(
        "/legacy/",
        raw_multipart(fields),
        content_type="multipart/form-data; boundary=lifelineboundary",
        HTTP_AUTHORIZATION=basic(token),
    )
    assert response.status_code == 400, response.content
    body = response.content.decode()
    assert "Invalid distribution file name" in body or "Invalid file extension" in body
    assert not File.objects.exists()


def test_sdist_must_be_gzip(client, token):
    response = upload(client, token, "demo", "1.0", kind="sdist", content=b"not gzip at all")
    refused(response, 400, "a .tar.gz sdist must be gzip data")


def test_not_a_zip_wheel_is_refused(client, token):
    refused(upload(client, token, "demo", "1.0", content=b"PK nope"), 400, "Invalid wheel")


def test_malformed_multipart_and_get_never_500(client, token):
    response = client.post(
        "/legacy/",
        data=b"--x\r\nbroken",
        content_type="multipart/form-data; boundary=x",
        HTTP_AUTHORIZATION=basic(token),
    )
    assert response.status_code == 400
    assert client.get("/legacy/").status_code == 405
    response = client.post(
        "/legacy/", {"a": "b"}, content_type="application/json", HTTP_AUTHORIZATION=basic(token)
    )
    refused(response, 400, "Use multipart/form-data")


def test_missing_file_part(client, token):
    fields = {
        ":action": "file_upload",
        "protocol_version": "1",
        "metadata_version": "2.1",
        "name": "demo",
        "version": "1.0",
        "filetype": "sdist",
    }
    response = client.post("/legacy/", fields, HTTP_AUTHORIZATION=basic(token))
    refused(response, 400, "Upload payload does not have a file")


def test_token_use_is_recorded(client, maintainer, token):
    upload(client, token, "demo", "1.0")
    used = ApiToken.objects.get()
    assert used.last_used_at is not None and used.last_used_ip == "127.0.0.1"
    event = SecurityEvent.objects.get(tag=EventTag.TOKEN_USE)
    assert event.user == maintainer and event.details["public_id"] == used.public_id
    assert token not in str(event.details)


def test_frozen_account_cannot_upload(client, maintainer, token):
    maintainer.frozen_at = timezone.now()
    maintainer.save()
    refused(upload(client, token, "demo", "1.0"), 403, "cannot upload at this time")


def test_another_user_cannot_use_a_stolen_public_id(client, maintainer, token):
    other = make_user_with_2fa()
    assert ApiToken.objects.get().user == maintainer
    forged = make_token(other)[:22] + token[22:]
    refused(upload(client, forged, "demo", "1.0"), 403, "Invalid or non-existent")


def test_repeated_authentication_failures_are_rate_limited(client, maintainer, token, settings):
    settings.LIFELINE_UPLOAD_AUTH_FAILURES = "3/5m"
    for _ in range(3):
        refused(upload(client, "llpi-nope", "demo", "1.0"), 403, "Invalid or non-existent")
    response = upload(client, token, "demo", "1.0")
    refused(response, 429, "Too many failed authentication attempts")
    assert "Try again in" in response.content.decode()
