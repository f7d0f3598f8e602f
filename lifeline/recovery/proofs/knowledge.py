"""Proof f: account knowledge, compared with the records automatically (weak, never enough)."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from packaging.utils import canonicalize_name

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.recovery.models import RecoveryProof, RecoveryRequest
from lifeline.recovery.proofs.common import limit, record_proof, require_proving


def _known_addresses(user: Any) -> set[str]:
    addresses = {
        e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    for details in SecurityEvent.objects.filter(
        user=user, tag__in=[EventTag.EMAIL_ADD, EventTag.EMAIL_VERIFY, EventTag.EMAIL_REMOVE]
    ).values_list("details", flat=True):
        if isinstance(details, dict) and isinstance(details.get("email"), str):
            addresses.add(details["email"].lower())
    if getattr(user, "email", ""):
        addresses.add(user.email.lower())
    return addresses


def _first_upload_year(user: Any) -> int | None:
    from lifeline.index.models import File, Release

    first = File.objects.filter(uploader=user).order_by("upload_time").first()
    if first is not None:
        return first.upload_time.year
    release = Release.objects.filter(uploader=user).order_by("created").first()
    return release.created.year if release is not None else None


def proof_knowledge(
    *,
    request_obj: RecoveryRequest,
    projects: list[str],
    first_upload_year: int | None,
    old_emails: list[str],
) -> RecoveryProof:
    """Compare what the requester knows with the records. Weak evidence whatever the result.

    It succeeds when at least two of the three answers match (projects named with none
    wrong; the first upload year within one year; at least one known address). The
    details list what matched for support, never the records themselves.
    """
    require_proving(request_obj)
    limit("knowledge", [(str(request_obj.pk), "knowledge")])
    user = request_obj.user
    claimed = sorted({canonicalize_name(p) for p in projects if p.strip()})
    claimed_emails = sorted({e.strip().lower() for e in old_emails if e.strip()})
    matched_projects: list[str] = []
    year_ok = False
    matched_emails: list[str] = []
    if user is not None:
        from lifeline.index.models import Role

        actual = set(
            Role.objects.filter(user=user).values_list("project__normalized_name", flat=True)
        )
        matched_projects = [p for p in claimed if p in actual]
        actual_year = _first_upload_year(user)
        year_ok = (
            first_upload_year is not None
            and actual_year is not None
            and abs(first_upload_year - actual_year) <= 1
        )
        known = _known_addresses(user)
        matched_emails = [e for e in claimed_emails if e in known]
    projects_ok = bool(matched_projects) and len(matched_projects) == len(claimed)
    score = sum([projects_ok, year_ok, bool(matched_emails)])
    ok = score >= 2
    return record_proof(
        request_obj=request_obj,
        method=RecoveryProof.Method.KNOWLEDGE,
        ok=ok,
        strength=RecoveryProof.Strength.WEAK,
        boundary="knowledge",
        reason=f"{score} of 3 answers matched the records.",
        details={
            "projects_claimed": claimed,
            "projects_matched": len(matched_projects),
            "year_claimed": first_upload_year,
            "year_matched": year_ok,
            "emails_claimed": claimed_emails,
            "emails_matched": len(matched_emails),
        },
    )
