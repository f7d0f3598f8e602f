"""The development outbox: read the emails Lifeline "sent", with clickable links."""

import re

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from lifeline.notifications.models import OutboxMessage

_URL = re.compile(r"https?://[^\s<>\"']+")


def _require_enabled() -> None:
    if not settings.LIFELINE_DEV_OUTBOX:
        raise Http404


def linkify(text: str) -> str:
    escaped = escape(text)
    return mark_safe(_URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped))


@never_cache
@require_safe
def outbox(request: HttpRequest) -> HttpResponse:
    _require_enabled()
    emails = OutboxMessage.objects.all()[:100]
    return render(request, "notifications/outbox.html", {"emails": emails})


@never_cache
@require_safe
def outbox_message(request: HttpRequest, pk: int) -> HttpResponse:
    _require_enabled()
    message = get_object_or_404(OutboxMessage, pk=pk)
    response = render(
        request,
        "notifications/outbox_message.html",
        {"message": message, "body": linkify(message.body)},
    )
    response["Referrer-Policy"] = "no-referrer"
    return response
