"""Render a release's long description (its README) to safe HTML, as PyPI does.

The renderer is chosen by ``Description-Content-Type``: ``text/markdown`` (``variant=GFM`` by
default, or ``CommonMark``), ``text/x-rst``, ``text/plain``; with no type, reStructuredText.
When the chosen renderer fails (invalid reStructuredText, an unknown Markdown variant) the
text is shown as plain text, never dropped. ``readme_renderer`` sanitises its output with nh3:
no scripts, no event handlers, only http/https/mailto links.

Then the HTML is fitted into the project page:
- headings move down two levels, so the README's ``# Title`` sits under the page's
  "Project description" heading (one ``h1`` per page, no skipped levels);
- every ``id`` gets a ``readme-`` prefix (and in-page links follow), so a README cannot take an
  id the page relies on (``aria-labelledby``, skip links);
- the empty permalink anchors the renderers put in headings are removed (a link with no text
  is unusable with a screen reader), and so is ``lang="python"`` on code blocks (``lang``
  names a human language; axe rejects it);
- a table sits in a box that scrolls sideways when it is wider than the page, and can take
  the keyboard focus so that it can be scrolled without a mouse.

The result is stored on the release at upload (``description_html``), with the renderer
version that made it (``description_rendered_by``), so a page view never renders; a release
rendered by an older version, or created before this existed, is rendered again on its first
view and stored (``ensure_rendered``).
"""

from __future__ import annotations

import re
from email.message import Message
from importlib.metadata import version

import readme_renderer.markdown
import readme_renderer.rst
import readme_renderer.txt

from lifeline.index.models import Release

# What made a stored rendering; bump FITTING when _fit_into_page changes, and stored
# renderings are redone on their next view.
FITTING = 3
RENDERER = f"readme_renderer {version('readme_renderer')}; page fitting {FITTING}"

_HEADING = re.compile(r"<(/?)h([1-6])\b")
_ID = re.compile(r' id="([^"]*)"')
_FRAGMENT = re.compile(r' href="#([^"]*)"')
_PRE_LANG = re.compile(r'<pre([^>]*?) lang="[^"]*"')
_TABLE_OPEN = re.compile(r"<table\b")
_TABLE_CLOSE = re.compile(r"</table>")
_EMPTY_PERMALINK = re.compile(r'<a [^>]*?href="#[^"]*"[^>]*></a>')


def _parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    message = Message()
    message["Content-Type"] = value
    params = {k.lower(): v for k, v in message.get_params(failobj=[])[1:] if isinstance(v, str)}
    return message.get_content_type(), params


def render_description(*, description: str, content_type: str) -> str:
    """The description as sanitised HTML ('' when there is none)."""
    if not description.strip():
        return ""
    kind, params = _parse_content_type(content_type or "text/x-rst")
    if kind == "text/markdown":
        html = readme_renderer.markdown.render(description, variant=params.get("variant", "GFM"))
    elif kind == "text/plain":
        html = readme_renderer.txt.render(description)
        html = f"<pre>{html}</pre>" if html is not None else None
    elif kind == "text/x-rst" or not content_type:
        html = readme_renderer.rst.render(description)
    else:
        html = None
    if html is None:
        html = readme_renderer.txt.render(description) or ""
    return _fit_into_page(html)


def _fit_into_page(html: str) -> str:
    html = _EMPTY_PERMALINK.sub("", html)
    html = _PRE_LANG.sub(r"<pre\1", html)
    html = _TABLE_OPEN.sub('<div class="readme-table" tabindex="0"><table', html)
    html = _TABLE_CLOSE.sub("</table></div>", html)
    html = _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 2, 6)}", html)
    html = _ID.sub(lambda m: f' id="readme-{m[1]}"', html)
    return _FRAGMENT.sub(lambda m: f' href="#readme-{m[1]}"', html)


def rendered_fields(*, description: str, content_type: str) -> dict[str, str]:
    """The ``Release`` fields that hold the rendering, ready for ``create(**...)``."""
    return {
        "description_html": render_description(description=description, content_type=content_type),
        "description_rendered_by": RENDERER,
    }


def ensure_rendered(release: Release) -> Release:
    """Render and store the description if it was never rendered, or by another version."""
    if release.description_rendered_by != RENDERER:
        fields = rendered_fields(
            description=release.description, content_type=release.description_content_type
        )
        Release.objects.filter(pk=release.pk).update(**fields)
        for key, value in fields.items():
            setattr(release, key, value)
    return release
