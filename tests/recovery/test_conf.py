"""Recovery settings: defaults in lifeline/recovery/conf.py, the environment's strings typed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from lifeline.recovery import conf


def test_defaults_apply_when_settings_are_silent():
    assert conf.cooling_off_other().days == 7
    assert conf.rate_limit("submit_ip") == "5/h"
    assert conf.auto_approve() is False


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("LIFELINE_RECOVERY_COOLING_OFF_HOURS", "48", 48),
        ("LIFELINE_RECOVERY_AUTO_APPROVE", "0", False),
        ("LIFELINE_RECOVERY_AUTO_APPROVE", "true", True),
        ("LIFELINE_RECOVERY_FETCH_ALLOW_PRIVATE", "off", False),
        ("LIFELINE_CODE_OF_CONDUCT_URL", "https://example.org/coc", "https://example.org/coc"),
    ],
)
def test_environment_strings_take_the_default_type(settings, name, raw, expected):
    """settings.py passes LIFELINE_* variables through as strings (env_overrides)."""
    setattr(settings, name, raw)
    assert conf.get(name) == expected
    assert type(conf.get(name)) is type(expected)


def test_a_malformed_number_is_a_clear_configuration_error(settings):
    settings.LIFELINE_RECOVERY_COOLING_OFF_HOURS = "a week"
    with pytest.raises(ImproperlyConfigured, match="expected int"):
        conf.cooling_off_other()


def test_the_environment_reaches_the_setting(tmp_path):
    """End to end: a variable set before Django starts is what conf.get returns."""
    import os
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from lifeline.recovery import conf; "
        "print(conf.cooling_off_other().total_seconds(), conf.auto_approve())"
    )
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "lifeline.settings",
        "LIFELINE_VAR_DIR": str(tmp_path),
        "LIFELINE_RECOVERY_COOLING_OFF_HOURS": "36",
        "LIFELINE_RECOVERY_AUTO_APPROVE": "no",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["129600.0", "False"]
