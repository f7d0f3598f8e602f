"""Page slots: fragments upper apps add to a lower app's page (lifeline/core/page_slots.py)."""

from __future__ import annotations

import pytest
from django.template import RequestContext, Template
from django.test import RequestFactory

from lifeline.core.page_slots import fragments, register_fragment, unregister_fragment

BUTTON = "includes/copy_button.html"


@pytest.fixture
def slot():
    name = "test:slot"
    yield name
    for fragment in fragments(name):
        unregister_fragment(name, fragment.template)


def render(text: str, **values) -> str:
    request = RequestFactory().get("/")
    return Template("{% load page_slots %}" + text).render(RequestContext(request, values))


def test_an_unfilled_slot_renders_nothing(slot):
    assert render('<p>{% page_slot "test:slot" %}</p>') == "<p></p>"


def test_a_fragment_renders_with_its_own_context_escaped(slot):
    register_fragment(slot, BUTTON, lambda request: {"target": "x", "what": f"<{request.path}>"})
    html = render('{% page_slot "test:slot" %}', target="not-this")
    assert 'data-copy="x"' in html  # the fragment's context, not the page's
    assert "&lt;/&gt;" in html  # autoescaped like any template


def test_fragments_come_by_order_then_template_and_register_once(slot):
    register_fragment(slot, "b.html", dict, order=5)
    register_fragment(slot, "a.html", dict, order=5)
    register_fragment(slot, "c.html", dict, order=1)
    register_fragment(slot, "c.html", dict, order=1)
    assert [f.template for f in fragments(slot)] == ["c.html", "a.html", "b.html"]
