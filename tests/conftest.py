"""Shared fixtures. Composable: ``user``, ``client_logged_in``, ``live_url``, ``page``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.core import mail

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytest_plugins = ["tests.fixtures_mfa"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


_TRANSACTIONAL = {"transactional_db", "live_server", "live_url", "page"}


@pytest.fixture(autouse=True)
def _isolated_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """Rate-limit counters live in the (database) cache; start every DB test with a clean one."""
    names = set(request.fixturenames)
    if names & _TRANSACTIONAL:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def client_logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def outbox() -> list:
    """The messages delivered so far (tasks run in-process in tests)."""
    return mail.outbox


def _chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


@pytest.fixture(scope="session")
def browser():
    if not _chromium_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is missing at {CHROMIUM}; CI must install it (apt chromium).")
        pytest.skip(
            f"Chromium not found at {CHROMIUM}; install it with `apt-get install chromium`."
        )
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def live_url(live_server, settings, transactional_db) -> str:
    """The live server's base URL (http://localhost:PORT), also used in emailed links.

    Emails go to the real development outbox, so journeys read them at /_dev/outbox/ the
    way a newcomer would.
    """
    settings.LIFELINE_BASE_URL = live_server.url
    settings.MAILERS = {"default": {"BACKEND": "lifeline.notifications.outbox.OutboxBackend"}}
    settings.LIFELINE_DEV_OUTBOX = True
    return live_server.url


@pytest.fixture
def page(browser, live_url):
    context = browser.new_context(base_url=live_url)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()
