"""``{% load security_page %}{% security_sections "middle" %}``: the sections upper apps add
to the security page (``lifeline/accounts/security_page.py``), rendered in place."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from lifeline.accounts.security_page import slot_name
from lifeline.core.page_slots import render_slot

register = template.Library()


@register.simple_tag(takes_context=True)
def security_sections(context: template.Context, slot: str) -> SafeString:
    return render_slot(context, slot_name(slot))
