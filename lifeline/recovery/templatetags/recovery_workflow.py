"""``{% load recovery_workflow %}{% workflow_proof request_obj %}``: the workflow-proof step
for the status page (the publishers that qualify, and a ready CI step for each kind)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from lifeline.recovery.links import absolute
from lifeline.recovery.proofs.workflow import eligible_publishers, recovery_audience
from lifeline.tokens.publishing.models import PublisherKind

register = template.Library()


def github_step(endpoint: str, challenge: str, audience: str) -> str:
    return (
        "  recovery-proof:\n"
        "    runs-on: ubuntu-latest\n"
        "    permissions:\n"
        "      id-token: write\n"
        "    steps:\n"
        "      - run: |\n"
        '          TOKEN=$(curl -sS -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \\\n'
        f'            "$ACTIONS_ID_TOKEN_REQUEST_URL&audience={audience}" | jq -r .value)\n'
        "          curl --fail-with-body -H 'Content-Type: application/json' \\\n"
        f'            -d "{{\\"challenge\\": \\"{challenge}\\", \\"token\\": \\"$TOKEN\\"}}" \\\n'
        f"            {endpoint}\n"
    )


def gitlab_step(endpoint: str, challenge: str, audience: str) -> str:
    return (
        "recovery-proof:\n"
        "  image: curlimages/curl\n"
        "  id_tokens:\n"
        "    RECOVERY_TOKEN:\n"
        f'      aud: "{audience}"\n'
        "  script:\n"
        "    - >\n"
        "      curl --fail-with-body -H 'Content-Type: application/json'\n"
        f'      -d "{{\\"challenge\\": \\"{challenge}\\", \\"token\\": \\"$RECOVERY_TOKEN\\"}}"\n'
        f"      {endpoint}\n"
    )


@register.inclusion_tag("recovery/includes/workflow_proof.html")
def workflow_proof(request_obj: Any) -> dict[str, Any]:
    publishers = eligible_publishers(request_obj)
    endpoint = absolute(reverse("recovery_workflow_proof"))
    audience = recovery_audience(request_obj.challenge)
    kinds = {p.kind for p in publishers}
    return {
        "publishers": publishers,
        "endpoint": endpoint,
        "audience": audience,
        "github_step": github_step(endpoint, request_obj.challenge, audience)
        if PublisherKind.GITHUB in kinds
        else "",
        "gitlab_step": gitlab_step(endpoint, request_obj.challenge, audience)
        if PublisherKind.GITLAB in kinds
        else "",
        "generic": PublisherKind.OIDC in kinds,
    }
