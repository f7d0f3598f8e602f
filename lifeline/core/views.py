from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_safe


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A friendly page for a failed CSRF check (expired form, cookies blocked)."""
    return render(request, "core/csrf_failure.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"title": "Bad request", "code": 400}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"title": "Not allowed", "code": 403}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"title": "Page not found", "code": 404}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request, "core/error.html", {"title": "Something went wrong", "code": 500}, status=500
    )


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages without a <link rel=icon> (errors, raw files).

    Resolved per request, not at import: with hashed static files the URL only exists
    after collectstatic, and importing the URLconf must never depend on that.
    """
    return HttpResponsePermanentRedirect(static("lifeline/favicon.svg"))
