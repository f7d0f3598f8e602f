import subprocess
import sys
from pathlib import Path

from lifeline.core.checks import public_addresses_in_production
from tests.ops.services import production_env


def _ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_production_without_base_url_or_support_address_refuses_to_start(settings):
    settings.PRODUCTION = True
    settings.LIFELINE_BASE_URL = ""
    settings.LIFELINE_SUPPORT_EMAIL = ""
    assert _ids(public_addresses_in_production()) == ["lifeline.E001", "lifeline.E002"]
    # An error (not a warning): every management command, migrate included, stops on it.
    assert all(m.is_serious() for m in public_addresses_in_production())


def test_production_with_a_relative_base_url_is_refused(settings):
    settings.PRODUCTION = True
    settings.LIFELINE_BASE_URL = "pypi.example.org"
    settings.LIFELINE_SUPPORT_EMAIL = "support@pypi.example.org"
    assert _ids(public_addresses_in_production()) == ["lifeline.E001"]


def test_production_with_both_set_is_clean(settings):
    settings.PRODUCTION = True
    settings.LIFELINE_BASE_URL = "https://pypi.example.org"
    settings.LIFELINE_SUPPORT_EMAIL = "support@pypi.example.org"
    assert public_addresses_in_production() == []


def test_development_derives_both(settings):
    settings.PRODUCTION = False
    settings.LIFELINE_BASE_URL = ""
    settings.LIFELINE_SUPPORT_EMAIL = ""
    assert public_addresses_in_production() == []


def test_production_settings_have_no_base_url_or_support_default(tmp_path):
    """The settings module itself: production invents neither address (so E001/E002 fire)."""
    env = production_env(str(tmp_path))
    del env["LIFELINE_BASE_URL"], env["LIFELINE_SUPPORT_EMAIL"]
    result = subprocess.run(
        [sys.executable, "-m", "lifeline", "check"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "lifeline.E001" in result.stderr and "lifeline.E002" in result.stderr
