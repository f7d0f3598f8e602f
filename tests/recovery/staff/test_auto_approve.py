# ruff: noqa: F811  (pytest fixtures imported from tests.desk.fixtures)
"""Auto-approval never decides a case a person must look at: frozen or unknown accounts."""

from __future__ import annotations

import pytest
from django.utils import timezone

from lifeline.recovery.staff.auto_approve import (
    auto_approval_blockers,
    auto_approve_open_cases,
)
from lifeline.recovery.states import State
from tests.desk.fixtures import case, owner, strong_case  # noqa: F401
from tests.recovery.conftest import submit

pytestmark = pytest.mark.django_db


def test_a_frozen_account_is_never_auto_approved(strong_case, settings):
    settings.LIFELINE_RECOVERY_AUTO_APPROVE = True
    user = strong_case.user
    assert auto_approval_blockers(strong_case) == []  # it would be approved, but for this:
    user.frozen_at = timezone.now()
    user.save(update_fields=["frozen_at"])
    assert "The account is frozen." in auto_approval_blockers(strong_case)
    assert auto_approve_open_cases() == 0
    strong_case.refresh_from_db()
    assert strong_case.state == State.OPEN


def test_a_request_for_no_account_is_never_auto_approved(db, settings):
    settings.LIFELINE_RECOVERY_AUTO_APPROVE = True
    request_obj = submit(username="nobody-here")
    assert request_obj.user is None
    assert "No account matches the request." in auto_approval_blockers(request_obj)
    assert auto_approve_open_cases() == 0


def test_nothing_is_approved_while_the_setting_is_off(strong_case, settings):
    settings.LIFELINE_RECOVERY_AUTO_APPROVE = False
    assert "Auto-approval is off." in auto_approval_blockers(strong_case)
    assert auto_approve_open_cases() == 0
    strong_case.refresh_from_db()
    assert strong_case.state == State.OPEN
