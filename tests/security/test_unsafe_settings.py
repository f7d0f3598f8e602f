"""Attack (or accident): switch a recovery protection off through a setting.

Before the fix nothing stopped a production deployment from running with a cooling-off of 0,
a critical threshold of 0 (no two-person rule) or auto-approval with no time for the owner
to object. Now each is a system-check error in production (every command refuses to start)
and a warning in development.
"""

from __future__ import annotations

import pytest
from django.core.checks import Error, Warning
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from lifeline.recovery.checks import recovery_protections

UNSAFE = [
    ({"LIFELINE_RECOVERY_COOLING_OFF_HOURS": 0}, "101"),
    ({"LIFELINE_RECOVERY_COOLING_OFF_STRONG_HOURS": -5}, "101"),
    ({"LIFELINE_RECOVERY_COOLING_OFF_STRONG_HOURS": 200}, "102"),
    ({"LIFELINE_RECOVERY_CRITICAL_RELEASES": 0}, "103"),
    ({"LIFELINE_RECOVERY_CRITICAL_MAINTAINERS": 0}, "103"),
    (
        {"LIFELINE_RECOVERY_AUTO_APPROVE": True, "LIFELINE_RECOVERY_COOLING_OFF_STRONG_HOURS": 1},
        "104",
    ),
    ({"LIFELINE_RECOVERY_SUBMITTED_TTL_HOURS": 0}, "105"),
    ({"LIFELINE_RECOVERY_SUBMITTED_TTL_HOURS": 24 * 365}, "105"),
    ({"LIFELINE_RECOVERY_RESTORE_LINK_HOURS": 24 * 90}, "106"),
    ({"LIFELINE_RECOVERY_CANCEL_LINK_DAYS": 3}, "107"),
    ({"LIFELINE_RECOVERY_MIN_JUSTIFICATION": 0}, "108"),
    ({"LIFELINE_RECOVERY_OWNER_ALERTS_PER_DAY": 0}, "109"),
    # What the environment passes through as strings, malformed: refused at start-up, not at
    # the first tick (where one failing timer would stop the cooling-off timers after it).
    ({"LIFELINE_RECOVERY_NEEDS_INFO_DAYS": "30d"}, "110"),
    ({"LIFELINE_RECOVERY_EMAIL_CODE_DIGITS": "eight"}, "110"),
    ({"LIFELINE_DESK_SLA_DAYS": "a week"}, "110"),
]


def apply(settings, overrides: dict, *, production: bool) -> None:
    settings.PRODUCTION = production
    for name, value in overrides.items():
        setattr(settings, name, value)


def ids(messages) -> set[str]:
    return {m.id for m in messages}


def test_defaults_pass(settings):
    settings.PRODUCTION = True
    settings.LIFELINE_RECOVERY_AUTO_APPROVE = True  # with the default 24 h cooling-off
    assert recovery_protections() == []


@pytest.mark.parametrize(("overrides", "code"), UNSAFE)
def test_unsafe_setting_is_an_error_in_production(settings, overrides, code):
    apply(settings, overrides, production=True)
    messages = recovery_protections()
    assert f"lifeline.recovery.E{code}" in ids(messages)
    assert all(isinstance(m, Error) for m in messages)


@pytest.mark.parametrize(("overrides", "code"), UNSAFE)
def test_unsafe_setting_is_a_warning_in_development(settings, overrides, code):
    apply(settings, overrides, production=False)
    messages = recovery_protections()
    assert f"lifeline.recovery.W{code}" in ids(messages)
    assert all(isinstance(m, Warning) and not isinstance(m, Error) for m in messages)


@pytest.mark.django_db
def test_production_refuses_to_start(settings):
    apply(settings, {"LIFELINE_RECOVERY_COOLING_OFF_HOURS": 0}, production=True)
    with pytest.raises(SystemCheckError, match=r"lifeline\.recovery\.E101"):
        call_command("check")
