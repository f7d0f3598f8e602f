"""Proof b: a challenge file published under a project URL declared before the request.

Submitting records a pending proof and enqueues the fetch (:func:`check_repository_proof`): the
network exchange runs in a worker, under the fetcher's total deadline, never in a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from lifeline.recovery.models import RecoveryProof, RecoveryRequest
from lifeline.recovery.policy import repository_boundary
from lifeline.recovery.proofs.common import complete_proof, limit, record_proof, require_proving
from lifeline.recovery.proofs.fetcher import (
    Fetcher,
    FetchError,
    check_url_shape,
    get_fetcher,
    url_under_prefix,
)
from lifeline.recovery.states import PROVING_STATES


@dataclass(frozen=True)
class EligibleUrl:
    url: str
    project: str
    label: str


def eligible_urls(request_obj: RecoveryRequest) -> list[EligibleUrl]:
    """Project URLs of the projects the account owns, from releases uploaded before the request.

    Only URLs that existed before the request count: someone who took over the account
    later cannot plant a URL they control and then prove it. Only releases the account
    uploaded itself count, so a co-maintainer cannot plant one either.
    """
    if request_obj.user_id is None:
        return []
    from lifeline.index.models import Release, Role

    releases = (
        Release.objects.filter(
            project__roles__user_id=request_obj.user_id,
            project__roles__role=Role.Kind.OWNER,
            created__lt=request_obj.created,
            # Only URLs this account declared itself: a co-maintainer could otherwise upload a
            # release naming a site they control and "prove" the owner's account with it.
            uploader_id=request_obj.user_id,
        )
        .select_related("project")
        .order_by("project__name", "created")
    )
    seen: dict[str, EligibleUrl] = {}
    for release in releases:
        candidates = [("Home page", release.home_page)]
        candidates += list((release.project_urls or {}).items())
        for label, url in candidates:
            if not isinstance(url, str) or not url.strip():
                continue
            url = url.strip()
            try:
                check_url_shape(url)
            except FetchError:
                continue
            key = url.rstrip("/")
            if key not in seen:
                seen[key] = EligibleUrl(url=url, project=release.project.name, label=str(label))
    return list(seen.values())


def proof_repository(*, request_obj: RecoveryRequest, url: str) -> RecoveryProof:
    """Submit ``url`` for the repository challenge (strong); the fetch runs in a task.

    Cheap checks happen here and fail at once: the URL must lie under an eligible project
    URL (same scheme and host, path below) and carry no query string. Otherwise a *pending*
    proof is recorded and :func:`repository_check_run` is enqueued: the network fetch (up to
    the fetch deadline, 5 s) never runs inside the web request. The status page shows
    "checking…" until the task records the outcome. With a task backend that runs at once
    (tests, ``immediate``), the returned proof already has its outcome.
    """
    from lifeline.core.tasks import enqueue

    require_proving(request_obj)
    limit("repository", [(str(request_obj.pk), "repository")])
    url = (url or "").strip()
    details: dict[str, str] = {"url": url[:500]}
    prefix = next((e.url for e in eligible_urls(request_obj) if url_under_prefix(url, e.url)), None)
    if prefix is None:
        return _failed(
            request_obj,
            "The URL is not under any of the eligible project URLs.",
            details | {"error": "off_prefix"},
        )
    details["prefix"] = prefix
    if "?" in url or "#" in url:
        # A query string lets a page that echoes its URL (search results, "not found" pages)
        # "contain" any challenge: only a published file counts.
        return _failed(
            request_obj,
            "Give the URL of the file itself, without a query string (?…) or fragment (#…).",
            details | {"error": "query_not_allowed"},
        )
    parts = urlsplit(prefix)
    boundary = repository_boundary(parts.hostname or "", parts.path)
    with transaction.atomic():
        proof = RecoveryProof.objects.create(
            request=request_obj,
            method=RecoveryProof.Method.REPOSITORY,
            result=RecoveryProof.Result.PENDING,
            strength=RecoveryProof.Strength.STRONG,
            boundary=boundary,
            reason="Checking the file…",
            details=details,
        )
        enqueue(check_repository_proof, proof.pk)
    proof.refresh_from_db()
    return proof


def repository_check_run(*, proof_id: int, fetcher: Fetcher | None = None) -> RecoveryProof | None:
    """Fetch a pending repository proof's URL and record the outcome (the task's body).

    The fetcher refuses anything unsafe and gives up at its total deadline (see
    ``lifeline.recovery.proofs.fetcher``). Idempotent: a proof that is no longer pending is left
    alone (None).
    """
    proof = (
        RecoveryProof.objects.select_related("request")
        .filter(pk=proof_id, result=RecoveryProof.Result.PENDING)
        .first()
    )
    if proof is None:
        return None
    if proof.request.state not in PROVING_STATES:
        return complete_proof(
            proof_id=proof.pk,
            ok=False,
            reason="The request was no longer in review when the check ran.",
            details={"error": "wrong_state"},
        )
    url, prefix = proof.details.get("url", ""), proof.details.get("prefix", "")
    try:
        result = (fetcher or get_fetcher()).fetch(url, prefix=prefix)
    except FetchError as exc:
        return complete_proof(
            proof_id=proof.pk, ok=False, reason=exc.message, details={"error": exc.code}
        )
    text = result.body.decode("utf-8", errors="replace")
    # The file must hold the challenge and nothing else: a page that merely *includes* it
    # (a comment thread, an issue, a reflected search) is not proof of control.
    if text.strip() != proof.request.challenge:
        return complete_proof(
            proof_id=proof.pk,
            ok=False,
            reason="The file was fetched but does not contain exactly this request's challenge "
            "(nothing else, apart from a final newline).",
            details={"error": "challenge_missing"},
        )
    return complete_proof(
        proof_id=proof.pk,
        ok=True,
        reason=f"The challenge was found at {result.url}.",
        details={"fetched": result.url[:500]},
    )


@task()
def check_repository_proof(proof_id: int) -> str:
    """Background task: fetch a pending repository or homepage proof and record its outcome."""
    proof = repository_check_run(proof_id=proof_id)
    return proof.result if proof is not None else "skipped"


def recheck_stale_repository_proofs(*, older_than_seconds: int = 120, batch: int = 20) -> int:
    """Scheduled job: run checks whose task never ran (a stopped worker), so no proof stays
    "checking…" for ever. Each run is bounded by the fetch deadline."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    stale = RecoveryProof.objects.filter(
        method=RecoveryProof.Method.REPOSITORY,
        result=RecoveryProof.Result.PENDING,
        created__lt=cutoff,
    ).order_by("created")[:batch]
    return sum(
        1 for pk in list(stale.values_list("pk", flat=True)) if repository_check_run(proof_id=pk)
    )


def _failed(
    request_obj: RecoveryRequest, reason: str, details: dict[str, str], boundary: str = ""
) -> RecoveryProof:
    return record_proof(
        request_obj=request_obj,
        method=RecoveryProof.Method.REPOSITORY,
        ok=False,
        strength=RecoveryProof.Strength.STRONG,
        boundary=boundary or "repository",
        reason=reason,
        details=details,
    )
