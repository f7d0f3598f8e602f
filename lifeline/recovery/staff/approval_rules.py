"""Who may approve a recovery case, and how many approvals it needs.

No single insider can restore an account. ``decisions.recovery_approve`` asks these rules
under the case's row lock; each refusal is a clear error on the desk and a row in the case's
audit trail (``details.action == "approve_refused"``) plus an account event.

* **Evidence.** Approving needs at least moderate evidence (``policy.Level``). Weak evidence
  can be approved only after an escalation, and then by two admins.
* **Conflicts of interest.** Nobody approves a case on their own account, or one whose
  contact address is one of their own addresses (any of their ``EmailAddress`` rows or the
  account's email field, compared case-insensitively).
* **Two approvers** (two distinct staff members) for a critical account, a contested case
  (a competing request, or an owner who cancelled a recovery of this account before) and an
  escalated case with weak evidence.
* **Linked approvers count once.** When one of two approvers gave the other their desk role
  (proposed or confirmed the grant) in the last 30 days, the second approval would not be
  independent: it is refused, and a different staff member must approve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress

from lifeline.recovery.evidence import (
    account_is_contested,
    account_is_critical,
    evidence_for,
)
from lifeline.recovery.models import RecoveryRequest
from lifeline.recovery.policy import Level
from lifeline.recovery.staff import roles

GRANT_LINK_DAYS = 30


@dataclass(frozen=True)
class Refusal:
    rule: str
    message: str


def own_addresses(actor: Any) -> set[str]:
    addresses = {
        e.lower() for e in EmailAddress.objects.filter(user=actor).values_list("email", flat=True)
    }
    if getattr(actor, "email", ""):
        addresses.add(actor.email.lower())
    return addresses


def conflict_of_interest(request_obj: RecoveryRequest, actor: Any) -> Refusal | None:
    if request_obj.user_id is not None and request_obj.user_id == actor.pk:
        return Refusal(
            "own_account",
            "This is a recovery of your own account: another staff member must decide it.",
        )
    if request_obj.contact_email.strip().lower() in own_addresses(actor):
        return Refusal(
            "own_contact_address",
            "The request's contact address is one of your own addresses: another staff "
            "member must decide it.",
        )
    return None


def weak_evidence(request_obj: RecoveryRequest, *, escalated: bool) -> bool:
    return evidence_for(request_obj).level == Level.WEAK


def evidence_refusal(request_obj: RecoveryRequest, *, escalated: bool) -> Refusal | None:
    if weak_evidence(request_obj, escalated=escalated) and not escalated:
        return Refusal(
            "weak_evidence",
            "The evidence is weak: approving needs at least moderate evidence. Ask the "
            "requester for more proofs, or escalate the case so that two admins decide it.",
        )
    return None


def linked_refusal(actor: Any, earlier_approver_ids: list[int]) -> Refusal | None:
    for other_id in earlier_approver_ids:
        if other_id and roles.granted_within(actor.pk, other_id, days=GRANT_LINK_DAYS):
            return Refusal(
                "linked_approvers",
                f"You and the earlier approver gave one another a desk role in the last "
                f"{GRANT_LINK_DAYS} days, so your approvals count as one: a different staff "
                "member must approve.",
            )
    return None


def approvals_needed(request_obj: RecoveryRequest, *, escalated: bool) -> tuple[int, list[str]]:
    """How many independent approvers the case needs, and why (empty reasons: one)."""
    reasons = []
    critical, _ = account_is_critical(request_obj.user)
    if critical:
        reasons.append("the account is critical")
    if request_obj.contested or account_is_contested(request_obj.user):
        reasons.append("the case is contested")
    if escalated and weak_evidence(request_obj, escalated=escalated):
        reasons.append("weak evidence after an escalation needs two admins")
    return (2 if reasons else 1), reasons
