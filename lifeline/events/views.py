from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from lifeline.core.client import describe_browser
from lifeline.events.display import describe
from lifeline.events.models import SecurityEvent


@require_safe
@login_required
def security_history(request: HttpRequest) -> HttpResponse:
    events = SecurityEvent.objects.filter(user=request.user).select_related("actor")
    page = Paginator(events, 25).get_page(request.GET.get("page"))
    for event in page:
        event.browser = describe_browser(event.user_agent)
        event.text = describe(event)
    return render(request, "events/history.html", {"page": page})
