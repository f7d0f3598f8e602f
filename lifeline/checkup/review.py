"""``I've reviewed this``: the owner looked over the checkup (recorded, with an event)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from lifeline.checkup.assessment import assess
from lifeline.checkup.facts import gather_facts
from lifeline.checkup.reminder_models import CheckupReview
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag


def checkup_review(*, user: Any) -> CheckupReview:
    """Record that ``user`` reviewed their checkup now; the event keeps the status they saw."""
    facts, _ = gather_facts(user)
    status = assess(facts).status
    with transaction.atomic():
        review, _ = CheckupReview.objects.update_or_create(
            user=user, defaults={"reviewed_at": timezone.now()}
        )
        record_event(
            tag=EventTag.CHECKUP_REVIEW,
            user=user,
            actor=user,
            details={"status": status.label},
        )
    return review
