"""The after-landing report's PDF: title, period, scope, the edited narrative, key numbers,
landed projects per park (bars), the per-park table, milestones reached and stalled projects.
Every string is set in the embedded CJK font, so the text stays extractable."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from luodi.insights.gov_report import GovData, show, tables
from luodi.insights.report_pdf import column_widths, hbar


def write_pdf(data: GovData, font: str) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    h1 = ParagraphStyle("h1", fontName=font, fontSize=18, leading=24, spaceAfter=8)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=13, leading=18, spaceBefore=10)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    prose = ParagraphStyle(
        "prose", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK", spaceAfter=6
    )
    grid = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
        ]
    )

    def table(headers: list[str], rows: list[list[Any]]) -> Table:
        cells = [[Paragraph(escape(str(h)), body) for h in headers]]
        cells += [[Paragraph(escape(str(show(v))), body) for v in r] for r in rows] or [
            [Paragraph(_("None"), body)] + [""] * (len(headers) - 1)
        ]
        t = Table(cells, repeatRows=1, colWidths=column_widths(headers, rows))
        t.setStyle(grid)
        return t

    story: list[Any] = [
        Paragraph(escape(data.title), h1),
        Paragraph(escape(data.period), body),
        Paragraph(escape(data.scope), body),
        Paragraph(_("Narrative"), h2),
    ]
    story += [Paragraph(escape(p), prose) for p in data.narrative.splitlines() if p.strip()]
    story += [
        Paragraph(_("Key numbers"), h2),
        table([_("Measure"), _("Value")], [list(k) for k in data.key_numbers]),
    ]
    if data.landed_by_park:
        labels = [str(label) for label, _n in data.landed_by_park]
        drawing = hbar(font, labels, [n for _l, n in data.landed_by_park])
        story.append(KeepTogether([Paragraph(_("Landed projects by park"), h2), drawing]))
    for title, headers, rows in tables(data):
        story += [Paragraph(escape(title), h2), table(headers, rows), Spacer(1, 6)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=data.title, author="Luodi").build(story)
    return out.getvalue()
