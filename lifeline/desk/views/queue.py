"""The queue: filters, oldest first, SLA highlighting, counts at the top."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lifeline.desk import roles
from lifeline.desk.forms import QueueFilterForm
from lifeline.desk.permissions import desk_view
from lifeline.recovery.staff.queue import QueueFilters, queue, queue_counts, sla_days
from lifeline.recovery.transition import sweep_timers


@desk_view
def queue_page(request: HttpRequest) -> HttpResponse:
    # Check on access: cases whose cooling-off ended become ready even without the worker.
    sweep_timers()
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
    rows = queue(filters, actor=request.user)
    return render(
        request,
        "desk/queue.html",
        {
            "form": form if form.is_bound else QueueFilterForm(),
            "rows": rows,
            "counts": queue_counts(),
            "sla_days": sla_days(),
            "is_admin": roles.is_admin(request.user),
        },
    )
