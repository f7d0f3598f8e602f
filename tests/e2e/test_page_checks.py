"""The page checks themselves: a page with the defects issue 10 found is reported, by URL."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import new_context
from tests.e2e.page_checks import PageChecks

pytestmark = pytest.mark.browser

BROKEN = """<!doctype html><html lang="en"><head><title>Account security<section class="card">
<h2>Delete account</h2></section> · Lifeline</title></head><body>
<header>Lifeline</header><nav>one</nav><nav>two</nav>
<main class="container settings<section>" tabindex="-1"><h1>Account security</h1>
<p>" tabindex="-1"> {{ user.name }}</p><h1>Again</h1><input type="text">
<p style="color:#bbb;background:#fff">Faint text</p></main><main></main></body></html>"""


def test_a_broken_page_is_reported_with_its_url(browser, live_url):
    context = new_context(browser, live_url)
    checks = PageChecks(context)
    page = context.new_page()
    page.route("**/broken/", lambda route: route.fulfill(body=BROKEN, content_type="text/html"))
    page.goto("/broken/")
    page.goto("/")  # leaving the page: its check must have reported by now
    context.close()

    broken = "\n".join(p for p in checks.problems if p.startswith(f"{live_url}/broken/: "))
    for expected in (
        "<title> holds markup",
        "stray attribute text in the visible text",
        "template syntax in the visible text",
        "2 h1 elements",
        "2 main landmarks",
        "0 contentinfo landmarks",
        "a navigation landmark has no name",
        "axe label (critical)",
        "axe color-contrast (serious)",
    ):
        assert expected in broken, f"{expected!r} not reported:\n{broken}"
    assert not [p for p in checks.problems if p.startswith(f"{live_url}/: ")], checks.problems
