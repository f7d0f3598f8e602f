"""The restore step: one transaction that hands the account back to the requester.

In one transaction, under row locks on the restore link and the case:

1. the new password is set;
2. the contact address becomes the verified primary; previously verified addresses stay,
   no longer primary;
3. every 2FA method and the recovery codes are removed;
4. every session of the account is ended (the new password also invalidates any session
   Django's session hash check would still accept);
5. API tokens are revoked or kept, as the approving staff member chose;
6. the link is marked used and the case becomes ``completed`` (audit row + account event).

Afterwards the 2FA gate (``LIFELINE_REQUIRE_2FA``) keeps the user on 2FA setup and the
saved-codes check before anything else, and every previously verified address receives a
"your account was recovered" notice saying how to report it (NIST SP 800-63B-4 §4.2).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from lifeline.accounts.services import access, addresses
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.recovery import notify
from lifeline.recovery.links import LinkProblem
from lifeline.recovery.models import RecoveryRequest, RestoreLink
from lifeline.recovery.restore_link import check_restore_link
from lifeline.recovery.states import IllegalTransition, State
from lifeline.recovery.transition import recovery_transition


def recovery_restore(*, public_id: Any, token: str, new_password: str) -> Any:
    """Use the restore link: set ``new_password`` and restore the account. Returns the user.

    Raises :class:`LinkProblem` when the link is unknown, used, superseded or expired. Of
    any number of concurrent calls with the same link, exactly one applies: the link row is
    locked and re-checked, and the case's transition re-reads its state under a lock.
    """
    User = get_user_model()
    link = check_restore_link(public_id=public_id, token=token)
    with transaction.atomic():
        link = RestoreLink.objects.select_for_update().get(pk=link.pk)
        if link.used_at is not None:
            raise LinkProblem("used", link.request)
        if not link.is_usable:
            raise LinkProblem("expired", link.request)
        request_obj = RecoveryRequest.objects.select_for_update().get(pk=link.request_id)
        user = User.objects.select_for_update().get(pk=request_obj.user_id)
        previously_verified = addresses.verified_addresses(user)
        if addresses.verified_elsewhere(link.email, user):
            raise LinkProblem("invalid", request_obj)

        user.set_password(new_password)
        primary = addresses.make_verified_primary(user, link.email)
        user.save(update_fields=["password", "email"])

        removed = access.clear_second_factors(user)
        sessions = access.end_all_sessions(user)

        revoked = 0
        if request_obj.tokens_decision == RecoveryRequest.TokensDecision.REVOKE:
            from lifeline.tokens.models import ApiToken
            from lifeline.tokens.services import token_revoke

            for api_token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
                revoked += int(token_revoke(token=api_token, actor=None))

        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        try:
            recovery_transition(
                request_obj=request_obj,
                to_state=State.COMPLETED,
                actor=None,
                actor_kind="requester",
                details={"action": "restore"},
            )
        except IllegalTransition as exc:
            raise LinkProblem("used", request_obj) from exc
        record_event(
            tag=EventTag.RECOVERY_RESTORE,
            user=user,
            details={
                "request": request_obj.reference,
                "primary_email": primary,
                "removed_2fa": removed,
                "sessions_ended": sessions,
                "tokens": request_obj.tokens_decision or "keep",
                "tokens_revoked": revoked,
            },
        )
        others = [e for e in previously_verified if e.lower() != primary.lower()]
        if others:
            notify.account_recovered(request_obj, user, addresses=others, new_primary=primary)
        notify.restored(request_obj, user, address=primary)
    return user
