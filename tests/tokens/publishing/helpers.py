from __future__ import annotations

import json
from typing import Any

from lifeline.index.models import Project, Role
from lifeline.tokens.publishing.services import publisher_add


def make_project(owner: Any, name: str = "octo-pkg") -> Project:
    project = Project.objects.create(name=name, normalized_name=name.lower())
    Role.objects.create(project=project, user=owner, role=Role.Kind.OWNER)
    return project


def github_publisher(project: Project, owner: Any, **fields: Any):  # type: ignore[no-untyped-def]
    values = {
        "kind": "github",
        "repository": "octo-org/octo-pkg",
        "workflow": "release.yml",
        "environment": "pypi",
    } | fields
    return publisher_add(project=project, actor=owner, **values)


def exchange(client: Any, token: Any) -> tuple[int, dict[str, Any]]:
    response = client.post(
        "/_/oidc/mint-token", data=json.dumps({"token": token}), content_type="application/json"
    )
    return response.status_code, response.json()


def refusal(body: dict[str, Any]) -> str:
    assert body["message"] == "Token request failed"
    [error] = body["errors"]
    return f"{error['code']}: {error['description']}"
