"""Where the account's current password came from, for the password proof (proof d).

A password proves something only if the attacker could not have set it. Two ways they could:

* **during the request**: a password set after the request was filed proves nothing (the
  proof fails, and staff and the owner are told of the change while the case is open);
* **through a mailbox**: a password last set with an emailed reset link can be set by whoever
  reads that mailbox, so the proof shares the boundary of every address a reset link went to
  (``domain:<registrable domain>``), and counts together with an emailed code or a homepage
  file on that domain, never in addition to them.

The facts come from the account's security events (``account:password:*``) and the email
log (which address each reset link went to).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.recovery.policy import BOUNDARY_SEP, domain_boundary
from lifeline.recovery.states import TERMINAL_STATES

# Every event after which the account has a password it did not have before.
PASSWORD_SET_TAGS = (
    EventTag.PASSWORD_CHANGE,
    EventTag.PASSWORD_SET,
    EventTag.PASSWORD_RESET,
    EventTag.STAFF_FORCE_RESET,
    EventTag.RECOVERY_RESTORE,
)
RESET_EMAIL_TEMPLATE = "account_password_reset_key"


@dataclass(frozen=True)
class PasswordOrigin:
    set_at: datetime | None  # None: no record of any change since the account was created
    tag: str
    reset_domains: tuple[str, ...]  # registrable domains the reset link(s) went to

    @property
    def boundary(self) -> str:
        if not self.reset_domains:
            return "password"
        return BOUNDARY_SEP.join(f"domain:{d}" for d in self.reset_domains)

    @property
    def by_reset(self) -> bool:
        return self.tag == EventTag.PASSWORD_RESET


def _reset_addresses(user: Any, *, after: datetime | None, until: datetime) -> list[str]:
    from lifeline.notifications.models import EmailLog

    sent = EmailLog.objects.filter(user=user, template=RESET_EMAIL_TEMPLATE, created__lte=until)
    if after is not None:
        sent = sent.filter(created__gt=after)
    addresses = list(dict.fromkeys(a.lower() for a in sent.values_list("to", flat=True)))
    if addresses:
        return addresses
    # No record of where the link went (log pruned): any of the account's addresses could
    # have received it.
    return list(
        dict.fromkeys(
            a.lower()
            for a in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
        )
    )


def password_origin(user: Any) -> PasswordOrigin:
    """When and how ``user``'s current password was last set, and through which mailboxes."""
    events = list(
        SecurityEvent.objects.filter(user=user, tag__in=PASSWORD_SET_TAGS)
        .order_by("-created", "-id")
        .values_list("tag", "created")[:2]
    )
    if not events:
        return PasswordOrigin(set_at=None, tag="", reset_domains=())
    tag, set_at = events[0]
    domains: tuple[str, ...] = ()
    if tag == EventTag.PASSWORD_RESET:
        previous = events[1][1] if len(events) > 1 else None
        addresses = _reset_addresses(user, after=previous, until=set_at)
        domains = tuple(sorted({domain_boundary(a).removeprefix("domain:") for a in addresses}))
    return PasswordOrigin(set_at=set_at, tag=tag, reset_domains=domains)


def note_password_change(*, event: SecurityEvent) -> None:
    """A password was set on an account with a recovery case in progress: tell staff on the
    case (a note) and the owner at every verified address.

    Called for every ``PASSWORD_SET_TAGS`` event; does nothing when no case is in progress.
    A restore (the case's own last step) is not news.
    """
    from lifeline.notifications.services import send_email
    from lifeline.recovery.links import cancel_url
    from lifeline.recovery.models import RecoveryMessage, RecoveryRequest

    if event.user_id is None or event.tag == EventTag.RECOVERY_RESTORE:
        return
    cases = list(
        RecoveryRequest.objects.filter(user_id=event.user_id, created__lte=event.created).exclude(
            state__in=TERMINAL_STATES
        )
    )
    if not cases:
        return
    origin = password_origin(event.user)
    how = EventTag(event.tag).label.lower()
    where = (
        f" (the reset link went to an address at {', '.join(origin.reset_domains)})"
        if origin.by_reset and origin.reset_domains
        else ""
    )
    with transaction.atomic():
        for case in cases:
            RecoveryMessage.objects.create(
                request=case,
                kind=RecoveryMessage.Kind.NOTE,
                author_kind=RecoveryMessage.AuthorKind.SYSTEM,
                body=(
                    f"{how.capitalize()} on {event.created:%Y-%m-%d %H:%M} UTC{where}, while this "
                    "request was in progress. A password proof made after this proves nothing, "
                    "and whoever reads that mailbox could have done it."
                ),
                details={"event": event.tag, "reset_domains": list(origin.reset_domains)},
            )
        send_email(
            template="recovery_password_changed_during_request",
            user=event.user,
            context={
                "user": event.user,
                "request_obj": cases[0],
                "how": how,
                "changed_at": event.created,
                "cancel_url": cancel_url(cases[0]),
            },
        )
