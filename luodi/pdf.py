"""The PDF toolkit every Luodi PDF shares: the embedded CJK font (fonts-wqy-microhei, installed
by `make`), the paragraph and table styles, column widths shared out by content, and the
document build. Every string is set in the CJK font, so Chinese renders and the text stays
extractable. reportlab is imported inside the functions: most requests never draw a PDF."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from luodi import sheets

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT_NAME = "WenQuanYiMicroHei"


class FontMissing(RuntimeError):
    pass


def cjk_font_path() -> Path:
    return Path(getattr(settings, "LUODI_CJK_FONT", CJK_FONT))


def register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = cjk_font_path()
    if not path.exists():
        raise FontMissing(
            f"CJK font {path} is missing: run `make` (installs Debian fonts-wqy-microhei)."
        )
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
    return FONT_NAME


def show(value: Any) -> Any:
    """A cell's text: "—" for a missing value, never an empty cell that reads as zero."""
    return "—" if value is None else value


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
