"""``{% load recovery_devices %}{% recovery_devices %}``: the device list for the security page.

A template tag rather than a view import, so the accounts app never imports recovery.
"""

from __future__ import annotations

from typing import Any

from django import template

from lifeline.recovery.context import device_list_context

register = template.Library()


@register.inclusion_tag("recovery/includes/devices.html", takes_context=True)
def recovery_devices(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    return device_list_context(request) | {"csrf_token": context.get("csrf_token")}
