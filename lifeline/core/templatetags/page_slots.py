"""``{% load page_slots %}{% page_slot "nav:account" %}``: the fragments upper apps register
for a slot of this page (``lifeline/core/page_slots.py``)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from lifeline.core.page_slots import render_slot

register = template.Library()


@register.simple_tag(takes_context=True)
def page_slot(context: template.Context, slot: str) -> SafeString:
    return render_slot(context, slot)
