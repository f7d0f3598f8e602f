"""Does a verified token's claims match a publisher? Pure functions, no I/O.

Each check names the claim that did not match, which the client is shown (the claims are
the client's own; the publisher's configuration is not revealed beyond what it tested).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from lifeline.tokens.publishing.models import PublisherKind, TrustedPublisher

# What a minted token and the release page remember about the CI run (never the JWT).
RUN_CLAIMS = {
    PublisherKind.GITHUB: (
        "repository",
        "workflow_ref",
        "ref",
        "sha",
        "run_id",
        "run_attempt",
        "environment",
        "event_name",
        "actor",
    ),
    PublisherKind.GITLAB: (
        "project_path",
        "ci_config_ref_uri",
        "ref",
        "sha",
        "pipeline_id",
        "job_id",
        "environment",
        "user_login",
    ),
    PublisherKind.OIDC: ("sub", "repository", "ref", "sha", "workflow_ref", "run_id"),
}


def _str(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    return value if isinstance(value, str) else ""


def mismatch(publisher: TrustedPublisher, claims: dict[str, Any], *, issuer: str) -> str | None:
    """None if ``claims`` satisfy ``publisher``; else which claim did not match."""
    if publisher.kind == PublisherKind.GITHUB:
        return _github(publisher, claims)
    if publisher.kind == PublisherKind.GITLAB:
        return _gitlab(publisher, claims, issuer=issuer)
    return _generic(publisher, claims)


def _environment(publisher: TrustedPublisher, claims: dict[str, Any]) -> str | None:
    if (
        publisher.environment
        and _str(claims, "environment").lower() != publisher.environment.lower()
    ):
        found = _str(claims, "environment")
        return f"environment: the token's environment {found!r} is not the configured one"
    return None


def _github(publisher: TrustedPublisher, claims: dict[str, Any]) -> str | None:
    repository = publisher.repository.lower()
    if _str(claims, "repository").lower() != repository:
        return f"repository: {_str(claims, 'repository')!r} is not a configured repository"
    if _str(claims, "repository_owner").lower() != repository.split("/", 1)[0]:
        return f"repository_owner: {_str(claims, 'repository_owner')!r} does not match"
    # workflow_ref is the top-level workflow run in this repository (what the owner names);
    # job_workflow_ref is a fallback for issuers that send only it.
    ref = _str(claims, "workflow_ref") or _str(claims, "job_workflow_ref")
    path, _, at = ref.partition("@")
    expected = f"{repository}/.github/workflows/{publisher.workflow}"
    if not at or path.lower() != expected.lower() or not path.endswith(publisher.workflow):
        return f"workflow_ref: {ref!r} is not the configured workflow"
    return _environment(publisher, claims)


def _gitlab(publisher: TrustedPublisher, claims: dict[str, Any], *, issuer: str) -> str | None:
    project_path = publisher.repository.lower()
    if _str(claims, "project_path").lower() != project_path:
        return f"project_path: {_str(claims, 'project_path')!r} is not a configured project"
    host = urlsplit(issuer).netloc.lower()
    ref_uri = _str(claims, "ci_config_ref_uri")
    path, _, at = ref_uri.partition("@")
    expected = f"{host}/{project_path}//{publisher.workflow}"
    head, _, config = path.partition("//")
    if not at or head.lower() != f"{host}/{project_path}" or config != publisher.workflow:
        return f"ci_config_ref_uri: {ref_uri!r} is not {expected}@…"
    return _environment(publisher, claims)


def _generic(publisher: TrustedPublisher, claims: dict[str, Any]) -> str | None:
    for name, wanted in sorted(publisher.claims.items()):
        if str(claims.get(name, "")) != str(wanted):
            return f"{name}: {str(claims.get(name, ''))[:200]!r} does not match"
    return None


def run_details(kind: str, claims: dict[str, Any]) -> dict[str, str]:
    """The CI run's identifying claims, as short strings."""
    out = {}
    for name in RUN_CLAIMS.get(PublisherKind(kind), ()):
        value = claims.get(name)
        if isinstance(value, (str, int)) and str(value):
            out[name] = str(value)[:300]
    return out
