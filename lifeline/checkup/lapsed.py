"""Lapsed and re-registered domains: check each domain of a verified address.

A verified address is only as trustworthy as its domain. When the domain has expired, or
was registered again after the address was verified (whoever registered it now receives
its mail), the address is unverified (services.email_address_unverify). Domains are
registrable domains (``mail.alice.dev`` → ``alice.dev``): whoever holds the registration
holds every name under it.

Checks happen at most every ``LIFELINE_DOMAIN_RECHECK_DAYS`` (30) per domain from the
scheduled job, and at once (``force``) when a password reset or a recovery request concerns
an address (receivers.py). An unknown answer changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from lifeline.checkup import conf, rdap
from lifeline.checkup.models import DomainCheck
from lifeline.checkup.services import address_verified_at, email_address_unverify
from lifeline.core.domains import registrable_domain


def verified_addresses_at(domain: str) -> list[EmailAddress]:
    """Verified addresses whose registrable domain is ``domain`` (subdomains included)."""
    candidates = EmailAddress.objects.filter(verified=True, email__iendswith=domain).select_related(
        "user"
    )
    return [a for a in candidates if registrable_domain(a.email) == domain]


def is_stale(check: DomainCheck | None, *, now: datetime) -> bool:
    return check is None or check.checked_at <= now - conf.domain_recheck_after()


def domain_check(
    *, domain: str, force: bool = False, backend: rdap.DomainStatusBackend | None = None
) -> DomainCheck | None:
    """Ask the registry about ``domain`` (unless checked within the recheck period and not
    ``force``), store the answer, and unverify the addresses it condemns.

    Returns the stored check, or None when the backend is the Null one (nothing learned).
    """
    backend = backend or rdap.get_backend()
    if not backend.enabled or not domain:
        return None
    now = timezone.now()
    existing = DomainCheck.objects.filter(domain=domain).first()
    if not force and not is_stale(existing, now=now):
        return existing
    answer = backend.lookup(domain)
    check, _ = DomainCheck.objects.update_or_create(
        domain=domain,
        defaults={
            "checked_at": now,
            "status": answer.status,
            "registered_at": answer.registered_at,
            "expires_at": answer.expires_at,
            "detail": answer.detail[:300],
        },
    )
    apply_domain_check(check)
    return check


def condemns(check: DomainCheck, address: EmailAddress) -> str:
    """The reason ``check`` makes ``address`` untrustworthy, or "" (an unknown or not-found
    answer never condemns: failing closed here would lock out owners on a registry hiccup)."""
    if check.status == DomainCheck.Status.EXPIRED:
        return "domain_expired"
    if (
        check.status == DomainCheck.Status.ACTIVE
        and check.registered_at is not None
        and check.registered_at > address_verified_at(address)
    ):
        return "domain_reregistered"
    return ""


def apply_domain_check(check: DomainCheck) -> list[str]:
    """Unverify every verified address the check condemns; returns their emails."""
    unverified = []
    for address in verified_addresses_at(check.domain):
        reason = condemns(check, address)
        if not reason:
            continue
        details = {"domain": check.domain}
        if check.registered_at:
            details["registered_at"] = check.registered_at.isoformat()
        if check.expires_at:
            details["expires_at"] = check.expires_at.isoformat()
        with transaction.atomic():
            if email_address_unverify(address=address, reason=reason, details=details):
                unverified.append(address.email)
    return unverified


def user_domains(user_id: int) -> list[str]:
    emails = EmailAddress.objects.filter(user_id=user_id, verified=True).values_list(
        "email", flat=True
    )
    return sorted({registrable_domain(e) for e in emails} - {""})
