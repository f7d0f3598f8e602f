"""Concurrent uploads of one new release (``uv publish`` sends a release's files in parallel):
the upload that loses the race to create the project or the release joins it, instead of
being told its file "already exists"."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from packaging.utils import canonicalize_version

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.index.errors import UploadError
from lifeline.index.models import File, Project, Release, Role
from lifeline.index.upload.service import _project_create_or_join, _release_get_or_create
from lifeline.index.upload.validation import UploadRequest
from lifeline.tokens.models import ApiToken
from tests.index.helpers import make_token, make_user_with_2fa, upload


def _build(name: str, version: str) -> UploadRequest:
    return UploadRequest(
        name=name,
        version=version,
        canonical_version=canonicalize_version(version),
        filename=f"{name.replace('-', '_')}-{version}-py3-none-any.whl",
        packagetype="bdist_wheel",
        python_version="py3",
        metadata_version="2.1",
    )


@pytest.mark.django_db
def test_the_loser_of_the_project_race_joins_the_project(maintainer):
    """What the second upload sees when the first created the project after its lookup."""
    token = ApiToken.objects.get(pk=_token_row(maintainer))
    won, created = _project_create_or_join(
        user=maintainer, token=token, request=_build("racy-pkg", "1.0"), now=timezone.now()
    )
    assert created
    joined, created = _project_create_or_join(
        user=maintainer, token=token, request=_build("racy-pkg", "1.0"), now=timezone.now()
    )
    assert not created and joined.pk == won.pk
    assert Role.objects.filter(project=won).count() == 1


@pytest.mark.django_db
def test_someone_else_racing_for_a_new_name_is_refused(maintainer, other_maintainer):
    mine = ApiToken.objects.get(pk=_token_row(maintainer))
    theirs = ApiToken.objects.get(pk=_token_row(other_maintainer))
    _project_create_or_join(
        user=maintainer, token=mine, request=_build("taken-pkg", "1.0"), now=timezone.now()
    )
    with pytest.raises(UploadError) as refused:
        _project_create_or_join(
            user=other_maintainer,
            token=theirs,
            request=_build("taken-pkg", "1.0"),
            now=timezone.now(),
        )
    assert refused.value.status == 403
    assert "isn't allowed to upload" in str(refused.value)


@pytest.mark.django_db
def test_the_loser_of_the_release_race_uses_the_release(maintainer):
    token = ApiToken.objects.get(pk=_token_row(maintainer))
    project, _ = _project_create_or_join(
        user=maintainer, token=token, request=_build("rel-pkg", "2.0"), now=timezone.now()
    )
    first, created = _release_get_or_create(
        project=project, request=_build("rel-pkg", "2.0"), user=maintainer, now=timezone.now()
    )
    assert created
    again, created = _release_get_or_create(
        project=project, request=_build("rel-pkg", "2.0.0"), user=maintainer, now=timezone.now()
    )
    assert not created and again.pk == first.pk


def _token_row(user) -> int:
    make_token(user)
    return ApiToken.objects.filter(user=user).latest("pk").pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_uploads_of_new_releases_all_succeed():
    """Ten new projects, each a wheel and an sdist sent at the same moment (20 threads)."""
    in_ci = os.environ.get("CI") == "true" and os.environ.get("DATABASE_URL")
    if connection.vendor != "postgresql" and not in_ci:
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgresql://…")
    user = make_user_with_2fa(username="racer")
    raw = make_token(user)
    jobs = [(f"race-{i}", kind) for i in range(10) for kind in ("wheel", "sdist")]
    barrier = threading.Barrier(len(jobs))
    statuses: list[tuple[str, int, str]] = []
    lock = threading.Lock()

    def work(name: str, kind: str) -> None:
        try:
            client = Client()
            barrier.wait(timeout=30)
            response = upload(client, raw, name, "1.0", kind=kind)
            with lock:
                statuses.append((name, response.status_code, response.content.decode()[:200]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(s for _, s, _ in statuses) == [200] * len(jobs), statuses
    assert Project.objects.filter(name__startswith="race-").count() == 10
    assert Release.objects.filter(project__name__startswith="race-").count() == 10
    assert File.objects.filter(release__project__name__startswith="race-").count() == 20
    creations = SecurityEvent.objects.filter(tag=EventTag.PROJECT_CREATE, user=user).count()
    assert creations == 10
