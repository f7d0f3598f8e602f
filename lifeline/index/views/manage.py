"""“Your projects”: roles and releases. Owners only, with 2FA; deletion needs sudo mode."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from lifeline.accounts.decorators import require_2fa
from lifeline.index.models import Project, Release, Role
from lifeline.index.services import (
    ManageError,
    is_owner,
    ownership_transfer,
    projects_for_user,
    release_delete,
    release_unyank,
    release_yank,
    role_add,
    role_remove,
)


def _project_for(request: HttpRequest, name: str) -> Project:
    """A project the user has a role on; 404 otherwise, so non-members learn nothing."""
    project = get_object_or_404(Project, normalized_name=name)
    if not Role.objects.filter(project=project, user_id=request.user.pk).exists():
        raise Http404("No such project.")
    return project


def _done(request: HttpRequest, project: Project, error: ManageError | None, ok: str):  # type: ignore[no-untyped-def]
    if error is not None:
        messages.error(request, str(error))
    else:
        messages.success(request, ok)
    return redirect("manage_project", name=project.normalized_name)


@require_safe
@require_2fa
def manage_projects(request: HttpRequest) -> HttpResponse:
    return render(request, "index/manage_projects.html", {"roles": projects_for_user(request.user)})


@require_safe
@require_2fa
def manage_project(request: HttpRequest, name: str) -> HttpResponse:
    project = _project_for(request, name)
    return render(
        request,
        "index/manage_project.html",
        {
            "project": project,
            "roles": Role.objects.filter(project=project).select_related("user"),
            "releases": Release.objects.filter(project=project).prefetch_related("files"),
            "owner": is_owner(project=project, user=request.user),
            "role_kinds": Role.Kind.choices,
        },
    )


@require_POST
@require_2fa
def role_add_view(request: HttpRequest, name: str) -> HttpResponse:
    project = _project_for(request, name)
    username = request.POST.get("username", "")
    kind = request.POST.get("role", Role.Kind.MAINTAINER)
    try:
        role_add(project=project, username=username, role=kind, actor=request.user)
    except ManageError as exc:
        return _done(request, project, exc, "")
    return _done(request, project, None, f"{username.strip()} was added as {kind}.")


@require_POST
@require_2fa
def role_remove_view(request: HttpRequest, name: str, role_id: int) -> HttpResponse:
    project = _project_for(request, name)
    role = get_object_or_404(Role, pk=role_id, project=project)
    try:
        role_remove(project=project, role=role, actor=request.user)
    except ManageError as exc:
        return _done(request, project, exc, "")
    if role.user_id == request.user.pk:
        messages.success(request, f"You left {project.name}.")
        return redirect("manage_projects")
    return _done(request, project, None, f"{role.user.username} was removed.")


@require_POST
@require_2fa
def ownership_transfer_view(request: HttpRequest, name: str, role_id: int) -> HttpResponse:
    project = _project_for(request, name)
    role = get_object_or_404(Role, pk=role_id, project=project)
    try:
        ownership_transfer(project=project, role=role, actor=request.user)
    except ManageError as exc:
        return _done(request, project, exc, "")
    message = f"{role.user.username} is now an owner; you are a maintainer."
    return _done(request, project, None, message)


def _release(project: Project, version: str) -> Release:
    return get_object_or_404(Release, project=project, version=version)


@require_POST
@require_2fa
def release_yank_view(request: HttpRequest, name: str, version: str) -> HttpResponse:
    project = _project_for(request, name)
    release = _release(project, version)
    try:
        release_yank(release=release, actor=request.user, reason=request.POST.get("reason", ""))
    except ManageError as exc:
        return _done(request, project, exc, "")
    return _done(request, project, None, f"{release.version} was yanked.")


@require_POST
@require_2fa
def release_unyank_view(request: HttpRequest, name: str, version: str) -> HttpResponse:
    project = _project_for(request, name)
    release = _release(project, version)
    try:
        release_unyank(release=release, actor=request.user)
    except ManageError as exc:
        return _done(request, project, exc, "")
    return _done(request, project, None, f"{release.version} is no longer yanked.")


@require_2fa
@reauthentication_required(allow_get=True)
def release_delete_view(request: HttpRequest, name: str, version: str) -> HttpResponse:
    """GET: a confirmation page. POST (sudo mode; the version typed again): delete."""
    project = _project_for(request, name)
    release = _release(project, version)
    if request.method == "POST":
        if request.POST.get("confirm", "").strip() != release.version:
            messages.error(request, "Type the version number exactly to confirm.")
            return redirect("release_delete", name=project.normalized_name, version=version)
        try:
            release_delete(release=release, actor=request.user)
        except ManageError as exc:
            return _done(request, project, exc, "")
        return _done(request, project, None, f"{release.version} was deleted.")
    return render(request, "index/release_delete.html", {"project": project, "release": release})
