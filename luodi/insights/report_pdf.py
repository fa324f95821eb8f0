"""The report's PDF: cover (title, period, scope), key numbers, charts drawn with reportlab
graphics, and the tables. Every string is set in the embedded CJK font, so Chinese labels
render and the text (chart labels included) stays extractable.

Charts: conversion funnel, landings by park, landings by therapeutic area, monthly activity
(visits, meetings, events) and monthly time to landing (median, 90th percentile). Suppressed
or missing values are drawn as gaps, never as zeros that would read as real numbers.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from luodi.insights.reports import ReportData, tables
from luodi.pdf import Kit

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing

    from luodi.insights.base import Chart

WIDTH = 450  # A4 less the default 72 pt margins, with a little room
PALETTE = ("#2f6db5", "#e07b39", "#3a9d5d", "#8e5bb5")


def _short(text: Any, n: int = 14) -> str:
    """Category labels are cut so long park names do not push the bars off the page."""
    value = str(text)
    return value if len(value) <= n else value[: n - 1] + "…"


def _value_axis(axis: Any, values: list[float | None], counts: bool) -> None:
    """From zero; whole-number steps for counts; a visible range when everything is zero."""
    top = max([v for v in values if v is not None] or [0])
    axis.valueMin = 0
    axis.valueMax = max(top * 1.1, 1) if top else 1
    if counts:
        axis.valueStep = max(1, math.ceil(axis.valueMax / 5))


def hbar(font: str, labels: list[str], values: list[float | None]) -> Drawing:
    """Horizontal bars, first row on top; None (suppressed) draws no bar."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    height = max(80, 18 * len(labels) + 30)
    drawing = Drawing(WIDTH, height)
    bars = HorizontalBarChart()
    bars.x, bars.y, bars.width, bars.height = 120, 15, WIDTH - 140, height - 25
    bars.data = [list(reversed(values))]
    bars.categoryAxis.categoryNames = [_short(label) for label in reversed(labels)]
    bars.categoryAxis.labels.fontName = font
    bars.valueAxis.labels.fontName = font
    _value_axis(bars.valueAxis, values, counts=True)
    bars.bars[0].fillColor = colors.HexColor(PALETTE[0])
    bars.barLabelFormat = "%s"
    bars.barLabels.fontName = font
    bars.barLabels.fontSize = 7
    bars.barLabels.boxAnchor = "w"
    bars.barLabels.dx = 3
    drawing.add(bars)
    return drawing


def monthly_bars(
    font: str, months: list[str], series: list[tuple[str, list[float | None]]], counts: bool
) -> Drawing:
    """Grouped bars per month with a legend. Bars rather than lines: a month without
    landings (or a suppressed one) is a visible gap, not a line drawn across it."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    drawing = Drawing(WIDTH, 190)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 45, WIDTH - 60, 120
    chart.data = [values for _label, values in series]
    chart.categoryAxis.categoryNames = [m[2:] for m in months]  # "2026-03" → "26-03"
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = font
    _value_axis(chart.valueAxis, [v for _l, values in series for v in values], counts)
    chart.groupSpacing, chart.barSpacing = 4, 0
    legend = Legend()
    legend.x, legend.y = 40, 12
    legend.fontName = font
    legend.fontSize = 8
    legend.alignment = "right"  # swatch before its label
    legend.columnMaximum = 1
    legend.deltax = 110
    pairs = []
    for i, (label, _values) in enumerate(series):
        color = colors.HexColor(PALETTE[i % len(PALETTE)])
        chart.bars[i].fillColor = color
        chart.bars[i].strokeColor = None
        pairs.append((color, label))
    legend.colorNamePairs = pairs
    drawing.add(chart)
    drawing.add(legend)
    return drawing


def _column(chart: Chart, key: str) -> list[float | None]:
    return [row.get(key) for row in chart.rows]


def _label(chart: Chart, key: str) -> str:
    return dict(chart.columns).get(key, key)


def chart_drawings(data: ReportData, font: str) -> list[tuple[str, Drawing | None]]:
    """(title, drawing) per charted figure; None when the chart has no rows to draw."""
    c = data.charts
    funnel, parks, areas = c["funnel"], c["landings_by_park"], c["landings_by_area"]
    act, ttl = c["activity"], c["landing_time_trend"]
    out: list[tuple[str, Drawing | None]] = [
        (funnel.title, hbar(font, _column(funnel, "label"), _column(funnel, "count"))),  # type: ignore[arg-type]
    ]
    for chart in (parks, areas):
        drawing = (
            hbar(font, [str(v) for v in _column(chart, "label")], _column(chart, "landings"))
            if chart.rows
            else None
        )
        out.append((f"{chart.title} · {_label(chart, 'landings')}", drawing))
    months = [str(m) for m in _column(act, "month")]
    out.append(
        (
            act.title,
            monthly_bars(
                font, months, [(_label(act, k), _column(act, k)) for k in act.series], True
            ),
        )
    )
    months = [str(m) for m in _column(ttl, "month")]
    out.append(
        (
            ttl.title,
            monthly_bars(
                font, months, [(_label(ttl, k), _column(ttl, k)) for k in ttl.series], False
            ),
        )
    )
    return out


def write_pdf(data: ReportData, font: str) -> bytes:
    from reportlab.platypus import KeepTogether, Spacer

    kit = Kit(font)
    h2, table = kit.h2, kit.table

    story: list[Any] = [
        kit.text(data.title, kit.h1),
        kit.text(data.period),
        kit.text(data.scope),
        kit.text(_("Key numbers"), h2),
        table([_("Measure"), _("Value")], [list(k) for k in data.key_numbers]),
    ]
    for title, drawing in chart_drawings(data, font):
        figure = drawing if drawing is not None else kit.text(_("None"))
        story.append(KeepTogether([kit.text(title, h2), figure]))
    for key in (
        "time_per_stage",
        "landing_time_trend",
        "landings_by_park",
        "landings_by_area",
        "matchmaking",
    ):
        chart = data.charts[key]
        story += [
            kit.text(chart.title, h2),
            table(
                [label for _k, label in chart.columns],
                [[r.get(k) for k, _l in chart.columns] for r in chart.rows],
            ),
        ]
    for title, headers, rows in tables(data):
        story += [kit.text(title, h2), table(headers, rows), Spacer(1, 6)]
    return kit.build(story, data.title)
