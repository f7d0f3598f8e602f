"""Where the checkup shows itself, through the lower apps' hooks (never a template tag they
would have to load): the status and checklist at the top of the account security page and
the reminder settings at its bottom (``lifeline.accounts.security_page``), and the badge
after "Account security" in the navigation (``lifeline.core.page_slots``, ``nav:account``).
Imported once at start-up (receivers.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from lifeline.accounts.security_page import register_security_section
from lifeline.checkup.assessment import KEY_WHY, STRONG_RULE
from lifeline.checkup.badge import badge_for
from lifeline.checkup.facts import checkup_for
from lifeline.checkup.reminder_models import ReminderKind
from lifeline.core.page_slots import register_fragment

CHECKLIST = "checkup/includes/checkup.html"
REMINDER_SETTINGS = "checkup/includes/reminder_settings.html"
NAV_BADGE = "checkup/includes/nav_badge.html"


def checklist_context(request: HttpRequest) -> dict[str, Any]:
    checkup = checkup_for(request.user)
    return {
        "checkup": checkup,
        "a": checkup.assessment,
        "f": checkup.assessment.finding,
        "strong_rule": STRONG_RULE,
        "key_why": KEY_WHY,
    }


def reminder_settings_context(request: HttpRequest) -> dict[str, Any]:
    from lifeline.checkup.reminders import opted_out_kinds

    off = opted_out_kinds(request.user)
    return {"kinds": [(kind.value, kind.label, kind.value in off) for kind in ReminderKind]}


def nav_badge_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"open": 0}
    status, open_items = badge_for(user)
    return {"status": status, "open": open_items}


def register_sections() -> None:
    register_security_section("top", CHECKLIST, checklist_context, order=0)
    register_security_section("bottom", REMINDER_SETTINGS, reminder_settings_context, order=50)
    register_fragment("nav:account", NAV_BADGE, nav_badge_context)


register_sections()
