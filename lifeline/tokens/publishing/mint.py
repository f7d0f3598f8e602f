"""Exchange a verified OIDC token for a short-lived, project-scoped API token.

Security reasoning:

- The minted token is an ordinary ``ApiToken``: scoped to the one project the publisher
  belongs to, expiring after ``LIFELINE_OIDC_TOKEN_MINUTES`` (15), checked by the same upload
  path as any token. It belongs to an owner of the project (the publisher's creator while
  they remain an owner), because uploads are authorised per user and role.
- Each JWT is exchanged once: its ``(iss, jti)`` is inserted in ``UsedJwtId`` in the minting
  transaction; the unique constraint refuses a replay even under concurrency. Rows stay until
  the JWT's own expiry, in a table, not an evictable cache.
- Several matching publishers are refused as ambiguous rather than guessing a scope.
- A pending publisher's first exchange creates its project, owned by its creator, and turns
  it into an ordinary publisher (PyPI does the same), so the token is still scoped to one project.
- Refusals record an event with the reason and the claims that identify the CI run, never the
  token itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from lifeline.accounts.mfa.status import has_2fa
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.index.models import Project, Role
from lifeline.tokens import crypto
from lifeline.tokens.models import ApiToken
from lifeline.tokens.publishing import conf, oidc
from lifeline.tokens.publishing.claims import mismatch, run_details
from lifeline.tokens.publishing.models import PublisherKind, TrustedPublisher, UsedJwtId
from lifeline.tokens.publishing.oidc import OidcError
from lifeline.tokens.services import token_lookup


@dataclass
class Minted:
    token: ApiToken
    raw: str
    expires: int


def _live() -> Any:
    """Publishers that can be used: every project publisher, and unexpired pending ones."""
    return TrustedPublisher.objects.exclude(project__isnull=True, expires_at__lte=timezone.now())


def _kind(issuer: str) -> str | None:
    """Which kind of publisher ``issuer`` serves, if any publisher could use it."""
    if issuer == conf.github_issuer():
        return PublisherKind.GITHUB
    if issuer == conf.gitlab_issuer():
        return PublisherKind.GITLAB
    if _live().filter(kind=PublisherKind.OIDC, issuer=issuer).exists():
        return PublisherKind.OIDC
    return None


def _candidates(kind: str, issuer: str, claims: dict[str, Any]) -> list[TrustedPublisher]:
    """The publishers for the token's repository (verified claims), from the database."""
    live = _live().filter(kind=kind)
    if kind == PublisherKind.OIDC:
        return list(live.filter(issuer=issuer))
    key = "repository" if kind == PublisherKind.GITHUB else "project_path"
    wanted = claims.get(key)
    if not isinstance(wanted, str) or not wanted:
        return []
    return list(live.filter(repository__iexact=wanted))


def _repository(claims: dict[str, Any]) -> str:
    return str(claims.get("repository") or claims.get("project_path") or "")[:200]


REFUSAL_CLAIMS = (
    "sub",
    "repository",
    "project_path",
    "workflow_ref",
    "ci_config_ref_uri",
    "environment",
    "ref",
    "sha",
    "run_id",
    "pipeline_id",
)


def _identifying(claims: dict[str, Any]) -> dict[str, str]:
    """Which CI run asked (never the token): for the refusal event."""
    return {k: str(claims[k])[:300] for k in REFUSAL_CLAIMS if k in claims}


def record_refusal(
    code: str,
    description: str,
    *,
    issuer: str = "",
    claims: dict[str, Any] | None = None,
    ip: str | None = None,
) -> OidcError:
    record_event(
        tag=EventTag.OIDC_REFUSE,
        user=None,
        details={
            "error": code,
            "reason": description[:500],
            "issuer": issuer[:500],
            "claims": _identifying(claims or {}),
        },
        ip=ip,
    )
    return OidcError(code, description)


def mint_token(*, jwt_token: Any, ip: str | None) -> Minted:
    """Verify ``jwt_token`` and mint an upload token; raises OidcError (already recorded)."""
    issuer = ""
    claims: dict[str, Any] = {}
    try:
        issuer = oidc.unverified_issuer(jwt_token)
        kind = _kind(issuer)
        if kind is None:
            raise OidcError(
                "invalid-publisher", f"No trusted publisher uses the issuer {issuer[:200]!r}."
            )
        oidc.check_issuer_url(issuer)
        claims = oidc.verify(jwt_token, issuer=issuer, audience=conf.audience())
        narrowed = _candidates(kind, issuer, claims)
        if not narrowed:
            raise OidcError(
                "invalid-publisher",
                "No trusted publisher is configured for this repository "
                f"({kind}: {_repository(claims)!r}).",
            )
        reasons = {p.pk: mismatch(p, claims, issuer=issuer) for p in narrowed}
        matching = [p for p in narrowed if reasons[p.pk] is None]
        if not matching:
            detail = "; ".join(sorted({r for r in reasons.values() if r}))
            raise OidcError(
                "invalid-publisher", f"Valid token, but no trusted publisher matched it: {detail}"
            )
        if len(matching) > 1:
            raise OidcError(
                "invalid-publisher",
                "Valid token, but several trusted publishers match it; make them "
                "distinct (e.g. with an environment).",
            )
        return _mint(publisher=matching[0], issuer=issuer, claims=claims, ip=ip)
    except OidcError as exc:
        raise record_refusal(
            exc.code, exc.description, issuer=issuer, claims=claims, ip=ip
        ) from None


def _uploader(publisher: TrustedPublisher) -> Any:
    """The owner the token acts as: the creator while an owner, else the longest-standing owner."""
    owners = list(
        Role.objects.filter(project=publisher.project, role=Role.Kind.OWNER)
        .select_related("user")
        .order_by("created", "id")
    )
    for role in owners:
        if role.user_id == publisher.created_by_id and role.user.is_active:
            return role.user
    for role in owners:
        if role.user.is_active:
            return role.user
    raise OidcError("invalid-publisher", "The project has no active owner to publish as.")


def _reify(publisher: TrustedPublisher) -> None:
    """A pending publisher's first use: create its project, owned by its creator."""
    user = publisher.created_by
    if not user.is_active or (settings.LIFELINE_REQUIRE_2FA and not has_2fa(user)):
        raise OidcError("invalid-publisher", "The pending publisher's account cannot publish.")
    if Project.objects.filter(normalized_name=publisher.pending_normalized_name).exists():
        raise OidcError("invalid-publisher", "The pending publisher's project name is taken.")
    project = Project.objects.create(
        name=publisher.pending_name, normalized_name=publisher.pending_normalized_name
    )
    Role.objects.create(project=project, user=user, role=Role.Kind.OWNER)
    via = {"via": "trusted publisher", "publisher_id": publisher.pk}
    record_event(
        tag=EventTag.PROJECT_CREATE, user=user, actor=user, project=project.name, details=via
    )
    record_event(
        tag=EventTag.ROLE_ADD,
        user=user,
        actor=user,
        project=project.name,
        details={"role": Role.Kind.OWNER, "username": user.username} | via,
    )
    publisher.project, publisher.expires_at = project, None
    publisher.pending_name = publisher.pending_normalized_name = ""
    publisher.save(
        update_fields=["project", "expires_at", "pending_name", "pending_normalized_name"]
    )
    record_event(
        tag=EventTag.PUBLISHER_ADD,
        user=user,
        actor=user,
        project=project.name,
        details=publisher.describe() | {"from_pending": True},
    )


def _mint(
    *, publisher: TrustedPublisher, issuer: str, claims: dict[str, Any], ip: str | None
) -> Minted:
    now = timezone.now()
    jwt_expiry = datetime.fromtimestamp(int(claims["exp"]), tz=UTC) + timedelta(
        seconds=conf.LEEWAY_SECONDS
    )
    run = run_details(publisher.kind, claims)
    try:
        with transaction.atomic():
            UsedJwtId.objects.create(
                issuer=issuer, jti=str(claims["jti"])[:255], expires_at=jwt_expiry
            )
            publisher = TrustedPublisher.objects.select_for_update().get(pk=publisher.pk)
            if publisher.is_pending:
                _reify(publisher)
            user = _uploader(publisher)
            public_id, raw = crypto.generate()
            expires_at = now + timedelta(minutes=conf.token_minutes())
            token = ApiToken.objects.create(
                user=user,
                name=f"Trusted publisher: {publisher.label}"[:100],
                public_id=public_id,
                secret_hash=crypto.hash_token(raw),
                project=publisher.project,
                expires_at=expires_at,
                publisher=publisher,
                publisher_claims=run,
            )
            TrustedPublisher.objects.filter(pk=publisher.pk).update(last_used_at=now)
            record_event(
                tag=EventTag.OIDC_MINT,
                user=user,
                actor=None,
                project=publisher.project.name,
                details=publisher.describe()
                | {"run": run, "token_public_id": public_id, "expires_at": expires_at.isoformat()},
                ip=ip,
            )
    except IntegrityError:
        raise OidcError("invalid-token", "This token was already exchanged (jti reused).") from None
    return Minted(token=token, raw=raw, expires=int(expires_at.timestamp()))


def burn_minted_token(*, raw_token: str) -> bool:
    """Revoke a token minted by a trusted publisher, at its holder's request (no email: the
    CI does this after every upload). False if it isn't an active minted token."""
    token = token_lookup(raw_token)
    if token is None or token.publisher_id is None or not token.is_active:
        return False
    with transaction.atomic():
        if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        ):
            return False
        record_event(
            tag=EventTag.TOKEN_REVOKE,
            user=token.user,
            actor=None,
            project=token.project.name if token.project_id else "",
            details={
                "token_name": token.name,
                "public_id": token.public_id,
                "reason": "burned by the trusted publisher after its upload",
            },
        )
    return True
