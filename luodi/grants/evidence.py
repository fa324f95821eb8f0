"""The evidence file of an achievement's grants (赋权证据档案): one ZIP holding a PDF summary
(the split, the valuation, the decision, the notice and its outcome, the checklist of what is
present or missing, the list of documents), the same summary as an .xlsx file, and every
attached document under a name that says what it is.

What is in it follows the rules: only the grants the user may see; the achievement named
only if the user may see it; team members named only if the user may see them (their shares
always). The PDF uses the shared toolkit (luodi/pdf.py: the embedded CJK font, so Chinese
renders and stays extractable); the spreadsheet luodi/sheets.py.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from luodi import money, sheets
from luodi.accounts.rules import AnyUser
from luodi.grants import rules
from luodi.grants.checklist import Item, checklist
from luodi.grants.choices import GrantDocumentType, GrantKind, GrantStatus
from luodi.grants.domain import percent
from luodi.grants.models import FULL_BP, Grant, GrantDocument
from luodi.pdf import Kit, register_font


@dataclass(frozen=True)
class Entry:
    """One grant as the evidence file shows it to one user."""

    grant: Grant
    links: rules.Links
    documents: list[GrantDocument]
    checklist: list[Item]


def entries(user: AnyUser, grants: list[Grant]) -> list[Entry]:
    links = rules.visible_links(user, grants)
    docs: dict[int, list[GrantDocument]] = {g.pk: [] for g in grants}
    found = GrantDocument.objects.filter(grant__in=[g.pk for g in grants])
    for d in sorted(found, key=document_order):
        docs[d.grant_id].append(d)
    out = []
    for g in grants:
        team = sum(m.share_bp for m in links[g.pk].members)
        out.append(Entry(g, links[g.pk], docs[g.pk], checklist(g, docs[g.pk], team)))
    return out


def document_order(d: GrantDocument) -> tuple[int, object, int]:
    """In the checklist's order (valuation, minutes, notice, agreement, other), then as
    uploaded."""
    return (GrantDocumentType.values.index(d.doc_type), d.uploaded_at, d.pk)


def achievement_label(links: rules.Links) -> str:
    return links.achievement.title if links.achievement else _("(an achievement you may not see)")


def member_name(line: rules.MemberLine) -> str:
    return line.name or _("(a person you may not see)")


def _day(value: date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def notice_period(grant: Grant) -> str:
    if grant.notice_starts_on and grant.notice_ends_on:
        return f"{grant.notice_starts_on:%Y-%m-%d} – {grant.notice_ends_on:%Y-%m-%d}"
    return ""


def facts(entry: Entry) -> list[tuple[str, str]]:
    """The grant's record as (label, value) pairs, in the order a reviewer reads it."""
    g = entry.grant
    rows = [
        (_("institution"), g.institution.display_name),
        (_("achievement"), achievement_label(entry.links)),
        (_("what is granted"), g.get_kind_display()),
        (_("status"), g.get_status_display()),
        (_("team share"), percent(g.team_share_bp)),
        (_("the institution keeps"), percent(FULL_BP - g.team_share_bp)),
    ]
    if g.kind == GrantKind.USE_RIGHT:
        rows += [
            (_("term (years)"), str(g.term_years or "")),
            (_("use right starts on"), _day(g.use_starts_on)),
        ]
    rows += [
        (_("valuer"), g.valuer),
        (_("valuation report date"), _day(g.valuation_report_on)),
        (_("value"), money.shown(g.valuation_fen)),
        (_("deciding body"), g.decision_body),
        (_("meeting date"), _day(g.decided_on)),
        (_("minutes reference"), g.minutes_ref),
        (_("notice period"), notice_period(g)),
        (_("published at"), g.notice_place),
        (_("objections"), g.objections or (_("none") if g.status == GrantStatus.GRANTED else "")),
        (_("outcome of the notice"), g.notice_outcome),
        (_("granted on"), _day(g.granted_on)),
    ]
    if g.status == GrantStatus.WITHDRAWN:
        rows.append((_("reason for withdrawal"), g.withdrawn_reason))
    return rows


CTX = "grant checklist"


def _checklist_headers() -> list[str]:
    return [
        pgettext(CTX, "item"),
        pgettext(CTX, "recorded"),
        _("document attached"),
        pgettext(CTX, "state"),
    ]


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def _state(item: Item) -> str:
    return pgettext(CTX, "present") if item.present else pgettext(CTX, "missing")


def document_names(entry: Entry) -> dict[int, str]:
    """Each document's path inside the ZIP: grant-<id>/<nn>-<type>-<original name>."""
    out = {}
    for n, d in enumerate(entry.documents, start=1):
        name = get_valid_filename(d.original_name) or "document"
        out[d.pk] = f"grant-{entry.grant.pk}/{n:02d}-{d.doc_type}-{name}"
    return out


# -- PDF -----------------------------------------------------------------------------------------


def pdf(title: str, rows: list[Entry], today: date) -> bytes:
    from reportlab.platypus import Spacer

    kit = Kit(register_font())
    story: list[Any] = [
        kit.text(_("Evidence file of grants: %(title)s") % {"title": title}, kit.h1),
        kit.text(_("Generated on %(day)s.") % {"day": f"{today:%Y-%m-%d}"}, kit.prose),
    ]
    for entry in rows:
        g = entry.grant
        heading = _("Grant #%(id)d · %(kind)s · %(status)s") % {
            "id": g.pk,
            "kind": g.get_kind_display(),
            "status": g.get_status_display(),
        }
        story += [kit.text(heading, kit.h2), Spacer(1, 4)]
        rows_of_facts = [list(f) for f in facts(entry)]
        story.append(kit.table([pgettext(CTX, "item"), _("record")], rows_of_facts))
        story += [Spacer(1, 6), kit.text(_("Team"), kit.h2)]
        team = [[member_name(m), percent(m.share_bp)] for m in entry.links.members]
        story.append(kit.table([_("team member"), _("share")], team))
        story += [Spacer(1, 6), kit.text(_("Checklist"), kit.h2)]
        check = [[i.label, _yes(i.recorded), _yes(i.document), _state(i)] for i in entry.checklist]
        story.append(kit.table(_checklist_headers(), check))
        story += [Spacer(1, 6), kit.text(_("Documents"), kit.h2)]
        names = document_names(entry)
        docs = [
            [d.get_doc_type_display(), names[d.pk], f"{d.size:,}", _day(d.uploaded_at.date())]
            for d in entry.documents
        ]
        story.append(
            kit.table(
                [_("document type"), _("file in this archive"), _("bytes"), _("uploaded")], docs
            )
        )
    return Kit.build(story, title)


# -- XLSX ----------------------------------------------------------------------------------------


def workbook(rows: list[Entry]) -> bytes:
    return sheets.to_xlsx(summary_sheets(rows))


def summary_sheets(rows: list[Entry]) -> list[sheets.Sheet]:
    grant_rows = []
    for entry in rows:
        g = entry.grant
        grant_rows.append(
            [
                g.pk,
                achievement_label(entry.links),
                g.institution.display_name,
                g.get_kind_display(),
                g.get_status_display(),
                percent(g.team_share_bp),
                g.term_years,
                g.use_starts_on,
                g.valuer,
                g.valuation_report_on,
                money.to_yuan(g.valuation_fen) if g.valuation_fen is not None else None,
                g.decision_body,
                g.decided_on,
                g.minutes_ref,
                g.notice_starts_on,
                g.notice_ends_on,
                g.notice_place,
                g.objections,
                g.notice_outcome,
                g.granted_on,
            ]
        )
    headers = [
        _("grant"),
        _("achievement"),
        _("institution"),
        _("what is granted"),
        _("status"),
        _("team share"),
        _("term (years)"),
        _("use right starts on"),
        _("valuer"),
        _("valuation report date"),
        _("value (yuan)"),
        _("deciding body"),
        _("meeting date"),
        _("minutes reference"),
        _("notice starts on"),
        _("notice ends on"),
        _("published at"),
        _("objections"),
        _("outcome of the notice"),
        _("granted on"),
    ]
    team = [
        [e.grant.pk, member_name(m), percent(m.share_bp)] for e in rows for m in e.links.members
    ]
    check = [
        [e.grant.pk, i.label, _yes(i.recorded), _yes(i.document), _state(i)]
        for e in rows
        for i in e.checklist
    ]
    docs = []
    for e in rows:
        names = document_names(e)
        docs += [
            [e.grant.pk, d.get_doc_type_display(), names[d.pk], d.size, d.uploaded_at]
            for d in e.documents
        ]
    return [
        sheets.Sheet(_("Grants"), grant_rows, headers),
        sheets.Sheet(_("Team"), team, [_("grant"), _("team member"), _("share")]),
        sheets.Sheet(
            _("Checklist"),
            check,
            [_("grant"), *_checklist_headers()],
        ),
        sheets.Sheet(
            _("Documents"),
            docs,
            [_("grant"), _("document type"), _("file in this archive"), _("bytes"), _("uploaded")],
        ),
    ]


# -- ZIP -----------------------------------------------------------------------------------------


def archive(title: str, rows: list[Entry], today: date | None = None) -> bytes:
    """The evidence file as ZIP bytes: summary.pdf, summary.xlsx and the documents."""
    today = today or timezone.localdate()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("summary.pdf", pdf(title, rows, today))
        zf.writestr("summary.xlsx", workbook(rows))
        for entry in rows:
            names = document_names(entry)
            for d in entry.documents:
                with d.file.open("rb") as fh:
                    zf.writestr(names[d.pk], fh.read())
    return out.getvalue()
