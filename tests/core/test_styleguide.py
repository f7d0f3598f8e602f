"""/_dev/styleguide/: only in development, and it shows every component docs/design.md lists."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import override_settings

from lifeline.desk import svg
from tests.core.test_css_vocabulary import DESIGN_DOC, STYLESHEETS

URL = "/_dev/styleguide/"


class _Classes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.classes: set[str] = set()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "class" and value:
                self.classes |= set(value.split())
            elif name == "id" and value:
                self.ids.append(value)


def parse(html: str) -> _Classes:
    parser = _Classes()
    parser.feed(html)
    return parser


def component_classes() -> set[str]:
    lines = DESIGN_DOC.read_text().splitlines()
    return {
        c for line in lines if line.startswith("Classes:") for c in re.findall(r"`([\w-]+)`", line)
    }


@pytest.fixture
def page(client, db) -> str:
    with override_settings(LIFELINE_DEV_OUTBOX=True):
        response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("debug", [False, True])
def test_exists_only_in_development(client, db, debug):
    with override_settings(DEBUG=debug, LIFELINE_DEV_OUTBOX=False):
        response = client.get(URL)
    assert response.status_code == (200 if debug else 404)


def test_renders_every_component_class_design_md_lists(page):
    listed = component_classes()
    assert len(listed) > 80  # the doc's Classes: lines were read
    missing = sorted(listed - parse(page).classes)
    assert not missing, f"docs/design.md lists classes the styleguide does not show: {missing}"


def test_shows_both_palettes_with_unique_ids(page):
    parsed = parse(page)
    assert {"scheme-light", "scheme-dark"} <= parsed.classes
    duplicates = sorted({i for i in parsed.ids if parsed.ids.count(i) > 1})
    assert not duplicates


def test_shows_the_form_partial_fresh_and_with_errors(page):
    assert 'for="light-fresh-username">Username</label>' in page
    assert 'id="light-fresh-username_helptext"' in page
    # Django links the error and the help text; the partial gives them those ids.
    email = re.search(r'<input type="email"[^>]*id="dark-invalid-email"[^>]*>', page)
    assert email, "the invalid form's email input"
    assert 'aria-invalid="true"' in email.group(0)
    assert 'id="dark-invalid-email_error"' in page
    assert "A non-field error" in page
    # choice_help renders a line under each radio choice.
    assert "The usual case: nothing suggests a compromise." in page


def test_chart_samples_use_the_classes_desk_svg_writes(page):
    written = parse(
        svg.hbar_chart("t", [("a", 1), ("b", 2)], css_class="multi")
        + svg.stacked_columns("t", [("w1", 1, 2)], legend=("x", "y"))
    ).classes
    assert written <= parse(page).classes


def test_the_dark_palette_is_written_the_same_twice():
    css = STYLESHEETS[0].read_text()
    media = re.search(r"@media \(prefers-color-scheme: dark\) \{\s*:root \{(.*?)\}", css, re.S)
    scheme = re.search(r"\n\.scheme-dark \{(.*?)\}", css, re.S)
    assert media and scheme

    def tokens(block: str) -> dict[str, str]:
        return dict(re.findall(r"(--[\w-]+):\s*([^;]+);", block))

    assert tokens(media.group(1)) == tokens(scheme.group(1))
    assert len(tokens(media.group(1))) > 20
