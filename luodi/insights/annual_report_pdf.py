"""The annual transformation report's PDF: title, then each section with the requester's own
text above the tables built from the records. Every string is set in the embedded CJK font
(`luodi.pdf.Kit`), so Chinese renders and the text stays extractable."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from luodi.insights.annual_report import CURRENCY, AnnualData, cell_text
from luodi.pdf import Kit


def write_pdf(data: AnnualData, font: str) -> bytes:
    from reportlab.platypus import Spacer

    kit = Kit(font)
    story: list[Any] = [
        kit.text(data.title, kit.h1),
        kit.text(
            _("Institution: %(institution)s · Year: %(year)s · Currency: %(currency)s (yuan)")
            % {"institution": data.institution, "year": data.year, "currency": CURRENCY}
        ),
    ]
    for section in data.sections:
        story.append(kit.text(section.title, kit.h2))
        story += [kit.text(p, kit.prose) for p in section.text.splitlines() if p.strip()]
        for table in section.tables:
            if table.title:
                story.append(kit.text(table.title))
            rows = [[cell_text(c) for c in row] for row in table.rows]
            story += [kit.table(table.headers, rows), Spacer(1, 6)]
    return kit.build(story, data.title)
