"""What a person reads in a rendered page, for view tests that run without a browser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_INVISIBLE = {"script", "style", "template", "head"}
TEMPLATE_SYNTAX = re.compile(r"\{\{|\{%|%\}|\{#|#\}")
STRAY_ATTRIBUTE = re.compile(r"\"\s*(?:/?>|[a-z][a-z-]*=[\"'])", re.I)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.in_title = False
        self.title = ""
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "title":
            self.in_title = True
        if tag in _INVISIBLE:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _INVISIBLE:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        elif not self.hidden:
            self.parts.append(data)


def page_text(html: str) -> tuple[str, str]:
    """(title, visible text) of an HTML page."""
    parser = _Text()
    parser.feed(html)
    return parser.title.strip(), " ".join(" ".join(parser.parts).split())


def assert_reads_cleanly(html: str) -> None:
    """A plain-text title; no template syntax or stray attribute text in the visible text."""
    title, text = page_text(html)
    assert title and not re.search(r"[<>]", title) and not TEMPLATE_SYNTAX.search(title), title
    for pattern in (TEMPLATE_SYNTAX, STRAY_ATTRIBUTE):
        match = pattern.search(text)
        if match:
            around = text[max(0, match.start() - 60) : match.end() + 60]
            raise AssertionError(f"{pattern.pattern!r} in the visible text: …{around}…")
