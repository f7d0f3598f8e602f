"""The project page as a person sees it: README rendered, SHA-256 whole, axe-clean, desktop
and phone, light and dark.

Set ``LIFELINE_SCREENSHOT_DIR`` to keep a screenshot of each variant.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from lifeline.index.models import File
from lifeline.index.simple import render
from tests.index.helpers import make_token, make_user_with_2fa, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

README = """# Lifeline demo

A package to show how a **README** looks on the project page, with a
[link to the docs](https://example.com/docs).

## Install

```console
$ pip install lifeline-demo
```

## Use

```python
from lifeline_demo import greet

def main() -> None:
    print(greet("world"))  # a long comment that goes on and on to see how a long line wraps
```

| Option   | Default | Meaning                          |
|----------|---------|----------------------------------|
| `fast`   | `false` | Skip the slow checks.            |
| `colour` | `auto`  | Colour the output when a TTY.    |

| a | very | wide | table | with | many | columns | that | cannot | fit | on | a | phone | screen |
|---|------|------|-------|------|------|---------|------|--------|-----|----|---|-------|--------|
| 1 | 2    | 3    | 4     | 5    | 6    | 7       | 8    | 9      | 10  | 11 | 12| 13    | 14     |

> Note: this is a quote.

- one
- two
"""

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def project_url(live_url, settings, tmp_path) -> str:
    settings.MEDIA_ROOT = tmp_path / "files"
    render.cache.clear()
    owner = make_user_with_2fa(username="maria")
    token = make_token(owner)
    client = Client()
    for kind in ("wheel", "sdist"):
        response = upload(
            client,
            token,
            "lifeline-demo",
            "1.0",
            kind=kind,
            description=README,
            description_content_type="text/markdown",
        )
        assert response.status_code == 200, response.content
    return f"{live_url}/projects/lifeline-demo/"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_project_page_shows_readme_and_whole_digests(browser, project_url, viewport, scheme):
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    page = context.new_page()
    try:
        page.goto(project_url)
        readme = page.locator(".readme")
        assert readme.locator("h3", has_text="Lifeline demo").is_visible()
        assert readme.locator("pre").count() == 2 and readme.locator("table").count() == 2
        assert page.locator("h1").count() == 1
        # Nothing in the README or the files table is wider than the page.
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        for digest in File.objects.values_list("sha256_digest", flat=True):
            cell = page.locator("code.digest", has_text=digest)
            assert cell.inner_text().replace("\n", "") == digest
            clipped = cell.evaluate(
                "el => { const wrap = el.closest('.table-wrap');"
                " const a = el.getBoundingClientRect(), b = wrap.getBoundingClientRect();"
                " return a.left < b.left || a.right > b.right"
                " || wrap.scrollWidth > wrap.clientWidth; }"
            )
            assert not clipped, f"SHA-256 clipped at {viewport}"
        violations = Axe().run(page, options={"resultTypes": ["violations"]}).response["violations"]
        assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
        shots = os.environ.get("LIFELINE_SCREENSHOT_DIR")
        if shots:
            page.screenshot(path=str(Path(shots) / f"h4-{viewport}-{scheme}.png"), full_page=True)
    finally:
        context.close()
