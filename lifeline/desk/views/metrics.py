"""Desk metrics: open cases by state, medians, decisions per week, share by evidence level."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lifeline.desk import svg
from lifeline.desk.permissions import desk_view
from lifeline.recovery.display import state_name
from lifeline.recovery.staff import metrics


@desk_view
def metrics_page(request: HttpRequest) -> HttpResponse:
    # Refreshed every minute by the tick, shared with the requesters' estimates.
    figures = metrics.desk_figures()
    by_state, weeks, levels = figures.by_state, figures.weeks, figures.levels
    stats = figures.decisions
    total_levels = sum(levels.values())
    return render(
        request,
        "desk/metrics.html",
        {
            "by_state": [(state_name(s).capitalize(), n) for s, n in by_state.items()],
            "median_first_response": figures.median_first_response,
            "decisions": stats,
            "estimate": metrics.queue_estimate(stats=stats),
            "weeks": weeks,
            "levels": [
                (level, n, round(100 * n / total_levels) if total_levels else 0)
                for level, n in levels.items()
            ],
            "state_chart": svg.hbar_chart(
                "Open cases by state",
                [(state_name(s).capitalize(), n) for s, n in by_state.items()],
            ),
            "weeks_chart": svg.stacked_columns(
                "Decisions per week",
                [(w.start.strftime("%d %b"), w.approved, w.denied) for w in weeks],
                legend=("approved", "denied"),
            ),
            "levels_chart": svg.hbar_chart(
                "Decisions in the last 30 days by evidence level",
                [(level.capitalize(), n) for level, n in levels.items()],
                css_class="multi",
            ),
        },
    )
