"""The account-size facts the critical-account policy reads from the index."""

import pytest

from lifeline.index.models import Project, Release, Role
from lifeline.recovery.services.evidence import account_is_critical, account_size
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_counts_every_maintainer_of_owned_projects(user, settings):
    big = Project.objects.create(name="Big", normalized_name="big")
    Role.objects.create(project=big, user=user, role=Role.Kind.OWNER)
    for _ in range(3):
        Role.objects.create(project=big, user=UserFactory(), role=Role.Kind.MAINTAINER)
    Release.objects.create(project=big, version="1.0")
    # A project the user only maintains does not count.
    other = Project.objects.create(name="Other", normalized_name="other")
    Role.objects.create(project=other, user=user, role=Role.Kind.MAINTAINER)
    for _ in range(9):
        Role.objects.create(project=other, user=UserFactory(), role=Role.Kind.MAINTAINER)

    size = account_size(user)
    assert (size.max_maintainers, size.max_releases) == (4, 1)

    settings.LIFELINE_RECOVERY_CRITICAL_MAINTAINERS = 4
    critical, reasons = account_is_critical(user)
    assert critical and reasons
    settings.LIFELINE_RECOVERY_CRITICAL_MAINTAINERS = 5
    assert account_is_critical(user)[0] is False
