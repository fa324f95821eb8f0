"""The after-landing report's PDF: title, period, scope, the edited narrative, key numbers,
landed projects per park (bars), the per-park table, milestones reached and stalled projects.
Every string is set in the embedded CJK font, so the text stays extractable."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from luodi.insights.gov_report import GovData, tables
from luodi.insights.report_pdf import hbar
from luodi.pdf import Kit


def write_pdf(data: GovData, font: str) -> bytes:
    from reportlab.platypus import KeepTogether, Spacer

    kit = Kit(font)
    h2, table = kit.h2, kit.table

    story: list[Any] = [
        kit.text(data.title, kit.h1),
        kit.text(data.period),
        kit.text(data.scope),
        kit.text(_("Narrative"), h2),
    ]
    story += [kit.text(p, kit.prose) for p in data.narrative.splitlines() if p.strip()]
    story += [
        kit.text(_("Key numbers"), h2),
        table([_("Measure"), _("Value")], [list(k) for k in data.key_numbers]),
    ]
    if data.landed_by_park:
        labels = [str(label) for label, _n in data.landed_by_park]
        drawing = hbar(font, labels, [n for _l, n in data.landed_by_park])
        story.append(KeepTogether([kit.text(_("Landed projects by park"), h2), drawing]))
    for title, headers, rows in tables(data):
        story += [kit.text(title, h2), table(headers, rows), Spacer(1, 6)]
    return kit.build(story, data.title)
