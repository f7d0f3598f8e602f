# ruff: noqa: F811  (pytest fixtures imported from tests.desk.fixtures)
"""The owner's security history says in words what a recovery did to the account."""

from __future__ import annotations

import pytest

from lifeline.events.display import describe
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.recovery.requester.restore import recovery_restore
from lifeline.recovery.staff import decisions
from tests.desk.fixtures import case, owner, strong_case, support  # noqa: F401
from tests.recovery.conftest import make_token
from tests.recovery.requester.test_restore import NEW_PASSWORD, make_ready

pytestmark = pytest.mark.django_db


def _line(user, tag) -> str:  # type: ignore[no-untyped-def]
    return describe(SecurityEvent.objects.filter(user=user, tag=tag).latest("pk"))


def test_a_restore_with_tokens_revoked_is_described(strong_case, support):
    user = strong_case.user
    make_token(user)
    raw = make_ready(strong_case, support.user, tokens="revoke")
    recovery_restore(public_id=strong_case.public_id, token=raw, new_password=NEW_PASSWORD)
    line = _line(user, EventTag.RECOVERY_RESTORE)
    assert line.startswith("Account recovered through request ")
    assert "new primary address new@contact.example" in line
    assert "API tokens revoked: 1" in line
    assert "{" not in line and "None" not in line


def test_a_restore_keeping_tokens_says_so(strong_case, support):
    raw = make_ready(strong_case, support.user, tokens="keep")
    recovery_restore(public_id=strong_case.public_id, token=raw, new_password=NEW_PASSWORD)
    assert "API tokens kept" in _line(strong_case.user, EventTag.RECOVERY_RESTORE)


def test_the_case_history_reads_as_sentences(strong_case, support):
    decisions.recovery_assign(request_obj=strong_case, actor=support.user)
    make_ready(strong_case, support.user)
    lines = [
        describe(e) for e in SecurityEvent.objects.filter(user=strong_case.user).order_by("pk")
    ]
    assert any(line.endswith("API token proof succeeded") for line in lines)
    assert any(line.endswith(": open → approved (cooling-off)") for line in lines)
    assert any(line.endswith("(cooling-off ended)") for line in lines)
    assert any(line.endswith(": assigned to sam (support)") for line in lines)
    assert all(line.startswith("Recovery request R-") and "{" not in line for line in lines)


def test_old_rows_without_details_fall_back_to_the_label(strong_case):
    for tag in (EventTag.RECOVERY_TRANSITION, EventTag.RECOVERY_PROOF):
        event = SecurityEvent.objects.create(user=strong_case.user, tag=tag, details={})
        assert describe(event) == tag.label
