from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from lifeline.ops import metrics


@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus scrape endpoint; 404 (not 403) to anyone not allowed, so it stays unlisted."""
    client = getattr(request, "client", None)
    if not metrics.allowed(
        authorization=request.META.get("HTTP_AUTHORIZATION", ""),
        client_ip=getattr(client, "ip", None) or request.META.get("REMOTE_ADDR"),
        debug=settings.DEBUG,
    ):
        raise Http404
    return HttpResponse(metrics.render(), content_type=metrics.CONTENT_TYPE)
