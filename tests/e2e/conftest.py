"""Browser journeys: every page a journey visits is looked at as a person would (page_checks)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.e2e.page_checks import PageChecks


def new_context(browser: Browser, live_url: str, **options: Any) -> BrowserContext:
    context = browser.new_context(base_url=live_url, **options)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def page_checks(browser: Browser, live_url: str) -> Iterator[PageChecks]:
    """The checks watching ``page``'s context (see page_checks.py); fails the test at the end
    with every problem found, each naming its URL."""
    checks = PageChecks(new_context(browser, live_url))
    try:
        yield checks
        checks.assert_clean()
    finally:
        checks.context.close()


@pytest.fixture
def page(page_checks: PageChecks) -> Page:
    """The suite's ``page`` (overrides tests/conftest.py): every document it shows is checked."""
    return page_checks.context.new_page()
