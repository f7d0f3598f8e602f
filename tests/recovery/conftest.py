"""Recovery fixtures: an owner with a project and an old token, and requests in each stage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from packaging.utils import canonicalize_version

from lifeline.recovery import crypto
from lifeline.recovery.models import RecoveryRequest
from lifeline.recovery.requester.submit import recovery_request_submit
from lifeline.recovery.requester.verify import recovery_contact_verify
from tests.factories import UserFactory

LONG_AGO = timedelta(days=400)


def add_project(user, name: str, *, urls: dict[str, str], home_page: str = "", age=LONG_AGO):
    from lifeline.index.models import Project, Release, Role

    when = timezone.now() - age
    project = Project.objects.create(name=name, normalized_name=name.lower(), created=when)
    Release.objects.create(
        project=project,
        version="1.0",
        canonical_version=canonicalize_version("1.0"),
        created=when,
        home_page=home_page,
        project_urls=urls,
        uploader=user,
    )
    Role.objects.create(project=project, user=user, role=Role.Kind.OWNER, created=when)
    return project


def make_token(user, *, age=LONG_AGO, name: str = "ci"):
    from lifeline.tokens.models import ApiToken
    from lifeline.tokens.services import token_create

    token, raw = token_create(user=user, name=name)
    ApiToken.objects.filter(pk=token.pk).update(created=timezone.now() - age)
    token.refresh_from_db()
    return token, raw


@pytest.fixture
def owner(db):
    user = UserFactory(username="alice")
    add_project(
        user,
        "alice-tool",
        home_page="https://alice.example/",
        urls={"Source": "https://code.example/alice/alice-tool"},
    )
    return user


@pytest.fixture
def old_token(owner):
    return make_token(owner)


def submit(username: str = "alice", contact: str = "new@contact.example", **overrides):
    fields = dict(
        username=username,
        contact_email=contact,
        lost_email_access=True,
        email_wrong_from_start=False,
        lost_2fa=True,
        lost_recovery_codes=True,
        description="I lost my laptop with the 2FA app and my email provider closed.",
        ip="203.0.113.7",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
    )
    fields.update(overrides)
    return recovery_request_submit(**fields)


def with_known_verify_token(request_obj: RecoveryRequest, raw: str = "known-token") -> str:
    request_obj.verify_token_hash = crypto.hash_link_token(raw)
    request_obj.save(update_fields=["verify_token_hash"])
    return raw


def verify(request_obj: RecoveryRequest):
    raw = with_known_verify_token(request_obj)
    return recovery_contact_verify(public_id=request_obj.public_id, token=raw)


@pytest.fixture
def queued(owner) -> RecoveryRequest:
    """A request for ``owner`` whose contact address is confirmed: in the queue (open)."""
    request_obj = submit()
    # Proof rules compare with the request's creation time: keep it strictly after setup.
    RecoveryRequest.objects.filter(pk=request_obj.pk).update(created=timezone.now())
    request_obj.refresh_from_db()
    verify(request_obj)
    request_obj.refresh_from_db()
    return request_obj


@pytest.fixture
def status_client(client, queued):
    """A test client whose session holds the status token of ``queued``."""
    from lifeline.recovery.links import status_url

    url = status_url(queued)
    response = client.get(url[url.index("/recovery/") :])
    assert response.status_code == 302
    return client
