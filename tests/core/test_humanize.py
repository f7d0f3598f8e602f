"""Durations and details in words (lifeline.core.humanize and its template filters)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template

from lifeline.core.humanize import humanize_details, humanize_duration


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (timedelta(seconds=45), "45 s"),
        (timedelta(seconds=110.915165), "1 min 51 s"),
        (timedelta(minutes=45, seconds=12), "45 min"),
        (timedelta(hours=2, minutes=5), "2 h 5 min"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(days=1), "24 hours"),
        (timedelta(hours=20, minutes=20), "20 hours"),
        (timedelta(days=3, hours=4), "3 days 4 hours"),
        (timedelta(days=7), "7 days"),
        (timedelta(days=30, hours=5), "30 days"),
        (900, "15 min"),
        (None, ""),
    ],
)
def test_durations_read_as_people_say_them(value, expected):
    assert humanize_duration(value) == expected


def test_details_have_labels_and_no_python_reprs():
    pairs = humanize_details(
        {
            "action": "approve",
            "approvers": ["support", "sue"],
            "tokens": "keep",
            "completes_at": "2026-11-30T16:00:00+00:00",
            "removed_2fa": True,
            "lost": [],
            "extra": {"a_b": 1},
        },
        skip=("action",),
    )
    assert pairs == [
        ("Approvers", "support, sue"),
        ("API tokens at restore", "keep"),
        ("Cooling-off ends", "2026-11-30 16:00 UTC"),
        ("Two-factor methods removed", "yes"),
        ("Lost", "—"),
        ("Extra", "A b: 1"),
    ]


def test_template_filters():
    html = Template(
        "{% load lifeline_humanize %}{{ d|duration }} "
        '{% for k, v in details|details:"action" %}{{ k }}={{ v }};{% endfor %}'
    ).render(Context({"d": timedelta(days=1), "details": {"action": "x", "approvers": ["a"]}}))
    assert html == "24 hours Approvers=a;"
