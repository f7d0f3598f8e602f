"""Publishers: pages (2FA + sudo), services (events, emails), pending publishers, uploads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.index.models import Project, Role
from lifeline.tokens.publishing.models import TrustedPublisher, TrustedUpload
from lifeline.tokens.publishing.services import (
    PublisherError,
    expire_pending_publishers,
    pending_add,
    publisher_add,
    publisher_remove,
)
from tests.factories import UserFactory
from tests.fixtures_mfa import enter_sudo
from tests.index.helpers import make_user_with_2fa, upload
from tests.tokens.publishing.conftest import AUDIENCE
from tests.tokens.publishing.helpers import exchange, github_publisher, make_project, refusal
from tests.tokens.publishing.issuer import github_claims

pytestmark = pytest.mark.django_db

GITHUB_FORM = {
    "kind": "github",
    "owner": "octo-org",
    "repo": "octo-pkg",
    "workflow": "release.yml",
    "environment": "pypi",
}


def test_owner_adds_a_publisher_in_sudo_mode(owner_client, owner, outbox):
    project = make_project(owner)
    co_owner = make_user_with_2fa()
    Role.objects.create(project=project, user=co_owner, role=Role.Kind.OWNER)
    page = owner_client.get(f"/manage/project/{project.normalized_name}/publishing/")
    assert page.status_code == 200 and b"Add GitHub publisher" in page.content
    assert b"publishing/" in owner_client.get(f"/manage/project/{project.normalized_name}/").content
    response = owner_client.post(
        f"/manage/project/{project.normalized_name}/publishing/", GITHUB_FORM
    )
    assert response.status_code == 302
    publisher = TrustedPublisher.objects.get(project=project)
    assert publisher.repository == "octo-org/octo-pkg" and publisher.environment == "pypi"
    event = SecurityEvent.objects.get(tag=EventTag.PUBLISHER_ADD)
    assert event.project == project.name and event.details["workflow"] == "release.yml"
    recipients = {address for mail in outbox for address in mail.to}
    assert owner.email in recipients and co_owner.email in recipients
    assert "trusted publisher" in outbox[0].subject.lower()


def test_adding_needs_sudo_mode(client, owner):
    project = make_project(owner)
    client.force_login(owner)
    enter_sudo(client, owner, age=3600)  # signed in with 2FA an hour ago: not sudo any more
    response = client.post(f"/manage/project/{project.normalized_name}/publishing/", GITHUB_FORM)
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert not TrustedPublisher.objects.exists()


def test_maintainers_and_strangers_cannot_add(client, owner):
    project = make_project(owner)
    maintainer = make_user_with_2fa()
    Role.objects.create(project=project, user=maintainer, role=Role.Kind.MAINTAINER)
    stranger = make_user_with_2fa()
    for user, status in ((maintainer, 302), (stranger, 404)):
        client.force_login(user)
        enter_sudo(client, user)
        url = f"/manage/project/{project.normalized_name}/publishing/"
        assert client.post(url, GITHUB_FORM).status_code == status
    assert not TrustedPublisher.objects.exists()
    with pytest.raises(PublisherError):
        publisher_add(
            project=project, actor=maintainer, kind="github", repository="a/b", workflow="r.yml"
        )


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "github", "repository": "no-slash", "workflow": "release.yml"},
        {"kind": "github", "repository": "a/b", "workflow": "../../x.yml"},
        {"kind": "github", "repository": "a/b", "workflow": "release.txt"},
        {"kind": "gitlab", "repository": "justone", "workflow": ".gitlab-ci.yml"},
        {"kind": "oidc", "issuer": "ftp://forge.example", "claims": {"sub": "x"}},
        {"kind": "oidc", "issuer": "http://forge.example", "claims": {"sub": "x"}},
        {"kind": "oidc", "issuer": "https://forge.example", "claims": {}},
        {
            "kind": "oidc",
            "issuer": "https://token.actions.githubusercontent.com",
            "claims": {"repository": "a/b"},
        },
        {"kind": "nope"},
    ],
)
def test_invalid_publishers_are_refused(owner, fields):
    project = make_project(owner)
    with pytest.raises(PublisherError):
        publisher_add(project=project, actor=owner, **fields)


def test_remove_publisher(owner_client, owner, outbox):
    project = make_project(owner)
    publisher = github_publisher(project, owner)
    outbox.clear()
    url = f"/manage/project/{project.normalized_name}/publishing/{publisher.pk}/remove/"
    assert owner_client.post(url).status_code == 302
    assert not TrustedPublisher.objects.exists()
    assert SecurityEvent.objects.filter(tag=EventTag.PUBLISHER_REMOVE).count() == 1
    assert "removed" in outbox[0].subject


def test_minted_token_uploads_and_the_release_says_so(client, github, owner):
    project = make_project(owner)
    github_publisher(project, owner)
    status, body = exchange(client, github.sign(github_claims(github.url, AUDIENCE)))
    assert status == 200, body
    response = upload(client, body["token"], "octo-pkg", "1.0")
    assert response.status_code == 200, response.content
    trusted = TrustedUpload.objects.get()
    assert trusted.release.project == project and trusted.run["run_id"] == "4242"
    page = client.get(f"/projects/{project.normalized_name}/")
    assert (
        b"Published by trusted publisher octo-org/octo-pkg (release.yml, run 4242)" in page.content
    )
    # Scoped: the minted token can't upload another of the owner's projects.
    make_project(owner, "other-pkg")
    assert upload(client, body["token"], "other-pkg", "1.0").status_code == 403


def test_minted_token_expires(client, github, owner):
    from lifeline.tokens.models import ApiToken

    project = make_project(owner)
    github_publisher(project, owner)
    _status, body = exchange(client, github.sign(github_claims(github.url, AUDIENCE)))
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert upload(client, body["token"], "octo-pkg", "1.0").status_code == 403


# --- pending publishers ----------------------------------------------------------------------


def _pending(user, name="brand-new", **fields):  # type: ignore[no-untyped-def]
    values = {
        "kind": "github",
        "repository": "octo-org/octo-pkg",
        "workflow": "release.yml",
        "environment": "pypi",
    } | fields
    return pending_add(user=user, project_name=name, **values)


def test_pending_page_adds_and_lists(owner_client, owner, outbox):
    response = owner_client.post(
        "/account/publishing/", GITHUB_FORM | {"project_name": "Brand.New"}
    )
    assert response.status_code == 302
    pending = TrustedPublisher.objects.get()
    assert pending.is_pending and pending.pending_normalized_name == "brand-new"
    assert pending.expires_at > timezone.now() + timedelta(days=29)
    assert b"Brand.New" in owner_client.get("/account/publishing/").content
    assert SecurityEvent.objects.filter(tag=EventTag.PENDING_PUBLISHER_ADD).count() == 1
    assert len(outbox) == 1


def test_pending_needs_2fa(db):
    with pytest.raises(PublisherError, match="two-factor"):
        _pending(UserFactory())


def test_pending_refused_for_existing_or_reserved_names(owner):
    make_project(owner, "taken")
    with pytest.raises(PublisherError, match="exists"):
        _pending(owner, "Taken")
    _pending(owner, "reserved")
    with pytest.raises(PublisherError, match="reserved"):
        _pending(make_user_with_2fa(), "RESERVED")
    # An expired reservation no longer holds the name.
    TrustedPublisher.objects.update(expires_at=timezone.now())
    assert _pending(make_user_with_2fa(), "reserved").pending_name == "reserved"


def test_first_trusted_upload_creates_the_project(client, github, owner):
    _pending(owner)
    status, body = exchange(client, github.sign(github_claims(github.url, AUDIENCE)))
    assert status == 200, body
    project = Project.objects.get(normalized_name="brand-new")
    assert Role.objects.get(project=project).user == owner
    publisher = TrustedPublisher.objects.get()
    assert publisher.project == project and not publisher.is_pending
    assert SecurityEvent.objects.filter(tag=EventTag.PROJECT_CREATE, project="brand-new").exists()
    assert upload(client, body["token"], "brand-new", "0.1").status_code == 200


def test_expired_pending_does_nothing_and_is_swept(client, github, owner):
    _pending(owner)
    TrustedPublisher.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    status, body = exchange(client, github.sign(github_claims(github.url, AUDIENCE)))
    assert status == 422 and "invalid-publisher" in refusal(body)
    assert not Project.objects.exists()
    assert expire_pending_publishers() == 1
    assert not TrustedPublisher.objects.exists()
    assert SecurityEvent.objects.filter(tag=EventTag.PENDING_PUBLISHER_EXPIRE).count() == 1


def test_pending_removed_by_its_creator_only(owner):
    pending = _pending(owner)
    with pytest.raises(PublisherError):
        publisher_remove(publisher=pending, actor=make_user_with_2fa())
    publisher_remove(publisher=pending, actor=owner)
    assert not TrustedPublisher.objects.exists()


def test_your_projects_links_to_pending_publishers(owner_client):
    assert b"/account/publishing/" in owner_client.get("/manage/projects/").content


def test_publishing_pages_ask_for_sudo_before_showing_the_forms(client, owner):
    project = make_project(owner)
    client.force_login(owner)
    enter_sudo(client, owner, age=3600)
    for url in (f"/manage/project/{project.normalized_name}/publishing/", "/account/publishing/"):
        response = client.get(url)
        assert response.status_code == 302 and "reauthenticate" in response["Location"]
