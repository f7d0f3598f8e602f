"""Recovery contacts: invite, accept, decline, remove (issue 13, item 5).

No enumeration: ``contact_invite`` answers the same whatever the username, stores a row
either way (so the owner's list and the limit of three behave the same), and sends the
invitation email from a background task, so the response time does not depend on whether
there is someone to email. An invitation to an unknown, inactive or frozen username simply
never arrives and lapses after ``INVITATION_LIFETIME``.

Every change records an event on both accounts it concerns, in the transaction that makes
it; a link made or ended is emailed to both sides (security notices).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from lifeline.checkup.contacts_models import RecoveryContact
from lifeline.checkup.contacts_selectors import (
    MAX_CONTACTS,
    live_invitations_q_cutoff,
)
from lifeline.core import ratelimit
from lifeline.core.tasks import enqueue
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.notifications.services import send_email

INVITE_LIMITS = [("hour", "5/1h"), ("day", "10/1d")]


class ContactError(Exception):
    """A refusal the user can act on; the message is shown as is."""


def contacts_url() -> str:
    return f"{settings.LIFELINE_BASE_URL}{reverse('recovery_contacts')}"


def _eligible(username: str, owner: Any) -> Any | None:
    user = (
        get_user_model()
        .objects.filter(username__iexact=username, is_active=True)
        .exclude(pk=owner.pk)
        .first()
    )
    if user is None or getattr(user, "frozen_at", None):
        return None
    return user


def _drop_lapsed(owner: Any) -> None:
    RecoveryContact.objects.filter(
        owner=owner,
        status=RecoveryContact.Status.PENDING,
        invited_at__lt=live_invitations_q_cutoff(),
    ).delete()


def contact_invite(*, owner: Any, username: str) -> RecoveryContact:
    """Ask ``username`` to be a recovery contact of ``owner``.

    Raises ContactError for what the owner can fix (their own name, the limit, a repeat,
    the rate limit); never for a username that does not exist.
    """
    username = username.strip()[:150]
    if not username:
        raise ContactError("Enter the username of the account you want to name.")
    if username.lower() == owner.username.lower():
        raise ContactError("You can't be your own recovery contact.")
    with transaction.atomic():
        _drop_lapsed(owner)
        rows = list(RecoveryContact.objects.select_for_update().filter(owner=owner))
        if any(r.invited_username.lower() == username.lower() for r in rows):
            raise ContactError(f"You have already asked {username}.")
        if len(rows) >= MAX_CONTACTS:
            raise ContactError(
                f"You can name up to {MAX_CONTACTS} recovery contacts, invitations included. "
                "Remove one first."
            )
        verdict = ratelimit.check_all(
            "checkup:contact_invite", [(f"{owner.pk}:{p}", spec) for p, spec in INVITE_LIMITS]
        )
        if not verdict.allowed:
            raise ContactError(
                "You have sent too many invitations. Try again in "
                f"{ratelimit.humanize_wait(verdict.retry_after)}."
            )
        target = _eligible(username, owner)
        try:
            with transaction.atomic():
                row = RecoveryContact.objects.create(
                    owner=owner,
                    contact=target,
                    invited_username=username,
                    invited_at=timezone.now(),
                )
        except IntegrityError:  # the same account under another spelling: a repeat
            raise ContactError(f"You have already asked {username}.") from None
        record_event(
            tag=EventTag.CONTACT_INVITE, user=owner, actor=owner, details={"username": username}
        )
        enqueue(send_invitation, row.pk)
    return row


def invitation_send(*, link_id: int) -> bool:
    """Email the invitation (background task); nothing for an invitation to nobody."""
    row = RecoveryContact.objects.select_related("owner", "contact").filter(pk=link_id).first()
    if row is None or row.contact is None or row.is_accepted:
        return False
    with transaction.atomic():
        record_event(
            tag=EventTag.CONTACT_INVITE,
            user=row.contact,
            actor=row.owner,
            details={"owner": row.owner.username, "role": "contact"},
        )
        logs = send_email(
            template="recovery_contact_invitation",
            user=row.contact,
            context={"owner_name": row.owner.username, "contacts_url": contacts_url()},
        )
    return bool(logs)


@task
def send_invitation(link_id: int) -> bool:
    """The invitation email leaves the request path, so an invitation to nobody takes as long
    to answer as one to a real account."""
    return invitation_send(link_id=link_id)


def _both_sides(row: RecoveryContact, tag: EventTag, actor: Any, **details: Any) -> None:
    record_event(
        tag=tag,
        user=row.owner,
        actor=actor,
        details={"contact": row.invited_username, **details},
    )
    if row.contact is not None:
        record_event(
            tag=tag,
            user=row.contact,
            actor=actor,
            details={"owner": row.owner.username, "role": "contact", **details},
        )


def _tell_both(row: RecoveryContact, template: str, **context: Any) -> None:
    names = {"owner_name": row.owner.username, "contact_name": row.invited_username}
    send_email(
        template=template,
        user=row.owner,
        context=names | context | {"role": "owner", "contacts_url": contacts_url()},
    )
    if row.contact is not None:
        send_email(
            template=template,
            user=row.contact,
            context=names | context | {"role": "contact", "contacts_url": contacts_url()},
        )


def _pending_for(contact: Any, link_id: int) -> RecoveryContact:
    row = (
        RecoveryContact.objects.select_for_update(of=("self",))
        .select_related("owner")
        .filter(
            pk=link_id,
            contact=contact,
            status=RecoveryContact.Status.PENDING,
            invited_at__gte=live_invitations_q_cutoff(),
        )
        .first()
    )
    if row is None:
        raise ContactError("That invitation is no longer open.")
    return row


def contact_accept(*, contact: Any, link_id: int) -> RecoveryContact:
    """``contact`` agrees to be a recovery contact; both sides are told."""
    with transaction.atomic():
        row = _pending_for(contact, link_id)
        row.status = RecoveryContact.Status.ACCEPTED
        row.accepted_at = timezone.now()
        row.invited_username = contact.username  # as they spell it, now that they answered
        row.save(update_fields=["status", "accepted_at", "invited_username"])
        _both_sides(row, EventTag.CONTACT_ACCEPT, contact)
        _tell_both(row, "recovery_contact_added")
    return row


def contact_decline(*, contact: Any, link_id: int) -> None:
    """``contact`` says no; the owner is told (the one who declined just did it)."""
    with transaction.atomic():
        row = _pending_for(contact, link_id)
        _both_sides(row, EventTag.CONTACT_DECLINE, contact)
        send_email(
            template="recovery_contact_removed",
            user=row.owner,
            context={
                "owner_name": row.owner.username,
                "contact_name": row.invited_username,
                "role": "owner",
                "how": "declined",
                "contacts_url": contacts_url(),
            },
        )
        row.delete()


def contact_remove(*, actor: Any, link_id: int) -> None:
    """Either side ends a link (or the owner withdraws an invitation) at any time.

    Ending an accepted link tells both sides. Withdrawing an invitation tells nobody: it
    changed nothing, and an email only for real accounts would tell the owner which
    usernames exist.
    """
    with transaction.atomic():
        row = (
            RecoveryContact.objects.select_for_update(of=("self",))
            .select_related("owner", "contact")
            .filter(pk=link_id)
            .first()
        )
        is_owner = row is not None and row.owner_id == actor.pk
        is_contact = row is not None and row.contact_id == actor.pk and row.is_accepted
        if row is None or not (is_owner or is_contact):
            raise ContactError("That recovery contact is no longer there.")
        by = "owner" if is_owner else "contact"
        _both_sides(row, EventTag.CONTACT_REMOVE, actor, by=by, was=row.status)
        if row.is_accepted:
            _tell_both(row, "recovery_contact_removed", how="removed", by=by)
        row.delete()
