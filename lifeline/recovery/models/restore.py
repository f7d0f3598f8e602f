"""Models of the decision and the restore: approvals (the two-person rule), restore links,
and desk role grants.

The raw restore token is never stored: only its SHA-256 digest (see
``lifeline.recovery.crypto.hash_link_token``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class RecoveryApproval(models.Model):
    """One staff member's approval of a case.

    A critical account needs approvals from two different staff members before the case
    enters cooling-off. Only approvals given since the case last entered ``open`` count
    (``lifeline.recovery.staff.decisions.current_approvals``): a round of questions to the
    requester may change the evidence, so earlier approvals are kept for the record but no
    longer count.
    """

    request = models.ForeignKey(
        "recovery.RecoveryRequest", on_delete=models.CASCADE, related_name="approvals"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    justification = models.TextField()
    tokens_decision = models.CharField(max_length=10, default="keep")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"approval of request {self.request_id} by {self.approver_id}"


class RestoreLink(models.Model):
    """The single-use link that lets the requester set a new password (valid 72 h by default)."""

    request = models.ForeignKey(
        "recovery.RecoveryRequest", on_delete=models.CASCADE, related_name="restore_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField(max_length=254)
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Set when a newer link replaced this one (staff re-sent it).
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"restore link for request {self.request_id}"

    @property
    def is_usable(self) -> bool:
        return (
            self.used_at is None and self.superseded_at is None and self.expires_at > timezone.now()
        )


class StaffRoleGrant(models.Model):
    """A desk role given to an account: a two-person action.

    An admin proposes; a second admin confirms and the role takes effect. When the proposer
    is the only admin, the grant takes effect by itself at ``effective_at`` (7 days later)
    and every staff member is told at once (``lifeline.desk.roles``). Applied
    grants also tie two staff members together for 30 days: their approvals of one case
    count as one (``lifeline.recovery.staff.approval_rules``).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_role_grants"
    )
    role = models.CharField(max_length=20)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    justification = models.TextField()
    created = models.DateTimeField(default=timezone.now)
    # Set when there was no second admin to confirm: the grant applies itself at this time.
    effective_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True, db_index=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"grant of {self.role} to user {self.user_id}"

    @property
    def is_pending(self) -> bool:
        return self.applied_at is None and self.cancelled_at is None
