"""Small server-rendered SVG charts (no JavaScript, no library, CSP-safe).

Charts are inline ``<svg>`` elements with geometry as SVG attributes (``x``, ``width``…) and
every colour from CSS (``chart-bar``, ``chart-series-2``, ``chart-swatch``; a ``multi`` chart
cycles through four colours row by row; see docs/design.md), so both palettes apply. Never
``style=`` and never a colour literal here. Every chart has a ``<title>`` and a text label per
bar, so it reads without colour too.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 290
BAR_WIDTH = 260


def hbar_chart(title: str, rows: Sequence[tuple[str, int]], *, css_class: str = "") -> SafeString:
    """A horizontal bar chart: one labelled bar per (label, value)."""
    peak = max((v for _, v in rows), default=0) or 1
    height = max(len(rows), 1) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + 60
    bars = []
    for i, (label, value) in enumerate(rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        length = round(BAR_WIDTH * value / peak) if value else 0
        bars.append(
            format_html(
                '<g class="chart-row"><text class="chart-label" x="0" y="{}" '
                'font-size="13">{}</text>'
                '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"></rect>'
                '<text class="chart-value" x="{}" y="{}" '
                'font-size="13">{}</text></g>',
                y + BAR_HEIGHT - 6,
                label,
                LABEL_WIDTH,
                y,
                length,
                BAR_HEIGHT,
                LABEL_WIDTH + length + 6,
                y + BAR_HEIGHT - 6,
                value,
            )
        )
    return format_html(
        '<svg class="chart {}" role="img" viewBox="0 0 {} {}" width="{}" height="{}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        css_class,
        width,
        height,
        width,
        height,
        title,
        mark_safe("".join(bars)),
    )


def stacked_columns(
    title: str, columns: Sequence[tuple[str, int, int]], *, legend: tuple[str, str]
) -> SafeString:
    """Vertical columns of two stacked values (e.g. approved and denied per week)."""
    chart_height, column_width, gap, top, bottom = 120, 48, 12, 16, 34
    peak = max((a + b for _, a, b in columns), default=0) or 1
    width = max(len(columns), 1) * (column_width + gap) + gap
    parts = []
    for i, (label, first, second) in enumerate(columns):
        x = gap + i * (column_width + gap)
        h1 = round(chart_height * first / peak)
        h2 = round(chart_height * second / peak)
        base = top + chart_height
        parts.append(
            format_html(
                '<g class="chart-column"><rect class="chart-bar" x="{}" y="{}" '
                'width="{}" height="{}"><title>{}: {} {}</title></rect>'
                '<rect class="chart-bar chart-series-2" x="{}" y="{}" width="{}" height="{}">'
                "<title>{}: {} {}</title></rect>"
                '<text class="chart-value" x="{}" y="{}" font-size="13" '
                'text-anchor="middle">{}</text>'
                '<text class="chart-label" x="{}" y="{}" font-size="13" '
                'text-anchor="middle">{}</text></g>',
                x,
                base - h1,
                column_width,
                h1,
                label,
                first,
                legend[0],
                x,
                base - h1 - h2,
                column_width,
                h2,
                label,
                second,
                legend[1],
                x + column_width / 2,
                base - h1 - h2 - 3,
                first + second,
                x + column_width / 2,
                base + 14,
                label,
            )
        )
    legend_svg = format_html(
        '<g class="chart-legend">'
        '<rect class="chart-swatch" x="{}" y="{}" width="10" height="10"></rect>'
        '<text class="chart-label" x="{}" y="{}" font-size="13">{}</text>'
        '<rect class="chart-swatch chart-series-2" x="{}" y="{}" width="10" height="10"></rect>'
        '<text class="chart-label" x="{}" y="{}" font-size="13">{}</text></g>',
        gap,
        top + chart_height + 22,
        gap + 14,
        top + chart_height + 31,
        legend[0],
        gap + 110,
        top + chart_height + 22,
        gap + 124,
        top + chart_height + 31,
        legend[1],
    )
    return format_html(
        '<svg class="chart chart-columns" role="img" viewBox="0 0 {} {}" width="{}" height="{}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}{}</svg>',
        max(width, 240),
        top + chart_height + bottom + 6,
        max(width, 240),
        top + chart_height + bottom + 6,
        title,
        format_html_join("", "{}", ((p,) for p in parts)),
        legend_svg,
    )
