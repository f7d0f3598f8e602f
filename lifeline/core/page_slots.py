"""Places in a lower app's page where upper apps add a fragment, without being imported.

A template of a lower app must not load an upper app's tag library (the layers in
pyproject.toml, checked for templates by tests/core/test_template_layers.py). Instead the page
names a slot, ``{% load page_slots %}{% page_slot "nav:account" %}``, and an upper app fills
it from its ``AppConfig.ready``::

    register_fragment("nav:account", "checkup/includes/nav_badge.html", nav_badge_context)

``context(request)`` returns the fragment template's context; ``csrf_token`` is added for
forms. An unfilled slot renders nothing. Slots in use: ``nav:account`` (after "Account
security" in base.html's navigation) and ``security:top|middle|bottom`` (the account security
page, through ``lifeline.accounts.security_page``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

FragmentContext = Callable[[HttpRequest], dict[str, Any]]


@dataclass(frozen=True)
class Fragment:
    slot: str
    template: str
    context: FragmentContext
    order: int = 100


_fragments: dict[tuple[str, str], Fragment] = {}


def register_fragment(
    slot: str, template_name: str, context: FragmentContext, *, order: int = 100
) -> None:
    """Add (or replace: registering the same template twice is harmless) a fragment."""
    _fragments[(slot, template_name)] = Fragment(slot, template_name, context, order)


def unregister_fragment(slot: str, template_name: str) -> None:
    _fragments.pop((slot, template_name), None)


def fragments(slot: str) -> list[Fragment]:
    """The fragments of ``slot``, by ``order`` then template name (a stable page)."""
    found = [fragment for fragment in _fragments.values() if fragment.slot == slot]
    return sorted(found, key=lambda fragment: (fragment.order, fragment.template))


def render_slot(context: template.Context, slot: str) -> SafeString:
    """Every fragment of ``slot``, rendered as an inclusion tag would be (same engine, a fresh
    autoescaped context with ``request`` and ``csrf_token``)."""
    request = context.get("request")
    if request is None:
        return mark_safe("")
    html = []
    for fragment in fragments(slot):
        values = fragment.context(request)
        if context.get("csrf_token") is not None:
            values = values | {"csrf_token": context["csrf_token"]}
        tpl = context.template.engine.get_template(fragment.template)
        html.append(tpl.render(context.new(values)))
    return mark_safe("".join(html))
