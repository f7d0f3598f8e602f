"""The project page shows the long description rendered as PyPI does, sanitised, stored once."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifeline.index import readme
from lifeline.index.models import Release
from tests.index.helpers import upload

pytestmark = pytest.mark.django_db

MARKDOWN = """# Demo package

Some **bold** text and a [link](https://example.com/docs).

## Install

```python
import demo
print(demo.VALUE)
```

| Option | Meaning |
|--------|---------|
| `fast` | go fast |

<script>alert("readme")</script>
<img src="https://example.com/x.png" onerror="alert(1)" alt="logo">
<a href="javascript:alert(2)">click</a>
[md link](javascript:alert(3))
<div id="description-h" onclick="alert(4)">takes the page's id</div>
"""

RST = """Demo package
============

A paragraph with ``code``.

Usage
-----

.. code-block:: python

   import demo

`Docs <https://example.com/docs>`_
"""


def _page(client, name="demo-pkg"):
    response = client.get(f"/projects/{name}/")
    assert response.status_code == 200
    return response.content.decode()


def _readme(html: str) -> str:
    match = re.search(r'<div class="readme">(.*?)</div>\s*</section>', html, re.S)
    assert match, "the page has no rendered README"
    return match[1]


def test_markdown_readme_is_rendered_and_sanitised(client, maintainer, token):
    response = upload(
        client,
        token,
        "demo-pkg",
        "1.0",
        description=MARKDOWN,
        description_content_type="text/markdown; charset=UTF-8; variant=GFM",
    )
    assert response.status_code == 200
    html = _page(client)
    body = _readme(html)
    # Headings sit under the page's "Project description" h2: one h1 per page.
    assert "<h3" in body and ">Demo package" in body and "<h4" in body and ">Install" in body
    assert html.count("<h1") == 1 and "<h1" not in body
    assert "<strong>bold</strong>" in body
    assert '<a href="https://example.com/docs" rel="nofollow">link</a>' in body
    assert re.search(r"<pre[^>]*>.*import.*demo", body, re.S)
    assert "lang=" not in body  # "python" is not a human language
    assert '<div class="readme-table" tabindex="0"><table>' in body and "<th>Option</th>" in body
    # Sanitised: no script, no handler, no javascript: URL survive as markup.
    assert "<script" not in body and "onerror" not in body and "onclick" not in body
    assert 'href="javascript:' not in body
    # A README cannot take an id the page uses; empty heading permalinks are gone.
    assert html.count('id="description-h"') == 1 and 'id="readme-description-h"' in body
    assert not re.search(r"<a [^>]*></a>", body)


def test_rst_readme_and_the_default_type(client, maintainer, token):
    upload(client, token, "demo-pkg", "1.0", description=RST)  # no type: reStructuredText
    body = _readme(_page(client))
    assert "<h3>Demo package</h3>" in body and "<h4>Usage</h4>" in body
    assert '<section id="readme-user-content-usage">' in body
    assert not re.search(r"<a [^>]*></a>", body)  # the empty "link to this section" anchors
    assert '<span class="docutils literal">code</span>' in body
    assert '<a href="https://example.com/docs" rel="nofollow">Docs</a>' in body


def test_invalid_rst_falls_back_to_plain_text(client, maintainer, token):
    broken = "Title\n=====\n\n``not closed <b>bold?</b>"
    upload(
        client, token, "demo-pkg", "1.0", description=broken, description_content_type="text/x-rst"
    )
    body = _readme(_page(client))
    assert "``not closed" in body and "&lt;b&gt;bold?&lt;/b&gt;" in body and "<b>" not in body


def test_plain_text_keeps_its_lines_and_escapes_markup(client, maintainer, token):
    upload(
        client,
        token,
        "demo-pkg",
        "1.0",
        description="line one\nline <two> & three",
        description_content_type="text/plain",
    )
    body = _readme(_page(client))
    assert body.startswith("<pre>") and "line one<br>line &lt;two&gt; &amp; three" in body


def test_rendered_once_at_upload_not_per_view(client, maintainer, token):
    upload(
        client,
        token,
        "demo-pkg",
        "1.0",
        description=MARKDOWN,
        description_content_type="text/markdown",
    )
    release = Release.objects.get()
    assert "<table>" in release.description_html
    assert release.description_rendered_by == readme.RENDERER
    with CaptureQueriesContext(connection) as queries:
        _page(client)
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def test_a_release_never_rendered_is_rendered_on_first_view_and_stored(client, maintainer, token):
    """Releases uploaded before rendering existed (or by an older renderer) get it lazily."""
    upload(
        client,
        token,
        "demo-pkg",
        "1.0",
        description="# Old",
        description_content_type="text/markdown",
    )
    Release.objects.update(description_html="", description_rendered_by="")
    assert re.search(r"<h3[^>]*>Old", _readme(_page(client)))
    stored = Release.objects.get()
    assert "Old" in stored.description_html and stored.description_rendered_by == readme.RENDERER


def test_no_description_no_section(client, maintainer, token):
    upload(client, token, "demo-pkg", "1.0")
    Release.objects.update(description="", description_html="", description_rendered_by="")
    assert 'class="readme"' not in _page(client)


def test_unknown_markdown_variant_and_type_fall_back_to_text():
    variant = readme.render_description(
        description="# x <i>", content_type="text/markdown; variant=Nope"
    )
    assert variant == "# x &lt;i&gt;"
    assert readme.render_description(description="a <b>", content_type="text/html") == (
        "a &lt;b&gt;"
    )
    assert readme.render_description(description="  \n", content_type="text/markdown") == ""


def test_sha256_is_shown_whole_in_the_files_table(client, maintainer, token):
    upload(client, token, "demo-pkg", "1.0")
    html = _page(client)
    digest = Release.objects.get().files.get().sha256_digest
    assert f'<code class="digest">{digest}</code>' in html
    assert 'data-label="SHA-256"' in html
