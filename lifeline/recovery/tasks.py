"""Background work for recovery (``django.tasks``; enqueue with ``lifeline.core.tasks``)."""

from __future__ import annotations

from django.tasks import task


@task()
def check_repository_proof(proof_id: int) -> str:
    """Fetch a pending repository or homepage proof and record its outcome."""
    from lifeline.recovery.proofs.repository import repository_check_run

    proof = repository_check_run(proof_id=proof_id)
    return proof.result if proof is not None else "skipped"
