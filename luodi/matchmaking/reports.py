"""Staff "recommendations report" for a park (achievements and companies to attract) or an
investor (deal flow) as an Excel workbook. Built from the same match lists as the pages, for
the requesting user, so it shows no more than they may see and never a dossier."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from luodi import sheets
from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.matchmaking import queries
from luodi.matchmaking.models import SourceKind

TAB_TITLES: dict[str, str] = {"achievement": "Achievements", "company": "Companies"}


def workbook(*, user: User, org_id: int, k: int = 50) -> tuple[Workbook, str]:
    source = queries.load_source(user, SourceKind.ORGANIZATION, org_id)
    if source.flavour not in ("park", "investor"):
        raise queries.Organization.DoesNotExist
    ctx = queries.Context.make(user)
    # A normal (not write-only) workbook: at most k rows per tab, and callers read it back.
    wb = Workbook()
    wb.remove(wb.active)
    headers = [
        _("rank"),
        _("name"),
        _("score"),
        _("can host / fits"),
        _("status"),
        _("reasons"),
        _("matched terms"),
    ]
    for tab in source.tabs:
        ml = queries.matches(user, source, tab, k=k, ctx=ctx)
        rows: list[list[Any]] = []
        for rank, s in enumerate(ml.items, 1):
            reasons = "; ".join(
                f"{'+' if r.ok else '−' if r.ok is False else '·'} {r.text}" for r in s.reasons
            )
            terms = "; ".join(f"{f}: {', '.join(t)}" for f, t in s.matched.items())
            rows.append(
                [
                    rank,
                    s.label,
                    s.score,
                    _("no") if s.blocked else _("yes"),
                    s.status,
                    reasons,
                    terms,
                ]
            )
        sheets.add_sheet(wb, sheets.Sheet(TAB_TITLES.get(tab, tab), rows, headers))
    name = f"recommendations-{source.obj.pk}-{timezone.localdate().isoformat()}.xlsx"
    return wb, name


def response(*, user: User, org_id: int, ip: str | None = None) -> HttpResponse:
    wb, name = workbook(user=user, org_id=org_id)
    content = sheets.save(wb)
    audit.record(actor=user, verb="match.report", changes={"organization": org_id}, ip=ip)
    return sheets.attachment(content, name)
