"""Publishing pages: a project's trusted publishers, and the account's pending publishers.

Adding or removing one can publish, so both need 2FA and sudo mode, like creating a token.
"""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from lifeline.accounts.decorators import require_2fa
from lifeline.index.models import Project, Role
from lifeline.tokens.publishing import conf
from lifeline.tokens.publishing.models import PublisherKind, TrustedPublisher
from lifeline.tokens.publishing.services import (
    PublisherError,
    pending_add,
    pending_for_user,
    publisher_add,
    publisher_remove,
)


def _fields(post: Any) -> dict[str, Any]:
    """The publisher fields posted by one of the three forms."""
    kind = post.get("kind", "")
    if kind == PublisherKind.GITHUB:
        owner, name = post.get("owner", "").strip(), post.get("repo", "").strip()
        repository = f"{owner}/{name}" if owner or name else ""
    else:
        repository = "/".join(
            p for p in (post.get("namespace", "").strip(), post.get("project", "").strip()) if p
        )
    claims: dict[str, str] = {}
    for line in post.get("claims", "").splitlines():
        if line.strip():
            key, _, value = line.partition("=")
            claims[key.strip()] = value.strip()
    return {
        "kind": kind,
        "repository": repository,
        "workflow": post.get("workflow", ""),
        "environment": post.get("environment", ""),
        "issuer": post.get("issuer", ""),
        "claims": claims,
    }


def _context(**extra: Any) -> dict[str, Any]:
    return {
        "github_issuer": conf.github_issuer(),
        "gitlab_issuer": conf.gitlab_issuer(),
        "audience": conf.audience(),
        "token_minutes": conf.token_minutes(),
        "pending_days": conf.pending_days(),
        **extra,
    }


def _member_project(request: HttpRequest, name: str) -> tuple[Project, bool]:
    project = get_object_or_404(Project, normalized_name=name)
    role = Role.objects.filter(project=project, user_id=request.user.pk).first()
    if role is None:
        raise Http404("No such project.")
    return project, role.role == Role.Kind.OWNER


@require_2fa
@reauthentication_required
def publishing_manage(request: HttpRequest, name: str) -> HttpResponse:
    project, owner = _member_project(request, name)
    if request.method == "POST":
        try:
            publisher = publisher_add(project=project, actor=request.user, **_fields(request.POST))
        except PublisherError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Trusted publisher added: {publisher.label}.")
        return redirect("publishing_manage", name=project.normalized_name)
    publishers = TrustedPublisher.objects.filter(project=project)
    return render(
        request,
        "publishing/manage.html",
        _context(project=project, owner=owner, publishers=publishers, kinds=PublisherKind),
    )


@require_POST
@require_2fa
@reauthentication_required
def publishing_remove(request: HttpRequest, name: str, pk: int) -> HttpResponse:
    project, _owner = _member_project(request, name)
    publisher = get_object_or_404(TrustedPublisher, pk=pk, project=project)
    try:
        publisher_remove(publisher=publisher, actor=request.user)
    except PublisherError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The trusted publisher was removed.")
    return redirect("publishing_manage", name=project.normalized_name)


@require_2fa
@reauthentication_required
def publishing_pending(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            publisher = pending_add(
                user=request.user,
                project_name=request.POST.get("project_name", ""),
                **_fields(request.POST),
            )
        except PublisherError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Pending publisher added for “{publisher.pending_name}”.")
        return redirect("publishing_pending")
    return render(
        request,
        "publishing/pending.html",
        _context(pending=pending_for_user(request.user), kinds=PublisherKind),
    )


@require_POST
@require_2fa
@reauthentication_required
def publishing_pending_remove(request: HttpRequest, pk: int) -> HttpResponse:
    publisher = get_object_or_404(
        TrustedPublisher, pk=pk, project__isnull=True, created_by_id=request.user.pk
    )
    publisher_remove(publisher=publisher, actor=request.user)
    messages.success(request, "The pending publisher was removed.")
    return redirect("publishing_pending")
