"""The publishing pages' forms: GitLab and generic issuers, refusals shown, pending removal."""

from __future__ import annotations

import pytest
from django.test import Client

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.index.models import Role
from lifeline.tokens.publishing.models import TrustedPublisher
from lifeline.tokens.publishing.services import pending_add
from tests.fixtures_mfa import enter_sudo
from tests.index.helpers import make_user_with_2fa
from tests.tokens.publishing.helpers import github_publisher, make_project

pytestmark = pytest.mark.django_db


def _messages(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(m) for m in response.context["messages"])


def test_owner_adds_a_gitlab_publisher_from_namespace_and_project(owner_client, owner):
    project = make_project(owner)
    url = f"/manage/project/{project.normalized_name}/publishing/"
    form = {
        "kind": "gitlab",
        "namespace": "group/sub",
        "project": "pkg",
        "workflow": ".gitlab-ci.yml",
    }
    response = owner_client.post(url, form, follow=True)
    assert "Trusted publisher added" in _messages(response)
    publisher = TrustedPublisher.objects.get(project=project)
    assert (publisher.kind, publisher.repository) == ("gitlab", "group/sub/pkg")


def test_a_generic_issuer_takes_its_claims_one_per_line(owner_client, owner, settings):
    settings.LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS = True
    project = make_project(owner)
    url = f"/manage/project/{project.normalized_name}/publishing/"
    form = {
        "kind": "oidc",
        "issuer": "https://ci.example.org/",
        "claims": "repository = team/pkg\n\n  ref=refs/heads/main  \n",
    }
    owner_client.post(url, form)
    publisher = TrustedPublisher.objects.get(project=project)
    assert publisher.issuer == "https://ci.example.org"
    assert publisher.claims == {"repository": "team/pkg", "ref": "refs/heads/main"}


def test_a_private_issuer_is_refused_with_the_reason(owner_client, owner, settings):
    settings.LIFELINE_OIDC_ALLOW_INSECURE_ISSUERS = False
    project = make_project(owner)
    url = f"/manage/project/{project.normalized_name}/publishing/"
    form = {"kind": "oidc", "issuer": "https://169.254.169.254", "claims": "sub=x"}
    response = owner_client.post(url, form, follow=True)
    assert response.status_code == 200
    assert "not a public address" in _messages(response)
    assert not TrustedPublisher.objects.exists()


def test_a_maintainer_sees_why_they_cannot_remove_a_publisher(client, owner):
    project = make_project(owner)
    publisher = github_publisher(project, owner)
    maintainer = make_user_with_2fa()
    Role.objects.create(project=project, user=maintainer, role=Role.Kind.MAINTAINER)
    client.force_login(maintainer)
    enter_sudo(client, maintainer)
    url = f"/manage/project/{project.normalized_name}/publishing/{publisher.pk}/remove/"
    response = client.post(url, follow=True)
    assert "Only an owner of the project" in _messages(response)
    assert TrustedPublisher.objects.filter(pk=publisher.pk).exists()


def test_a_stranger_gets_not_found(client, owner):
    project = make_project(owner)
    stranger = make_user_with_2fa()
    client.force_login(stranger)
    enter_sudo(client, stranger)
    assert client.get(f"/manage/project/{project.normalized_name}/publishing/").status_code == 404


def test_a_refused_pending_publisher_says_why(owner_client, owner):
    make_project(owner, "taken")
    form = {"kind": "github", "owner": "o", "repo": "r", "workflow": "release.yml"}
    response = owner_client.post(
        "/account/publishing/", form | {"project_name": "taken"}, follow=True
    )
    assert "A project with this name exists" in _messages(response)
    assert not TrustedPublisher.objects.exists()


def test_the_creator_removes_a_pending_publisher_and_no_one_else_can(owner_client, owner, client):
    pending = pending_add(
        user=owner,
        project_name="brand-new",
        kind="github",
        repository="o/r",
        workflow="release.yml",
    )
    url = f"/account/publishing/{pending.pk}/remove/"
    other = make_user_with_2fa()
    stranger = Client()
    stranger.force_login(other)
    enter_sudo(stranger, other)
    assert stranger.post(url).status_code == 404
    response = owner_client.post(url, follow=True)
    assert "The pending publisher was removed." in _messages(response)
    assert not TrustedPublisher.objects.exists()
    assert SecurityEvent.objects.filter(tag=EventTag.PENDING_PUBLISHER_REMOVE).count() == 1
