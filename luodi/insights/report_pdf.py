"""The report's PDF: cover (title, period, scope), key numbers, charts drawn with reportlab
graphics, and the tables. Every string is set in the embedded CJK font, so Chinese labels
render and the text (chart labels included) stays extractable.

Charts: conversion funnel, landings by park, landings by therapeutic area, monthly activity
(visits, meetings, events) and monthly time to landing (median, 90th percentile). Suppressed
or missing values are drawn as gaps, never as zeros that would read as real numbers.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from luodi import sheets
from luodi.insights.reports import ReportData, show, tables

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


PAGE_TEXT_WIDTH = 451.0  # A4 (595 pt) less SimpleDocTemplate's 72 pt margins


def column_widths(headers: list[str], rows: list[list[Any]]) -> list[float]:
    """Widths shared out by what each column holds (CJK counts double, long texts capped),
    a header never narrower than its longest word: equal columns squeezed "投资（万元）"
    onto two lines while a name column wasted half its width."""
    need = [
        max(
            [min(24, sheets.display_width(str(show(r[i])))) for r in rows if i < len(r)]
            + [min(16, sheets.display_width(h)), 4]
        )
        for i, h in enumerate(headers)
    ]
    total = sum(need) or 1
    widths = [PAGE_TEXT_WIDTH * n / total for n in need]
    # Shared out by content alone, a short count column ("已落地", "Landed") beside six
    # money columns came out one character wide and its header one character per line.
    # Each column gets at least its header's longest word (three CJK characters at most,
    # they may break between); what that costs is taken from the columns above their own.
    floors = [_word_floor(h) for h in headers]
    lacking = sum(max(0.0, f - w) for f, w in zip(floors, widths, strict=True))
    spare = sum(max(0.0, w - f) for f, w in zip(floors, widths, strict=True))
    if lacking and spare > lacking:
        widths = [
            f if w <= f else w - (w - f) * lacking / spare
            for f, w in zip(floors, widths, strict=True)
        ]
    elif lacking:  # not even the words fit: share the page by them
        widths = [PAGE_TEXT_WIDTH * f / sum(floors) for f in floors]
    return widths


def _word_floor(header: str) -> float:
    """Points the longest word of `header` needs at the table's 9 pt, with the cell padding."""
    words = [w for w in re.split(r"[\s（）()/·]+", header) if w] or [""]
    units = max(min(sheets.display_width(w), 6 if _is_cjk(w) else 14) for w in words)
    return units * 5.0 + 12


def _is_cjk(word: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in "WF" for ch in word)


class Kit:
    """The styles, paragraphs and tables of every Luodi PDF (this report and the
    government report). All text is escaped: a title with "<" or "&" is text, not markup
    (reportlab parses paragraphs as XML, and one stray "<" used to fail the whole report)."""

    def __init__(self, font: str) -> None:
        from reportlab.lib import colors
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import TableStyle

        self.h1 = ParagraphStyle("h1", fontName=font, fontSize=18, leading=24, spaceAfter=8)
        self.h2 = ParagraphStyle("h2", fontName=font, fontSize=13, leading=18, spaceBefore=10)
        # wordWrap="CJK" breaks Chinese between characters but never before closing
        # punctuation, so "投资（万元）" cannot leave "）" alone on the next line.
        self.body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
        self.prose = ParagraphStyle(
            "prose", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK", spaceAfter=6
        )
        self.grid = TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
            ]
        )

    def text(self, value: Any, style: Any = None) -> Any:
        """A paragraph of `value`. Text without Chinese wraps at spaces: the CJK wrap that
        keeps Chinese punctuation in place breaks English anywhere ("Tianfu Internatio-nal")."""
        from xml.sax.saxutils import escape

        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import Paragraph

        style = style or self.body
        text = str(value)
        if style.wordWrap == "CJK" and not _is_cjk(text):
            style = ParagraphStyle(f"{style.name}-latin", parent=style, wordWrap=None)
        return Paragraph(escape(text), style)

    def table(self, headers: list[str], rows: list[list[Any]]) -> Any:
        from reportlab.platypus import Table

        cells = [[self.text(h) for h in headers]]
        cells += [[self.text(show(v)) for v in r] for r in rows] or [
            [self.text(_("None"))] + [""] * (len(headers) - 1)
        ]
        t = Table(cells, repeatRows=1, colWidths=column_widths(headers, rows))
        t.setStyle(self.grid)
        return t

    @staticmethod
    def build(story: list[Any], title: str) -> bytes:
        from reportlab.lib.pagesizes import A4
        from reportlab.platypus import SimpleDocTemplate

        out = io.BytesIO()
        SimpleDocTemplate(out, pagesize=A4, title=title, author="Luodi").build(story)
        return out.getvalue()


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
