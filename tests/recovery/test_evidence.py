"""The account-size facts the critical-account policy reads from the index."""

import pytest

from lifeline.index.models import Project, Release, Role
from lifeline.recovery.evidence import account_is_critical, account_size
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_counts_every_maintainer_of_owned_projects(user, settings):
    big = Project.objects.create(name="Big", normalized_name="big")
    Role.objects.create(project=big, user=user, role=Role.Kind.OWNER)
    for _ in range(3):
        Role.objects.create(project=big, user=UserFactory(), role=Role.Kind.MAINTAINER)
    Release.objects.create(project=big, version="1.0")

    size = account_size(user)
    assert (size.max_maintainers, size.max_releases) == (4, 1)

    settings.LIFELINE_RECOVERY_CRITICAL_MAINTAINERS = 4
    critical, reasons = account_is_critical(user)
    assert critical and reasons
    settings.LIFELINE_RECOVERY_CRITICAL_MAINTAINERS = 5
    assert account_is_critical(user)[0] is False


def test_projects_the_account_only_maintains_count_too(user, settings):
    """A maintainer can upload a release every user installs: the project counts."""
    other = Project.objects.create(name="Other", normalized_name="other")
    Role.objects.create(project=other, user=user, role=Role.Kind.MAINTAINER)
    for _ in range(9):
        Role.objects.create(project=other, user=UserFactory(), role=Role.Kind.MAINTAINER)
    for n in range(3):
        Release.objects.create(project=other, version=f"1.{n}", canonical_version=f"1.{n}")

    size = account_size(user)
    assert (size.max_maintainers, size.max_releases) == (10, 3)
    settings.LIFELINE_RECOVERY_CRITICAL_MAINTAINERS = 10
    critical, reasons = account_is_critical(user)
    assert critical
    assert reasons == ["It can upload to a project with 10 maintainers (threshold 10)."]


def test_projects_without_a_role_do_not_count(user):
    stranger_project = Project.objects.create(name="Else", normalized_name="else")
    Role.objects.create(project=stranger_project, user=UserFactory(), role=Role.Kind.OWNER)
    assert account_size(user).max_maintainers == 0
