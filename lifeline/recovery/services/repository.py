"""Proof b: a challenge file published under a project URL declared before the request."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from lifeline.recovery.fetcher import (
    Fetcher,
    FetchError,
    check_url_shape,
    get_fetcher,
    url_under_prefix,
)
from lifeline.recovery.models import RecoveryProof, RecoveryRequest
from lifeline.recovery.policy import repository_boundary
from lifeline.recovery.services.proofs import limit, record_proof, require_proving


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


def proof_repository(
    *, request_obj: RecoveryRequest, url: str, fetcher: Fetcher | None = None
) -> RecoveryProof:
    """Fetch ``url`` and look for the request's challenge in it (strong).

    The URL must lie under an eligible project URL (same scheme and host, path below), and
    the fetcher refuses anything unsafe (see ``lifeline.recovery.fetcher``). Proofs behind
    the same host and owner path share a security boundary and count once.
    """
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
    boundary = "repository:" + repository_boundary(parts.hostname or "", parts.path)
    try:
        result = (fetcher or get_fetcher()).fetch(url, prefix=prefix)
    except FetchError as exc:
        return _failed(request_obj, exc.message, details | {"error": exc.code}, boundary)
    text = result.body.decode("utf-8", errors="replace")
    # The file must hold the challenge and nothing else: a page that merely *includes* it
    # (a comment thread, an issue, a reflected search) is not proof of control.
    if text.strip() != request_obj.challenge:
        return _failed(
            request_obj,
            "The file was fetched but does not contain exactly this request's challenge "
            "(nothing else, apart from a final newline).",
            details | {"error": "challenge_missing"},
            boundary,
        )
    return record_proof(
        request_obj=request_obj,
        method=RecoveryProof.Method.REPOSITORY,
        ok=True,
        strength=RecoveryProof.Strength.STRONG,
        boundary=boundary,
        reason=f"The challenge was found at {result.url}.",
        details=details | {"fetched": result.url[:500]},
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
