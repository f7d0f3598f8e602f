"""Background work for recovery (``django.tasks``; enqueue with ``lifeline.core.tasks``).

The repository check is defined next to the proof it completes
(``lifeline.recovery.proofs.repository.check_repository_proof``); this name stays so that
tasks queued before the move still find it.
"""

from __future__ import annotations

from lifeline.recovery.proofs.repository import check_repository_proof

__all__ = ["check_repository_proof"]
