"""``{% load checkup %}``: the checklist on the security page and the navigation badge.

Template tags rather than view code, so the accounts app (below checkup) never imports it.
"""

from __future__ import annotations

from typing import Any

from django import template

from lifeline.checkup.assessment import KEY_WHY, STRONG_RULE
from lifeline.checkup.badge import badge_for
from lifeline.checkup.facts import checkup_for
from lifeline.checkup.reminder_models import ReminderKind
from lifeline.checkup.reminders import opted_out_kinds

register = template.Library()


@register.inclusion_tag("checkup/includes/checkup.html", takes_context=True)
def checkup_panel(context: template.Context) -> dict[str, Any]:
    user = context["request"].user
    checkup = checkup_for(user)
    return {
        "checkup": checkup,
        "a": checkup.assessment,
        "f": checkup.assessment.finding,
        "strong_rule": STRONG_RULE,
        "key_why": KEY_WHY,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("checkup/includes/reminder_settings.html", takes_context=True)
def checkup_reminder_settings(context: template.Context) -> dict[str, Any]:
    user = context["request"].user
    off = opted_out_kinds(user)
    return {
        "kinds": [(kind.value, kind.label, kind.value in off) for kind in ReminderKind],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("checkup/includes/nav_badge.html", takes_context=True)
def checkup_nav_badge(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"open": 0}
    status, open_items = badge_for(user)
    return {"status": status, "open": open_items}
