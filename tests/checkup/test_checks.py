"""System checks for the reachability settings."""

from __future__ import annotations

from lifeline.checkup.checks import reachability_settings


def ids(settings) -> list[str]:
    return [m.id for m in reachability_settings()]


def test_a_short_webhook_secret_is_refused_in_production(settings):
    settings.LIFELINE_BOUNCE_WEBHOOK_SECRET = "short"
    settings.PRODUCTION = False
    assert ids(settings) == ["lifeline.checkup.W001"]
    settings.PRODUCTION = True
    assert ids(settings) == ["lifeline.checkup.E001"]
    settings.LIFELINE_BOUNCE_WEBHOOK_SECRET = "x" * 32
    assert ids(settings) == []


def test_no_secret_is_fine_the_endpoint_is_off(settings):
    settings.LIFELINE_BOUNCE_WEBHOOK_SECRET = ""
    settings.PRODUCTION = True
    assert ids(settings) == []


def test_an_unknown_backend_is_an_error(settings):
    settings.LIFELINE_DOMAIN_STATUS_BACKEND = "nonexistent.module.Backend"
    assert ids(settings) == ["lifeline.checkup.E002"]
