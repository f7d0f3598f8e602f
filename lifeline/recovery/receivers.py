"""Remember the browser at every *full* login (proof c).

allauth sends ``user_logged_in`` from ``post_login`` only after every login stage has
completed, including the second factor for users with 2FA, so a password alone never marks
a browser as known. The signal carries the response, on which the cookie is set.
"""

from __future__ import annotations

import contextlib
from typing import Any

from allauth.account.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from lifeline.accounts.devices import device_remember
from lifeline.recovery import conf, flows


@receiver(user_logged_in)
def remember_device(sender: Any, request: Any, user: Any, response: Any = None, **kw: Any) -> None:
    if request is None or response is None or not hasattr(response, "set_cookie"):
        return
    _device, key = device_remember(
        user=user,
        device_key=flows.device_key_from(request),
        ip=flows.client_ip(request),
        user_agent=flows.client_user_agent(request),
    )
    flows.set_device_cookie(response, key)


# --- support side (lifeline.recovery.services.cooling / decisions) ----------------------------


@receiver(user_logged_in)
def stop_recovery_on_owner_login(sender: Any, request: Any, user: Any, **kw: Any) -> None:
    """The owner completed a sign-in with a second factor: stop any recovery in cooling-off.

    allauth sends ``user_logged_in`` only after every login stage, so a user who has a
    second factor has just passed it.
    """
    from lifeline.accounts.mfa.status import has_second_factor
    from lifeline.recovery.requester.owner_cancel import cancel_on_owner_login

    if has_second_factor(user):
        cancel_on_owner_login(user=user)


def _try_auto_approve(request_id: int) -> None:
    from lifeline.recovery.models import RecoveryRequest
    from lifeline.recovery.staff.auto_approve import recovery_auto_approve
    from lifeline.recovery.states import IllegalTransition

    request_obj = RecoveryRequest.objects.filter(pk=request_id).first()
    if request_obj is None:
        return
    with contextlib.suppress(IllegalTransition):
        recovery_auto_approve(request_obj=request_obj)


def _schedule_auto_approve(request_id: int) -> None:
    from django.db import transaction

    if conf.auto_approve():
        transaction.on_commit(lambda: _try_auto_approve(request_id), robust=True)


@receiver(post_save, sender="recovery.RecoveryProof")
def auto_approve_after_proof(sender: Any, instance: Any, created: bool, **kw: Any) -> None:
    # A background check (repository proof) turns a pending row into "ok" by an update.
    completed = created or "result" in (kw.get("update_fields") or ())
    if completed and instance.result == "ok":
        _schedule_auto_approve(instance.request_id)


@receiver(post_save, sender="recovery.RecoveryAudit")
def auto_approve_when_queued(sender: Any, instance: Any, created: bool, **kw: Any) -> None:
    if created and instance.to_state == "open" and instance.from_state != "open":
        _schedule_auto_approve(instance.request_id)


@receiver(post_save, sender="events.SecurityEvent")
def note_password_change_on_open_case(sender: Any, instance: Any, created: bool, **kw: Any) -> None:
    """A password set while a recovery case is in progress is shown to staff and the owner
    (lifeline.recovery.proofs.password_history)."""
    from lifeline.recovery.proofs.password_history import PASSWORD_SET_TAGS, note_password_change

    if created and instance.tag in PASSWORD_SET_TAGS:
        note_password_change(event=instance)
