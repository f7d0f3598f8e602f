"""``{% load desk_text %}``: recovery's vocabulary for the desk's templates
(``{{ a.to_state|state_name }}``, ``{{ a.details.action|action_name }}``)."""

from __future__ import annotations

from typing import Any

from django import template

from lifeline.recovery.display import ACTOR_KINDS, action_name, state_name

register = template.Library()

register.filter("state_name", state_name)
register.filter("action_name", action_name)


@register.filter(name="actor_kind")
def actor_kind(value: str) -> str:
    return ACTOR_KINDS.get(value, value)


@register.filter(name="choice_help")
def choice_help(bound_field: Any, value: str) -> str:
    """The explanation of one choice of a field with a ``choice_help`` mapping."""
    return getattr(bound_field.field, "choice_help", {}).get(str(value), "")
