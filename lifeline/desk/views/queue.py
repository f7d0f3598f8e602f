"""The queue: filters, oldest first, SLA highlighting, counts at the top, 50 cases a page."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lifeline.desk import roles
from lifeline.desk.forms import QueueFilterForm
from lifeline.desk.permissions import desk_view
from lifeline.recovery.staff import queue as staff_queue
from lifeline.recovery.staff.queue import QueueFilters, queue_counts, sla_days
from lifeline.recovery.transition import sweep_timers

SWEEP_KEY = "lifeline:desk-sweep"
SWEEP_EVERY = 60  # seconds


def sweep_now_and_then() -> bool:
    """Fire due timers at most once a minute from the desk: cases whose cooling-off ended
    become ready even without the worker (``make run``), and ``lifeline tick`` (which runs
    the same sweep) does it on a schedule. One cache read when there is nothing to do."""
    if cache.get(SWEEP_KEY) is not None or not cache.add(SWEEP_KEY, 1, SWEEP_EVERY):
        return False
    sweep_timers()
    return True


@desk_view
def queue_page(request: HttpRequest) -> HttpResponse:
    sweep_now_and_then()
    form = QueueFilterForm(request.GET or None)
    filters = QueueFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = QueueFilters(
            state=data["state"] or "review",
            level=data["level"] or "",
            critical=data["critical"] or "",
            contested=data["contested"] or "",
            min_age_days=data["min_age_days"],
            assignee=(data["assignee"] or "").strip(),
            order=data["order"] or "oldest",
        )
    page = staff_queue.queue_page(filters, actor=request.user, page=request.GET.get("page"))
    return render(
        request,
        "desk/queue.html",
        {
            "form": form if form.is_bound else QueueFilterForm(),
            "page": page,
            "rows": page.rows,
            "filters": filters,
            "contested_limit": staff_queue.CONTESTED_LIMIT,
            "counts": queue_counts(),
            "sla_days": sla_days(),
            "is_admin": roles.is_admin(request.user),
        },
    )
