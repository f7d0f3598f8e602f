"""``{% load lifeline_humanize %}``: durations and details in words (lifeline.core.humanize).

``{{ td|duration }}`` → "24 hours"; ``{% for label, value in a.details|details:"action" %}``
gives labelled values with lists joined and no Python reprs (the argument lists keys to
leave out, comma-separated).
"""

from __future__ import annotations

from typing import Any

from django import template

from lifeline.core.humanize import humanize_details, humanize_duration, humanize_value

register = template.Library()


@register.filter(name="duration")
def duration_filter(value: Any) -> str:
    return humanize_duration(value)


@register.filter(name="humanize_duration")
def humanize_duration_filter(value: Any) -> str:
    return humanize_duration(value)


@register.filter(name="details")
def details_filter(value: Any, skip: str = "") -> list[tuple[str, str]]:
    return humanize_details(value, skip=tuple(k.strip() for k in skip.split(",") if k.strip()))


@register.filter(name="detail_value")
def detail_value_filter(value: Any) -> str:
    return humanize_value(value)
