"""Remember which trusted publisher, and which CI run, uploaded a file (shown on the release)."""

from __future__ import annotations

from typing import Any

from lifeline.tokens.publishing.models import PublisherKind, TrustedUpload


def upload_summary(token: Any) -> str:
    """``octo/pkg (release.yml, run 4242)``: the words the release page shows."""
    publisher, run = token.publisher, token.publisher_claims or {}
    run_id = run.get("run_id") or run.get("pipeline_id") or "?"
    if publisher is None:
        return f"a removed publisher (run {run_id})"
    if publisher.kind == PublisherKind.OIDC:
        who = run.get("repository") or run.get("sub") or ""
        return f"{publisher.issuer} ({who}, run {run_id})"[:800]
    return f"{publisher.repository} ({publisher.workflow}, run {run_id})"[:800]


def record_trusted_upload(*, file: Any, token: Any) -> TrustedUpload:
    """Called by the upload service, in its transaction, for a token minted by a publisher."""
    return TrustedUpload.objects.create(
        file=file,
        release=file.release,
        publisher_id=token.publisher_id,
        publisher_label=upload_summary(token),
        run=dict(token.publisher_claims or {}),
    )
