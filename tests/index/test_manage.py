"""Roles and releases: services and the "Your projects" pages."""

from __future__ import annotations

import pytest

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.index import files
from lifeline.index.models import File, Project, Release, Role
from lifeline.index.services import (
    ManageError,
    ownership_transfer,
    release_delete,
    role_add,
    role_remove,
)
from tests.fixtures_mfa import enter_sudo
from tests.index.helpers import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(client, maintainer, token) -> Project:
    assert upload(client, token, "demo", "1.0").status_code == 200
    return Project.objects.get()


@pytest.fixture
def owner_client(client, maintainer):
    client.force_login(maintainer)
    enter_sudo(client, maintainer)
    return client


def test_owner_adds_a_maintainer_with_2fa(project, maintainer, other_maintainer):
    role = role_add(
        project=project,
        username=other_maintainer.username.upper(),
        role="maintainer",
        actor=maintainer,
    )
    assert role.user == other_maintainer and role.role == Role.Kind.MAINTAINER
    event = SecurityEvent.objects.get(tag=EventTag.ROLE_ADD, user=other_maintainer)
    assert event.actor == maintainer and event.project == "demo"
    with pytest.raises(ManageError, match="already has a role"):
        role_add(
            project=project, username=other_maintainer.username, role="owner", actor=maintainer
        )


def test_added_user_must_have_2fa(project, maintainer, user, settings):
    settings.LIFELINE_REQUIRE_2FA = True
    with pytest.raises(ManageError, match="has not set up two-factor authentication"):
        role_add(project=project, username=user.username, role="maintainer", actor=maintainer)
    with pytest.raises(ManageError, match="No active user"):
        role_add(project=project, username="nobody-here", role="maintainer", actor=maintainer)


def test_maintainers_cannot_manage(project, maintainer, other_maintainer, user, settings):
    settings.LIFELINE_REQUIRE_2FA = False
    role_add(
        project=project, username=other_maintainer.username, role="maintainer", actor=maintainer
    )
    with pytest.raises(ManageError, match="Only an owner"):
        role_add(project=project, username=user.username, role="maintainer", actor=other_maintainer)
    owner_role = Role.objects.get(user=maintainer)
    with pytest.raises(ManageError, match="Only an owner"):
        role_remove(project=project, role=owner_role, actor=other_maintainer)


def test_last_owner_cannot_be_removed(project, maintainer):
    with pytest.raises(ManageError, match="The last owner cannot be removed"):
        role_remove(project=project, role=Role.objects.get(), actor=maintainer)
    assert Role.objects.count() == 1


def test_transfer_ownership_then_leave(project, maintainer, other_maintainer):
    role = role_add(
        project=project, username=other_maintainer.username, role="maintainer", actor=maintainer
    )
    ownership_transfer(project=project, role=role, actor=maintainer)
    roles = dict(Role.objects.values_list("user__username", "role"))
    assert roles == {other_maintainer.username: "owner", maintainer.username: "maintainer"}
    assert SecurityEvent.objects.filter(tag=EventTag.ROLE_CHANGE).count() == 2
    # The old owner, now a maintainer, may leave; the new owner cannot.
    role_remove(project=project, role=Role.objects.get(user=maintainer), actor=maintainer)
    with pytest.raises(ManageError, match="last owner"):
        role_remove(project=project, role=Role.objects.get(), actor=other_maintainer)
    assert SecurityEvent.objects.filter(tag=EventTag.ROLE_REMOVE, user=maintainer).exists()


def test_delete_release_removes_files_and_keeps_evidence(
    project, maintainer, django_capture_on_commit_callbacks
):
    file = File.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        release_delete(release=Release.objects.get(), actor=maintainer)
    assert not Release.objects.exists()
    assert not files.storage().exists(file.path)
    event = SecurityEvent.objects.get(tag=EventTag.RELEASE_DELETE)
    assert event.details["files"] == [{"filename": file.filename, "sha256": file.sha256_digest}]


# --- pages -------------------------------------------------------------------------------


def test_project_page_shows_releases_hashes_maintainers_urls(client, project, maintainer):
    html = client.get("/projects/demo/").content.decode()
    file = File.objects.get()
    assert file.sha256_digest in html and file.filename in html
    assert maintainer.username in html
    assert "https://example.com/src" in html and "https://example.com/" in html
    assert client.get("/projects/Demo/").status_code == 301
    assert client.get("/projects/missing/").status_code == 404
    listing = client.get("/projects/?q=dem").content.decode()
    assert "/projects/demo/" in listing


def test_user_profile_lists_projects(client, project, maintainer):
    html = client.get(f"/user/{maintainer.username}/").content.decode()
    assert "/projects/demo/" in html
    assert client.get("/user/nobody-at-all/").status_code == 404


def test_your_projects_needs_2fa(client, user, settings):
    settings.LIFELINE_REQUIRE_2FA = True
    client.force_login(user)
    response = client.get("/manage/projects/")
    assert response.status_code == 302 and "/account/" in response["Location"]


def test_your_projects_and_member_management_pages(owner_client, project, other_maintainer):
    assert "demo" in owner_client.get("/manage/projects/").content.decode()
    page = owner_client.get("/manage/project/demo/")
    assert page.status_code == 200 and "Add a member" in page.content.decode()
    response = owner_client.post(
        "/manage/project/demo/roles/add/",
        {"username": other_maintainer.username, "role": "maintainer"},
    )
    assert response.status_code == 302
    role = Role.objects.get(user=other_maintainer)
    owner_client.post(f"/manage/project/demo/roles/{role.pk}/transfer/")
    assert Role.objects.get(user=other_maintainer).role == Role.Kind.OWNER
    owner_client.post(f"/manage/project/demo/roles/{role.pk}/remove/")
    # Now a maintainer, the first user cannot remove the new owner.
    assert Role.objects.filter(user=other_maintainer).exists()


def test_non_members_get_404(client, project, other_maintainer):
    client.force_login(other_maintainer)
    enter_sudo(client, other_maintainer, age=3600)  # signed in with both factors
    assert client.get("/manage/project/demo/").status_code == 404
    assert client.post("/manage/project/demo/roles/add/", {"username": "x"}).status_code == 404


def test_yank_and_unyank_pages(owner_client, project):
    owner_client.post("/manage/project/demo/release/1.0/yank/", {"reason": "bad  build"})
    release = Release.objects.get()
    assert release.yanked and release.yanked_reason == "bad build"
    assert SecurityEvent.objects.filter(tag=EventTag.RELEASE_YANK).exists()
    owner_client.post("/manage/project/demo/release/1.0/unyank/")
    assert not Release.objects.get().yanked


def test_delete_needs_sudo_mode_and_confirmation(client, project, maintainer):
    client.force_login(maintainer)  # signed in, but not recently re-authenticated
    response = client.post("/manage/project/demo/release/1.0/delete/", {"confirm": "1.0"})
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert Release.objects.exists()
    enter_sudo(client, maintainer)
    confirm_page = client.get("/manage/project/demo/release/1.0/delete/").content.decode()
    assert "Type the version" in confirm_page
    client.post("/manage/project/demo/release/1.0/delete/", {"confirm": "2.0"})
    assert Release.objects.exists()
    client.post("/manage/project/demo/release/1.0/delete/", {"confirm": "1.0"})
    assert not Release.objects.exists()
