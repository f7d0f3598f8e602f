"""``{% load security_events %}``: ``{{ event|describe_event }}``, an event in words."""

from __future__ import annotations

from django import template

from lifeline.events.display import describe
from lifeline.events.models import SecurityEvent

register = template.Library()


@register.filter(name="describe_event")
def describe_event(event: SecurityEvent) -> str:
    return describe(event)
