"""The recovery app's models (app label ``recovery``; tables unchanged).

* ``case``: the request, its audit trail, its messages, the owner's digests;
* ``proofs``: proof attempts and emailed codes;
* ``restore``: approvals, restore links, desk role grants.

Remembered devices are an account concern: ``lifeline.accounts.models.Device``.
"""

from lifeline.recovery.models.case import (
    OwnerDigest,
    RecoveryAudit,
    RecoveryMessage,
    RecoveryRequest,
)
from lifeline.recovery.models.proofs import EmailCodeChallenge, RecoveryProof
from lifeline.recovery.models.restore import RecoveryApproval, RestoreLink, StaffRoleGrant

__all__ = [
    "EmailCodeChallenge",
    "OwnerDigest",
    "RecoveryApproval",
    "RecoveryAudit",
    "RecoveryMessage",
    "RecoveryProof",
    "RecoveryRequest",
    "RestoreLink",
    "StaffRoleGrant",
]
