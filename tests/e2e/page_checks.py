"""Look at every page a journey visits the way a person would.

``PageChecks(context)`` checks every document any page of the browser context shows, with
nothing asked of the journey: every ``page.goto``, link click, form post, redirect and
reload is covered. Each document gets:

- axe-core (the copy shipped by ``axe-playwright-python``), every rule, 0 violations of any
  impact;
- no template syntax (``{{``, ``{%``, ``%}``), stray attribute text (``" tabindex="-1">``)
  or markup in the visible text;
- a ``<title>`` that is plain text;
- exactly one ``h1``;
- one ``main``, one banner, one contentinfo, and navigation landmarks that are named, with
  distinct names.

How: an init script (exempt from the page's CSP, like a browser extension) runs the checks in
each document once it is parsed and styled and reports through an exposed binding. A main-frame
navigation request is held (``page.route``) until the document being left has reported, so a
journey that clicks on quickly never skips a page. ``check_now(label)`` checks the document
on screen again, for example after switching the colour scheme or the viewport.

Problems are collected, each naming its URL, and reported together when the journey ends
(``assert_clean``), so one run shows every defect rather than the first.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Frame, Page, Request, Route

_AXE = Axe()
_AXE_OPTIONS = {"resultTypes": ["violations"]}
_REPORT_WAIT_S = 30.0

_HERE = Path(__file__).parent
# The checks axe does not make: a function of no arguments returning plain-words problems.
DOM_CHECKS = (_HERE / "page_checks.js").read_text().split("\n", 2)[2]  # minus the comment
_INIT_SCRIPT = (
    "(() => {\n"
    "if (window.top !== window || !/^https?:$/.test(location.protocol)) return;\n"
    f"{_AXE.axe_script}\n;const lifelineAxe = window.axe;\n"
    f"const domChecks = {DOM_CHECKS};\n"
    f"{(_HERE / 'page_checks_init.js').read_text()}\n"
    "})();\n"
)


@dataclass
class _Doc:
    page: Page
    url: str
    opened: bool = False


@dataclass
class PageChecks:
    """Checks every document the context's pages show; ``problems`` names each URL."""

    context: BrowserContext
    label: str = ""
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    # Documents shown but not yet reported: committed (key: the page) until their init
    # script announces them, then keyed by the script's document id.
    _pending: dict[Any, _Doc] = field(default_factory=dict)
    _urls: dict[Page, str] = field(default_factory=dict)
    _announced: dict[Page, tuple[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.context.expose_binding("__lifelinePageOpened", self._opened)
        self.context.expose_binding("__lifelinePageChecked", self._reported)
        self.context.add_init_script(_INIT_SCRIPT)
        self.context.on("page", self._watch)
        for page in self.context.pages:
            self._watch(page)

    # -- wiring ---------------------------------------------------------------------------
    def _watch(self, page: Page) -> None:
        def hold_navigation(route: Route, request: Request) -> None:
            if request.is_navigation_request() and request.frame == page.main_frame:
                self.wait_for_checks(page)
            route.fallback()

        def committed(frame: Frame) -> None:
            # A new document in the main frame; its init script announces it shortly. (A
            # same-document move, such as following #main, makes no new document.)
            if frame is not page.main_frame:
                return
            previous = self._urls.get(page, "")
            self._urls[page] = frame.url
            same_document = "#" in frame.url and frame.url.split("#")[0] == previous.split("#")[0]
            announced = self._announced.get(page, ("", 0.0))
            already = announced[0] == frame.url and time.monotonic() - announced[1] < 2
            if frame.url.startswith(("http://", "https://")) and not (same_document or already):
                self._pending[page] = _Doc(page=page, url=frame.url)

        page.route("**/*", hold_navigation)
        page.on("framenavigated", committed)

    def _opened(self, source: dict, doc_id: str, url: str) -> None:
        page = source["page"]
        self._pending.pop(page, None)
        self._announced[page] = (url, time.monotonic())
        self._pending[doc_id] = _Doc(page=page, url=url, opened=True)

    def _reported(
        self, source: dict, doc_id: str, url: str, problems: list, violations: list
    ) -> None:
        self._pending.pop(doc_id, None)
        self._record(url, self.label, problems, violations)

    def _record(self, url: str, label: str, problems: list, violations: list) -> None:
        where = f"{url} [{label}]" if label else url
        self.checked.append(url)
        self.problems += [f"{where}: {problem}" for problem in problems]
        self.problems += [f"{where}: {_describe(violation)}" for violation in violations]

    def _waiting(self, page: Page | None) -> list[tuple[Any, _Doc]]:
        return [(k, d) for k, d in self._pending.items() if page is None or d.page is page]

    # -- API ------------------------------------------------------------------------------
    def wait_for_checks(self, page: Page | None = None) -> None:
        """Wait until every document shown so far (in ``page``, or any page) has reported."""
        deadline = time.monotonic() + _REPORT_WAIT_S
        waiting = self._waiting(page)
        while waiting and time.monotonic() < deadline:
            waiting[0][1].page.wait_for_timeout(25)
            waiting = self._waiting(page)
        for key, doc in waiting:
            self.problems.append(
                f"{doc.url}: the page was never checked (its check did not finish)"
            )
            self._pending.pop(key, None)

    def check_now(self, page: Page, label: str) -> None:
        """Check the document on screen again (say after a colour scheme or viewport change)."""
        self.wait_for_checks(page)
        problems = page.evaluate(DOM_CHECKS)
        violations = _AXE.run(page, options=_AXE_OPTIONS).response["violations"]
        self._record(page.url, label, problems, violations)

    def assert_clean(self) -> None:
        self.wait_for_checks()
        assert not self.problems, (
            f"{len(self.problems)} problem(s) a person would see on the pages visited:\n"
            + "\n".join(f"- {p}" for p in dict.fromkeys(self.problems))
        )


def _describe(violation: dict) -> str:
    nodes = violation.get("nodes", [])
    shown = []
    for node in nodes[:4]:
        target = " ".join(map(str, node.get("target", [])))
        summary = " ".join((node.get("failureSummary") or "").split())
        shown.append(f"{target} — {summary[:240]}")
    more = f" (+{len(nodes) - 4} more)" if len(nodes) > 4 else ""
    return (
        f"axe {violation['id']} ({violation.get('impact')}): {violation.get('help')}: "
        + "; ".join(shown)
        + more
    )
