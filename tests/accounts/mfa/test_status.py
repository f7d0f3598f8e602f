"""One answer to "has this user set up 2FA?", also for visitors who are not signed in."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from lifeline.accounts.mfa.status import (
    MFAStatus,
    has_2fa,
    has_second_factor,
    mfa_status,
    session_needs_second_factor,
    session_passed_2fa,
)


def test_a_visitor_has_no_2fa_and_no_session_to_check(rf):
    visitor = AnonymousUser()
    assert mfa_status(visitor) == MFAStatus()
    assert not has_2fa(visitor) and not has_second_factor(visitor) and not has_2fa(None)
    request = rf.get("/")
    request.user = visitor
    assert not session_passed_2fa(request)
    assert not session_needs_second_factor(request)


def test_status_counts_the_factors_and_codes(user_with_totp):
    status = mfa_status(user_with_totp.user)
    assert status.has_totp and status.has_recovery_codes and not status.codes_confirmed
    assert status.needs_confirmation and not status.complete
    assert status.codes_left == len(user_with_totp.recovery_codes())
