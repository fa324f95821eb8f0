"""The annual transformation report in the insights API (mounted with insights' router at
/api/insights/):

    GET  /annual/preview            every section built from the records, as JSON
    POST /annual/reports            save a draft (`issue: false`) or issue the report
    PUT  /annual/reports/{id}       save a draft again (with its `version`), or issue it

Who: staff and the institution's members. An institution the caller may not see is a 404
(`not_found`), as if it did not exist; a year out of range, an unknown section or a text too
long a 422 naming the field; a stale draft version a 409 (`conflict`), a draft issued already
a 409 (`issued`). Issued reports are then read with GET /reports/{id} and its files.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone, translation
from ninja import Field, Query, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog.models import Organization
from luodi.concurrency import Conflict, conflict_error
from luodi.control_chars import InputSchema
from luodi.errors import ApiError, invalid
from luodi.insights import annual_drafts, annual_report
from luodi.insights.api import ReportOut as ReportOut
from luodi.insights.api import _jobs, _report_out, router
from luodi.insights.models import ReportJob
from luodi.insights.rules import annual_drafts_of

_SECTIONS: Any = Field(
    default_factory=dict,
    description="Your own text per section, keyed by section: "
    + ", ".join(annual_report.SECTION_KEYS)
    + f" (each at most {annual_report.TEXT_MAX} characters).",
)


class AnnualTableOut(Schema):
    title: str
    headers: list[str]
    rows: list[list[str]] = Field(description="Cells as shown; amounts in yuan.")


class AnnualSectionOut(Schema):
    key: str
    title: str
    hint: str = Field(description="What the section's text is for (its placeholder).")
    text: str
    tables: list[AnnualTableOut]


class AnnualKeyNumberOut(Schema):
    label: str
    value: str


class AnnualLedgerOut(Schema):
    income_fen: dict[str, int] = Field(description="Income received in the year, by kind.")
    expense_fen: dict[str, int] = Field(description="Expenses paid in the year, by kind.")
    income_total_fen: int
    expense_total_fen: int
    net_fen: int
    expected_income_fen: int
    expected_expense_fen: int


class AnnualPreviewOut(Schema):
    title: str
    institution: str
    year: int
    currency: str
    key_numbers: list[AnnualKeyNumberOut]
    sections: list[AnnualSectionOut]
    ledger: AnnualLedgerOut = Field(description="The ledger's summary of the year, in fen.")


class AnnualIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    institution_id: int = Field(description="An institution whose ledger you may see.")
    year: int = Field(description="From 2000 to this year.")
    language: Literal["zh-hans", "en"] | None = Field(
        None, description="The language the report is written in; default yours."
    )
    sections: dict[str, str] = _SECTIONS
    issue: bool = Field(True, description="false: keep it as a draft (status `draft`).")


class AnnualDraftIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(None, description="The draft's version you loaded.")
    language: Literal["zh-hans", "en"] | None = None
    sections: dict[str, str] = _SECTIONS
    issue: bool = Field(False, description="true: issue the draft with these texts.")


def as_dict(data: annual_report.AnnualData) -> dict[str, Any]:
    """The preview as JSON: cells as shown, the ledger summary in fen."""
    s = data.summary
    return {
        "title": data.title,
        "institution": data.institution,
        "year": data.year,
        "currency": annual_report.CURRENCY,
        "key_numbers": [
            {"label": k, "value": annual_report.cell_text(v)} for k, v in data.key_numbers
        ],
        "sections": [
            {
                "key": sec.key,
                "title": sec.title,
                "hint": sec.hint,
                "text": sec.text,
                "tables": [
                    {
                        "title": t.title,
                        "headers": t.headers,
                        "rows": [[annual_report.cell_text(c) for c in r] for r in t.rows],
                    }
                    for t in sec.tables
                ],
            }
            for sec in data.sections
        ],
        "ledger": {
            "income_fen": dict(s.income),
            "expense_fen": dict(s.expenses),
            "income_total_fen": s.income_fen,
            "expense_total_fen": s.expense_fen,
            "net_fen": s.net_fen,
            "expected_income_fen": s.expected_income_fen,
            "expected_expense_fen": s.expected_expense_fen,
        },
    }


def _institution(request: HttpRequest, pk: int) -> Organization:
    found = annual_report.institution_for(request.user, pk)
    if found is None:
        raise ApiError(404, "not_found", "No such institution.")
    return found


def _year(year: int) -> int:
    last = timezone.localdate().year
    if not annual_report.FIRST_YEAR <= year <= last:
        raise invalid({"year": [f"Give a year from {annual_report.FIRST_YEAR} to {last}."]})
    return year


def _sections(sections: dict[str, str]) -> dict[str, str]:
    try:
        return annual_drafts.clean_sections(sections)
    except ValueError as exc:
        raise invalid({"sections": [str(exc)]}) from None


def _language(request: HttpRequest, language: str | None) -> str:
    preferred = request.user.preferred_language()  # type: ignore[union-attr]
    return language or ("en" if preferred.startswith("en") else "zh-hans")


@router.get(
    "/annual/preview",
    response=AnnualPreviewOut,
    summary="Annual transformation report: preview of every section",
)
def annual_preview(
    request: HttpRequest,
    institution_id: int = Query(...),
    year: int = Query(...),
    language: Literal["zh-hans", "en"] | None = None,
) -> dict[str, Any]:
    """The sections as the caller may see them, in `language` (default the caller's)."""
    institution = _institution(request, institution_id)
    with translation.override(_language(request, language)):
        return as_dict(annual_report.collect(request.user, institution, _year(year)))


def _saved(request: HttpRequest, job: ReportJob) -> Status:
    return Status(201, _report_out(_jobs(request).select_related("institution").get(pk=job.pk)))


@router.post(
    "/annual/reports",
    response={201: ReportOut},
    summary="Annual transformation report: save a draft or issue it",
)
def annual_create(request: HttpRequest, payload: AnnualIn) -> Status:
    institution = _institution(request, payload.institution_id)
    values: dict[str, Any] = {
        "actor": request_user(request),
        "institution": institution,
        "year": _year(payload.year),
        "language": _language(request, payload.language),
        "sections": _sections(payload.sections),
        "ip": audit.client_ip(request),
    }
    if payload.issue:
        return _saved(request, annual_drafts.save_and_issue(**values))
    return _saved(request, annual_drafts.save_draft(**values))


@router.put(
    "/annual/reports/{report_id}",
    response={201: ReportOut},
    summary="Annual transformation report: save a draft again, or issue it",
)
def annual_update(request: HttpRequest, report_id: int, payload: AnnualDraftIn) -> Status:
    draft = annual_drafts_of(request.user).select_related("institution").filter(pk=report_id)
    job = draft.first()
    if job is None or job.institution is None:
        raise ApiError(404, "not_found", "No such draft.")
    institution = _institution(request, job.institution.pk)
    values: dict[str, Any] = {
        "actor": request_user(request),
        "institution": institution,
        "year": job.period_start.year,
        "language": payload.language or job.language or _language(request, None),
        "sections": _sections(payload.sections),
        "draft": job,
        "expected_version": payload.version,
        "ip": audit.client_ip(request),
    }
    try:
        if payload.issue:
            return _saved(request, annual_drafts.save_and_issue(**values))
        return _saved(request, annual_drafts.save_draft(**values))
    except Conflict as exc:
        raise conflict_error(exc, []) from None
    except annual_drafts.AlreadyIssued:
        raise ApiError(409, "issued", "This report was issued already.") from None
