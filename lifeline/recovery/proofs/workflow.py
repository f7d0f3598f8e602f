"""Proof by workflow: a CI run in a project's repository vouches for a recovery request.

The requester adds a step to a workflow that a trusted publisher of one of their projects
names (``lifeline.tokens.publishing``). The step asks the CI for an OIDC token whose audience
is ``<site audience>:recovery:<challenge>`` and posts it, with the challenge, to
``/recovery/proofs/workflow/``. Only someone who can push to the repository and run that
workflow can obtain such a token.

Security reasoning:

- **Bound to this case.** The challenge is inside the signed audience, so a token captured
  from a publishing run (audience: the site) or from another case proves nothing here.
- **Configured before the request.** Only publishers created before the request was filed,
  on projects the account owns, count: someone who later got into the account can't add a
  publisher for their own repository and then "prove" it.
- **Verified like the token exchange** (issuer known, keys from the issuer's origin,
  RS256/ES256, exp/iat/nbf, the publisher's claims) and the JWT's ``jti`` is spent in the
  same table, so it can't be replayed.
- **Boundary.** The forge account: ``repository:github.com/<owner>`` on a code host (the same
  boundary as a repository-file proof there, so the two never count twice), the issuer's
  domain for a self-hosted forge (its operator can mint any token).
- Strong, like the repository-file proof it mirrors.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction

from lifeline.index.models import Role
from lifeline.recovery.models import RecoveryProof, RecoveryRequest
from lifeline.recovery.policy import repository_boundary
from lifeline.recovery.proofs.common import (
    ProofRefused,
    record_proof,
    request_for_challenge,
)
from lifeline.tokens.publishing import conf, oidc
from lifeline.tokens.publishing.claims import mismatch, run_details
from lifeline.tokens.publishing.models import PublisherKind, TrustedPublisher, UsedJwtId

Method, Strength = RecoveryProof.Method, RecoveryProof.Strength
VIA = "workflow"


def recovery_audience(challenge: str) -> str:
    return f"{conf.audience()}:recovery:{challenge}"


def eligible_publishers(request_obj: RecoveryRequest) -> list[TrustedPublisher]:
    """Publishers of projects the account owns, configured before the request was filed."""
    if request_obj.user_id is None:
        return []
    owned = Role.objects.filter(user_id=request_obj.user_id, role=Role.Kind.OWNER).values(
        "project_id"
    )
    return list(
        TrustedPublisher.objects.filter(
            project_id__in=owned, created__lt=request_obj.created
        ).select_related("project")
    )


def _forge_host(publisher: TrustedPublisher, issuer: str) -> str:
    """The code host whose accounts the issuer's tokens speak for."""
    if publisher.kind == PublisherKind.GITHUB:
        return conf.github_host()
    return (urlsplit(issuer).hostname or "").lower()


def _boundary(publisher: TrustedPublisher, issuer: str, claims: dict[str, Any]) -> str:
    if publisher.kind == PublisherKind.OIDC:
        return repository_boundary(_forge_host(publisher, issuer), "/")
    return repository_boundary(_forge_host(publisher, issuer), "/" + publisher.repository)


def _issuer_publishers(issuer: str, publishers: list[TrustedPublisher]) -> list[TrustedPublisher]:
    if issuer == conf.github_issuer():
        return [p for p in publishers if p.kind == PublisherKind.GITHUB]
    if issuer == conf.gitlab_issuer():
        return [p for p in publishers if p.kind == PublisherKind.GITLAB]
    return [p for p in publishers if p.kind == PublisherKind.OIDC and p.issuer == issuer]


def proof_workflow(
    *, challenge: str, jwt_token: Any, ip: str | None
) -> tuple[RecoveryRequest, RecoveryProof]:
    """Check a CI workflow's OIDC token sent with the request's challenge (strong)."""
    request_obj = request_for_challenge(challenge, ip=ip)
    if not isinstance(jwt_token, str) or not jwt_token:
        raise ProofRefused("missing_token", 'Send the workflow\'s OIDC token as {"token": "…"}.')

    failure, reason, details, boundary = "", "", {"via": VIA}, "repository"
    try:
        issuer = oidc.unverified_issuer(jwt_token)
        candidates = _issuer_publishers(issuer, eligible_publishers(request_obj))
        if not candidates:
            raise oidc.OidcError(
                "no-publisher",
                "No trusted publisher of a project this account owns, configured before the "
                "request, uses this CI.",
            )
        oidc.check_issuer_url(issuer)
        claims = oidc.verify(jwt_token, issuer=issuer, audience=recovery_audience(challenge))
        reasons = {p.pk: mismatch(p, claims, issuer=issuer) for p in candidates}
        matching = [p for p in candidates if reasons[p.pk] is None]
        if not matching:
            detail = "; ".join(sorted({r for r in reasons.values() if r}))
            raise oidc.OidcError("invalid-publisher", f"No trusted publisher matched: {detail}")
        publisher = matching[0]
        boundary = _boundary(publisher, issuer, claims)
        details |= {
            "publisher_id": publisher.pk,
            "project": publisher.project.name,
            "publisher": publisher.label,
            "run": run_details(publisher.kind, claims),
        }
        expiry = datetime.fromtimestamp(int(claims["exp"]), tz=UTC) + timedelta(
            seconds=conf.LEEWAY_SECONDS
        )
        try:
            with transaction.atomic():
                UsedJwtId.objects.create(
                    issuer=issuer, jti=str(claims["jti"])[:255], expires_at=expiry
                )
        except IntegrityError:
            raise oidc.OidcError("invalid-token", "This token was already used (jti).") from None
        reason = f"A workflow run of {publisher.label} for {publisher.project.name} vouched."
    except oidc.OidcError as exc:
        failure, reason = exc.code, exc.description
        details["failure"] = failure
    proof = record_proof(
        request_obj=request_obj,
        method=Method.REPOSITORY,
        ok=not failure,
        strength=Strength.STRONG,
        boundary=boundary,
        reason=reason if not failure else f"Workflow proof: {reason}",
        details=details,
    )
    return request_obj, proof
