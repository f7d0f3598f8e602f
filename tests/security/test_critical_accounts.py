# ruff: noqa: F811  (pytest fixtures imported from tests.desk.fixtures)
"""Attack: take over a maintainer of a big project through recovery (issue 11, item 5).

The critical-account rule (two approvers, no auto-approval) looked only at projects the
account *owns*. A maintainer of a widely used project can upload a release that every user
installs, yet recovering that account went through one approver, or none with auto-approval
on. Now every project the account can upload to counts, owner or maintainer.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from packaging.utils import canonicalize_version

from lifeline.index.models import Project, Release, Role
from lifeline.recovery.evidence import account_is_critical
from lifeline.recovery.staff import auto_approve, decisions
from lifeline.recovery.states import State
from tests.desk.fixtures import JUSTIFICATION, add_strong_proofs, open_case, support  # noqa: F401
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _maintained_project(victim, *, maintainers: int, releases: int) -> Project:
    """A project someone else owns, which ``victim`` only maintains."""
    project = Project.objects.create(name="popular", normalized_name="popular")
    Role.objects.create(project=project, user=UserFactory(), role=Role.Kind.OWNER)
    Role.objects.create(project=project, user=victim, role=Role.Kind.MAINTAINER)
    for _ in range(maintainers - 2):
        Role.objects.create(project=project, user=UserFactory(), role=Role.Kind.MAINTAINER)
    for n in range(releases):
        version = f"1.{n}"
        Release.objects.create(
            project=project,
            version=version,
            canonical_version=canonicalize_version(version),
            created=timezone.now(),
        )
    return project


@pytest.mark.parametrize(
    ("maintainers", "releases", "reason"),
    [(5, 1, "5 maintainers"), (2, 3, "3 releases")],
)
def test_a_maintainer_of_a_big_project_is_critical(
    settings, support, outbox, django_capture_on_commit_callbacks, maintainers, releases, reason
):
    settings.LIFELINE_RECOVERY_CRITICAL_MAINTAINERS = 5
    settings.LIFELINE_RECOVERY_CRITICAL_RELEASES = 3
    settings.LIFELINE_RECOVERY_AUTO_APPROVE = True
    victim = UserFactory(username="alice", email="alice@victim.example")
    _maintained_project(victim, maintainers=maintainers, releases=releases)
    assert not Role.objects.filter(user=victim, role=Role.Kind.OWNER).exists()

    # The attacker files and (somehow) gathers strong evidence.
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case("alice", contact="mallory@attacker.example")
        add_strong_proofs(case)

    critical, reasons = account_is_critical(victim)
    assert critical and any(reason in r for r in reasons), reasons

    # Auto-approval is on, but a critical account is never approved by policy...
    case.refresh_from_db()
    assert case.state == State.OPEN
    assert "The account is critical." in auto_approve.auto_approval_blockers(case)
    # ...and one staff member's approval is not enough.
    outcome = decisions.recovery_approve(
        request_obj=case, actor=support.user, justification=JUSTIFICATION
    )
    assert not outcome.applied and outcome.needed == 2
    case.refresh_from_db()
    assert case.state == State.OPEN

    # The owner was told at their address, with a way to cancel.
    alerts = [m for m in outbox if "alice@victim.example" in m.to]
    assert any("recover your" in m.subject for m in alerts)


def test_a_small_maintained_project_does_not_make_an_account_critical(settings):
    settings.LIFELINE_RECOVERY_CRITICAL_MAINTAINERS = 5
    settings.LIFELINE_RECOVERY_CRITICAL_RELEASES = 3
    victim = UserFactory(username="alice")
    _maintained_project(victim, maintainers=2, releases=1)
    assert account_is_critical(victim) == (False, [])
