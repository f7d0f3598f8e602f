"""Sections other apps add to the account security page (``accounts/security.html``).

The accounts app sits below recovery and the checkup (pyproject.toml's layers), so its
template must not load their tag libraries. Instead an upper app registers a section from its
``AppConfig.ready``::

    register_security_section("middle", "recovery/includes/devices.html", device_list_context)

and the page renders every section of a slot with ``{% load security_page %}``
``{% security_sections "middle" %}``. ``context(request)`` returns the section template's
context (``csrf_token`` is added for forms). Slots: ``top`` (under the heading), ``middle``
(after the password card), ``bottom`` (before "Delete account"). The mechanics are core's
page slots (``lifeline.core.page_slots``, slot names ``security:<slot>``).
"""

from __future__ import annotations

from lifeline.core.page_slots import (
    Fragment,
    FragmentContext,
    fragments,
    register_fragment,
    unregister_fragment,
)

SLOTS = ("top", "middle", "bottom")


def slot_name(slot: str) -> str:
    if slot not in SLOTS:
        raise ValueError(f"Unknown security page slot {slot!r}; use one of {SLOTS}.")
    return f"security:{slot}"


def register_security_section(
    slot: str, template: str, context: FragmentContext, *, order: int = 100
) -> None:
    """Add (or replace: registering the same template twice is harmless) a section."""
    register_fragment(slot_name(slot), template, context, order=order)


def unregister_security_section(slot: str, template: str) -> None:
    unregister_fragment(slot_name(slot), template)


def security_sections(slot: str) -> list[Fragment]:
    """The sections of ``slot``, by ``order`` then template name (a stable page)."""
    return fragments(slot_name(slot))
