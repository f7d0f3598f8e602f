"""Read the facts the checkup judges (assessment.py), and the rows the checklist shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from lifeline.accounts.mfa.status import MFAStatus, mfa_status
from lifeline.accounts.models import Device
from lifeline.checkup import conf
from lifeline.checkup.assessment import Assessment, Facts, assess
from lifeline.checkup.contacts_selectors import contacts_for
from lifeline.checkup.reminder_models import CheckupReview
from lifeline.core.domains import registrable_domain
from lifeline.tokens.models import ApiToken


def device_model() -> Any:
    """The remembered-device model (``lifeline.accounts``)."""
    return Device


def device_count(user: Any) -> int:
    return Device.objects.filter(user=user).count()


def accepted_contacts(user: Any) -> list[Any]:
    """The user's accepted recovery contacts."""
    return list(contacts_for(user))


def contacts_url() -> str:
    return reverse("recovery_contacts")


def stale_tokens_q(now: Any = None) -> Q:
    """Active tokens not used in the stale period (or never used, and created before it)."""
    cutoff = (now or timezone.now()) - conf.stale_token_after()
    return (
        Q(revoked_at__isnull=True)
        & (Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now()))
        & (Q(last_used_at__lt=cutoff) | Q(last_used_at__isnull=True, created__lt=cutoff))
    )


def stale_tokens(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(stale_tokens_q(), user=user).select_related("project")


def last_review(user: Any) -> Any:
    return CheckupReview.objects.filter(user=user).values_list("reviewed_at", flat=True).first()


@dataclass
class Checkup:
    """Everything the security page's checklist shows."""

    assessment: Assessment
    facts: Facts
    mfa: MFAStatus
    addresses: list[EmailAddress] = field(default_factory=list)
    tokens: list[ApiToken] = field(default_factory=list)
    devices: int = 0
    sessions: int = 0
    contacts: list[Any] | None = None
    contacts_url: str = ""


def gather_facts(user: Any, *, mfa: MFAStatus | None = None) -> tuple[Facts, dict[str, Any]]:
    mfa = mfa or mfa_status(user)
    addresses = list(EmailAddress.objects.filter(user=user).order_by("-primary", "email"))
    tokens = list(stale_tokens(user))
    contacts = accepted_contacts(user)
    facts = Facts(
        verified_domains=tuple(registrable_domain(a.email) for a in addresses if a.verified),
        unreachable_addresses=sum(not a.verified for a in addresses),
        has_totp=mfa.has_totp,
        webauthn_keys=mfa.webauthn_count,
        has_codes=mfa.has_recovery_codes,
        codes_confirmed=mfa.codes_confirmed,
        codes_left=mfa.codes_left,
        stale_tokens=len(tokens),
        contacts=None if contacts is None else len(contacts),
        last_review=last_review(user),
        joined=getattr(user, "date_joined", None),
        now=timezone.now(),
    )
    return facts, {"addresses": addresses, "tokens": tokens, "contacts": contacts, "mfa": mfa}


def assess_user(user: Any) -> Assessment:
    facts, _ = gather_facts(user)
    return assess(facts)


def checkup_for(user: Any) -> Checkup:
    facts, rows = gather_facts(user)
    return Checkup(
        assessment=assess(facts),
        facts=facts,
        mfa=rows["mfa"],
        addresses=rows["addresses"],
        tokens=rows["tokens"],
        devices=device_count(user),
        sessions=UserSession.objects.filter(user=user).count(),
        contacts=rows["contacts"],
        contacts_url=contacts_url() if rows["contacts"] is not None else "",
    )
