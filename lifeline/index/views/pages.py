"""Public pages: the project list, a project, a user's profile; PyPI's ``/project/`` URLs."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe
from packaging.utils import canonicalize_name, canonicalize_version
from packaging.version import InvalidVersion, Version

from lifeline.index import readme
from lifeline.index.models import File, Project, Release, Role


@require_safe
def project_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    projects = Project.objects.all().order_by("normalized_name")
    if query:
        projects = projects.filter(normalized_name__contains=canonicalize_name(query))
    page = Paginator(projects, 50).get_page(request.GET.get("page"))
    return render(request, "index/project_list.html", {"page": page, "query": query})


@require_safe
def project_detail(request: HttpRequest, name: str) -> HttpResponse:
    normalized = canonicalize_name(name)
    if normalized != name:
        return redirect("project_detail", name=normalized, permanent=True)
    project = get_object_or_404(Project, normalized_name=normalized)
    releases = list(
        Release.objects.filter(project=project)
        .select_related("uploader")
        .prefetch_related(
            Prefetch("files", queryset=File.objects.order_by("filename")), "trusted_uploads"
        )
    )
    latest = next((r for r in releases if not r.yanked), releases[0] if releases else None)
    if latest is not None:
        readme.ensure_rendered(latest)
    roles = list(Role.objects.filter(project=project).select_related("user"))
    user_role = next((r for r in roles if r.user_id == request.user.pk), None)
    return render(
        request,
        "index/project_detail.html",
        {
            "project": project,
            "releases": releases,
            "latest": latest,
            "roles": roles,
            "user_role": user_role,
        },
    )


@require_safe
def project_redirect(request: HttpRequest, name: str, version: str | None = None) -> HttpResponse:
    """``/project/<name>/`` and ``/project/<name>/<version>/``: the URLs PyPI uses, which
    flit, twine and others print after an upload. They lead to the project page."""
    project = get_object_or_404(Project, normalized_name=canonicalize_name(name))
    target = reverse("project_detail", args=[project.normalized_name])
    if version is not None:
        release = _release(project, version)
        if release is None:
            raise Http404("No such release.")
        target += f"#release-{release.canonical_version}"
    return HttpResponsePermanentRedirect(target)


def _release(project: Project, version: str) -> Release | None:
    try:
        wanted = canonicalize_version(Version(version))
    except InvalidVersion:
        return None
    releases = Release.objects.filter(project=project).only("version", "canonical_version")
    return next((r for r in releases if canonicalize_version(r.canonical_version) == wanted), None)


@require_safe
def user_profile(request: HttpRequest, username: str) -> HttpResponse:
    profile = get_object_or_404(get_user_model(), username__iexact=username, is_active=True)
    roles = Role.objects.filter(user=profile).select_related("project")
    return render(
        request,
        "index/user_profile.html",
        {"profile": profile, "roles": roles.order_by("project__normalized_name")},
    )
