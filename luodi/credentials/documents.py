"""The printed things: badge sheets and certificates, drawn with reportlab's canvas in the
embedded CJK font of luodi/pdf.py (so Chinese renders and stays extractable), and the ZIP of
several certificates. QR codes are drawn as vector squares from segno's matrix: sharp at any
print size, no image library involved."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import segno
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from luodi import pdf
from luodi.credentials.models import Certificate, CertificateKind
from luodi.engagements.models import Event, Registration

MM = 72 / 25.4  # points per millimetre

# Badges: 2 × 4 on A4 portrait, 90 × 64 mm each (a common badge-holder insert), with crop
# marks at every corner and a thin border to cut along.
BADGE_W, BADGE_H = 90 * MM, 64 * MM
COLS, ROWS = 2, 4
PER_PAGE = COLS * ROWS


def _fits(text: str, font: str, size: float, width: float) -> bool:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return bool(stringWidth(text, font, size) <= width)


def wrap(text: str, font: str, size: float, width: float, max_lines: int = 2) -> list[str]:
    """Lines of `text` no wider than `width`: at spaces when the text has them (English),
    else between characters (Chinese); the last line ends in "…" when it would not fit."""
    words = text.split(" ") if " " in text.strip() else list(text)
    joiner = " " if " " in text.strip() else ""
    lines: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line}{joiner}{word}" if line else word
        if _fits(candidate, font, size, width) or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and not _fits(last + "…", font, size, width):
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last + "…"]
    return lines


def fitting_size(text: str, font: str, start: float, width: float, smallest: float = 9) -> float:
    size = start
    while size > smallest and not _fits(text, font, size, width):
        size -= 0.5
    return size


def draw_qr(canvas: Any, data: str, x: float, y: float, size: float) -> None:
    """`data` as a QR code, `size` points square with its lower left corner at (x, y)."""
    qr = segno.make(data, error="m")
    rows = list(qr.matrix_iter(border=2))
    module = size / len(rows)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(
                    x + c * module, y + size - (r + 1) * module, module, module, stroke=0, fill=1
                )


def _crop_marks(canvas: Any, x: float, y: float, w: float, h: float) -> None:
    canvas.setLineWidth(0.3)
    canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
    canvas.rect(x, y, w, h, stroke=1, fill=0)
    mark = 4 * MM
    for cx, cy in ((x, y), (x + w, y), (x, y + h), (x + w, y + h)):
        dx = -1 if cx == x else 1
        dy = -1 if cy == y else 1
        canvas.line(cx + dx * 1 * MM, cy, cx + dx * (1 * MM + mark), cy)
        canvas.line(cx, cy + dy * 1 * MM, cx, cy + dy * (1 * MM + mark))


def _badge(canvas: Any, font: str, event_title: str, reg: Registration, x: float, y: float) -> None:
    pad = 5 * MM
    qr = 24 * MM
    text_w = BADGE_W - 2 * pad - qr - 3 * MM
    _crop_marks(canvas, x, y, BADGE_W, BADGE_H)
    canvas.setFillColorRGB(0.2, 0.3, 0.45)
    top = y + BADGE_H - pad
    for i, line in enumerate(wrap(event_title, font, 9, BADGE_W - 2 * pad)):
        canvas.setFont(font, 9)
        canvas.drawString(x + pad, top - 9 - i * 11, line)
    canvas.setFillColorRGB(0, 0, 0)
    name_size = fitting_size(reg.name, font, 24, text_w, smallest=12)
    canvas.setFont(font, name_size)
    name_y = y + BADGE_H / 2 - 2 * MM
    canvas.drawString(x + pad, name_y, reg.name)
    canvas.setFont(font, 10)
    for i, line in enumerate(wrap(reg.organization_name, font, 10, text_w)):
        canvas.drawString(x + pad, name_y - 14 - i * 12, line)
    category = reg.category.name if reg.category is not None else ""
    if category:
        canvas.setFillColorRGB(0.2, 0.3, 0.45)
        canvas.rect(x, y, BADGE_W, 9 * MM, stroke=0, fill=1)
        canvas.setFillColorRGB(1, 1, 1)
        canvas.setFont(font, 12)
        canvas.drawCentredString(x + BADGE_W / 2, y + 3 * MM, category)
        canvas.setFillColorRGB(0, 0, 0)
    qr_y = y + (11 * MM if category else 6 * MM)
    draw_qr(canvas, reg.code, x + BADGE_W - pad - qr, qr_y, qr)
    canvas.setFont(font, 6)
    canvas.drawCentredString(x + BADGE_W - pad - qr / 2, qr_y - 2.5 * MM, reg.code)


def badge_sheet(event: Event, registrations: Sequence[Registration]) -> bytes:
    """One PDF: A4 pages of 2 × 4 badges — event title, name large, organization, category
    band, and the registration code as a QR code (what the check-in pages read)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    font = pdf.register_font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle(f"{event.title} · badges")
    canvas.setAuthor("Luodi")
    page_w, page_h = A4
    left = (page_w - COLS * BADGE_W) / 2
    bottom = (page_h - ROWS * BADGE_H) / 2
    if not registrations:
        canvas.setFont(font, 12)
        canvas.drawString(left, page_h - bottom, _("No badges to print."))
    for i, reg in enumerate(registrations):
        if i and i % PER_PAGE == 0:
            canvas.showPage()
        slot = i % PER_PAGE
        col, row = slot % COLS, slot // COLS
        x = left + col * BADGE_W
        y = page_h - bottom - (row + 1) * BADGE_H
        _badge(canvas, font, event.title, reg, x, y)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


# -- certificates ---------------------------------------------------------------------------

LANGUAGES = ("zh-hans", "en")


@dataclass
class CertificateText:
    heading: str
    lines: list[str]
    footer: list[str]


def _dates(event: Event) -> str:
    start = timezone.localtime(event.starts_at).date()
    end = timezone.localtime(event.ends_at).date()
    first = date_format(start, "DATE_FORMAT")
    return first if start == end else f"{first} – {date_format(end, 'DATE_FORMAT')}"


def certificate_text(certificate: Certificate, language: str) -> CertificateText:
    """The certificate's words in one language (the event's title in that language too)."""
    event = certificate.event
    with translation.override(language):
        if certificate.kind == CertificateKind.ATTENDANCE:
            heading = _("Certificate of attendance")
            lines = [
                _("This is to certify that"),
                certificate.name,
                _("attended %(event)s, held at %(venue)s on %(dates)s.")
                % {"event": event.title, "venue": event.venue, "dates": _dates(event)},
            ]
        else:
            heading = _("Certificate of presentation")
            lines = [
                _("This is to certify that"),
                certificate.name,
                _("presented at %(event)s, held at %(venue)s on %(dates)s:")
                % {"event": event.title, "venue": event.venue, "dates": _dates(event)},
                *[f"“{t}”" for t in certificate.title_list],
            ]
        footer = [
            _("Organizer: %(org)s") % {"org": event.organizer.display_name},
            _("Issued %(date)s · serial %(serial)s")
            % {
                "date": date_format(
                    timezone.localtime(certificate.issued_at).date(), "DATE_FORMAT"
                ),
                "serial": certificate.serial,
            },
        ]
        if certificate.revoked_at is not None:
            footer.append(_("Revoked"))
    return CertificateText(heading, lines, footer)


def _draw_certificate(
    canvas: Any, font: str, certificate: Certificate, languages: Sequence[str], verify_url: str
) -> None:
    from reportlab.lib.pagesizes import A4, landscape

    w, h = landscape(A4)
    canvas.setStrokeColorRGB(0.2, 0.3, 0.45)
    canvas.setLineWidth(3)
    canvas.rect(12 * MM, 12 * MM, w - 24 * MM, h - 24 * MM)
    canvas.setLineWidth(0.8)
    canvas.rect(15 * MM, 15 * MM, w - 30 * MM, h - 30 * MM)
    texts = [certificate_text(certificate, lang) for lang in languages]
    bilingual = len(texts) == 2
    y = h - 40 * MM
    width = w - 70 * MM
    for n, text in enumerate(texts):
        big = not (bilingual and n == 1)
        canvas.setFillColorRGB(0.2, 0.3, 0.45)
        canvas.setFont(font, 26 if big else 16)
        canvas.drawCentredString(w / 2, y, text.heading)
        y -= (12 if big else 9) * MM
        canvas.setFillColorRGB(0, 0, 0)
        for i, line in enumerate(text.lines):
            is_name = i == 1
            if is_name and bilingual and n == 1:
                continue  # the name once, large, in the first language's block
            size = (26 if is_name else 13) if big else 11
            for part in wrap(line, font, size, width, max_lines=3):
                canvas.setFont(font, size)
                canvas.drawCentredString(w / 2, y, part)
                y -= size * 1.5
        y -= 6 * MM
    canvas.setFont(font, 9)
    canvas.setFillColorRGB(0.25, 0.25, 0.25)
    fy = 24 * MM
    for text in reversed(texts):
        for line in reversed(text.footer):
            canvas.drawString(24 * MM, fy, line)
            fy += 12
    qr = 28 * MM
    draw_qr(canvas, verify_url, w - 24 * MM - qr, 22 * MM, qr)
    canvas.setFont(font, 7)
    canvas.drawRightString(w - 24 * MM, 19 * MM, verify_url)


def certificates_pdf(
    certificates: Iterable[Certificate], languages: Sequence[str], verify_url: Any
) -> bytes:
    """Certificates on landscape A4, one per page; `verify_url(serial)` is the absolute
    address of the public verification page the QR code holds."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    font = pdf.register_font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=landscape(A4))
    canvas.setAuthor("Luodi")
    for certificate in certificates:
        canvas.setTitle(certificate.name)
        _draw_certificate(canvas, font, certificate, languages, verify_url(certificate.serial))
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def certificate_filename(certificate: Certificate) -> str:
    return f"certificate-{certificate.kind}-{certificate.serial}.pdf"


def certificates_zip(
    certificates: Iterable[Certificate], languages: Sequence[str], verify_url: Any
) -> bytes:
    """One PDF per certificate in a ZIP, named by kind and serial (ASCII: every unzip tool
    reads it) — the names are inside each file."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate in certificates:
            archive.writestr(
                certificate_filename(certificate),
                certificates_pdf([certificate], languages, verify_url),
            )
    return out.getvalue()


def stamp(moment: datetime | None = None) -> str:
    return timezone.localtime(moment or timezone.now()).strftime("%Y%m%d-%H%M")
