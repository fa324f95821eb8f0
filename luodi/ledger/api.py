"""Ledger API: the entries of the institutions the caller keeps a ledger for, one entry,
the writes (create, change, mark received) and a period's summary.

Every read starts from `rules.entries_visible_to(user)` / `institutions_visible_to`: an
entry or institution the caller may not see is a 404, as if it did not exist (a viewer sees
none). What an entry links to is read only through `rules.visible_links`. Writes go through
domain.py and ask "ledger.keep_ledger"; versions (`version` or If-Match) guard against lost
updates; errors use the shared JSON shape. Money is in fen (CNY).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog.models import Organization
from luodi.catalog.rules import achievements_visible_to
from luodi.concurrency import etag, expected_from, refusals
from luodi.errors import MAX_ID, LazyPage, Pagination, invalid, require_perm, resolved, stable_order
from luodi.ledger import domain, rules
from luodi.ledger.choices import (
    EXPENSE_KINDS,
    INCOME_KINDS,
    LedgerDirection,
    LedgerKind,
    LedgerStatus,
)
from luodi.ledger.models import LedgerEntry
from luodi.ledger.overdue import is_overdue, overdue
from luodi.ledger.schemas import (
    LedgerEntryIn,
    LedgerEntryOut,
    LedgerEntryPatch,
    LedgerReceivedIn,
    LedgerSummaryOut,
)
from luodi.ledger.summary import Period, in_period, summarize
from luodi.pipeline.rules import agreements_visible_to

router = Router(tags=["ledger"])

# The domain's field names as the API spells them (links are sent as ids).
_RENAMED = {
    "institution": "institution_id",
    "achievement": "achievement_id",
    "agreement": "agreement_id",
}
# Fields that may be sent as null (cleared); any other sent as null is refused.
_NULLABLE = {"achievement_id", "agreement_id", "valuation_fen", "expected_on", "received_on"}
_YEAR = Query(None, ge=1990, le=2100, description="Entries counted in this year.")
_QUARTER = Query(None, ge=1, le=4, description="With `year`: that quarter only.")


def _entry(request: HttpRequest, entry_id: int) -> LedgerEntry:
    qs = rules.entries_visible_to(request.user).select_related("institution")
    return get_object_or_404(qs, pk=entry_id)


def _institution(request: HttpRequest, institution_id: int) -> Organization:
    return get_object_or_404(rules.institutions_visible_to(request.user), pk=institution_id)


def _rows(request: HttpRequest, entries: list[LedgerEntry]) -> list[dict[str, Any]]:
    links = rules.visible_links(request.user, entries)
    today = timezone.localdate()
    out = []
    for e in entries:
        link = links[e.pk]
        out.append(
            {
                "id": e.pk,
                "institution": {"id": e.institution_id, "name": e.institution.display_name},
                "achievement": vars(link.achievement) if link.achievement else None,
                "agreement": vars(link.agreement) if link.agreement else None,
                "obligation_id": e.obligation_id,
                "patent_fee": (
                    {
                        "patent_id": link.patent_fee.id,
                        "application_number": link.patent_fee.number,
                        "year": link.patent_fee.year,
                    }
                    if link.patent_fee
                    else None
                ),
                "direction": e.direction,
                "kind": e.kind,
                "amount_fen": e.amount_fen,
                "valuation_fen": e.valuation_fen,
                "shares_note": e.shares_note,
                "status": e.status,
                "expected_on": e.expected_on,
                "received_on": e.received_on,
                "overdue": is_overdue(e, today),
                "note": e.note,
                "is_demo": e.is_demo,
                "created_at": e.created_at,
                "updated_at": e.updated_at,
                "version": e.version,
            }
        )
    return out


def _one(request: HttpRequest, entry: LedgerEntry, response: HttpResponse | None = None) -> Any:
    if response is not None:
        response["ETag"] = etag(entry.version)
    return _rows(request, [entry])[0]


# -- reads --------------------------------------------------------------------------------------


@router.get("/entries", response=list[LedgerEntryOut])
@paginate(Pagination)
@resolved
def list_entries(
    request: HttpRequest,
    institution: int | None = Query(None, ge=1, le=MAX_ID),
    direction: LedgerDirection | None = None,
    kind: LedgerKind | None = None,
    status: LedgerStatus | None = None,
    year: int | None = _YEAR,
    quarter: int | None = _QUARTER,
    overdue_only: bool = Query(False, alias="overdue", description="Expected income past due."),
    agreement: int | None = Query(None, ge=1, le=MAX_ID),
) -> LazyPage:
    """The entries the caller may see (staff: every institution's; a partner: its own
    organizations'; a viewer: none), latest first."""
    qs = rules.entries_visible_to(request.user).select_related("institution")
    if institution is not None:
        qs = qs.filter(institution_id=institution)
    if year is not None:
        qs = in_period(qs, Period(year, quarter))
    elif quarter is not None:
        raise invalid({"quarter": ["Send the year with the quarter."]})
    if overdue_only:
        qs = overdue(qs)
    for name, value in (("direction", direction), ("kind", kind), ("status", status)):
        if value is not None:
            qs = qs.filter(**{name: value})
    if agreement is not None:
        qs = qs.filter(agreement_id=agreement)
    return LazyPage(stable_order(qs), lambda entries: _rows(request, entries))


@router.get("/entries/{entry_id}", response=LedgerEntryOut)
def get_entry(request: HttpRequest, entry_id: int, response: HttpResponse) -> Any:
    """One entry (its achievement and agreement only if you may see them)."""
    return _one(request, _entry(request, entry_id), response)


@router.get("/summary", response=LedgerSummaryOut)
def get_summary(
    request: HttpRequest,
    institution: int = Query(..., ge=1, le=MAX_ID),
    year: int = Query(..., ge=1990, le=2100),
    quarter: int | None = _QUARTER,
) -> dict[str, Any]:
    """An institution's period: income received and expenses paid by kind, the net, and
    what was expected in the period but not received (all in fen)."""
    org = _institution(request, institution)
    entries = rules.entries_visible_to(request.user).filter(institution=org)
    summary = summarize(entries, Period(year, quarter))
    return {
        "institution": {"id": org.pk, "name": org.display_name},
        "year": year,
        "quarter": quarter,
        "income": [{"kind": k.value, "amount_fen": summary.income[k]} for k in INCOME_KINDS],
        "expenses": [{"kind": k.value, "amount_fen": summary.expenses[k]} for k in EXPENSE_KINDS],
        "income_fen": summary.income_fen,
        "expense_fen": summary.expense_fen,
        "net_fen": summary.net_fen,
        "expected_income_fen": summary.expected_income_fen,
        "expected_expense_fen": summary.expected_expense_fen,
    }


# -- writes -------------------------------------------------------------------------------------


def _linked(
    request: HttpRequest, sent: dict[str, Any], entry: LedgerEntry | None
) -> dict[str, Any]:
    """The achievement and agreement sent, each one the caller may see (or the one already
    linked, unchanged); else a 422 on the field."""
    out: dict[str, Any] = {}
    pools: dict[str, QuerySet[Any]] = {
        "achievement": achievements_visible_to(request.user),
        "agreement": agreements_visible_to(request.user),
    }
    for name, pool in pools.items():
        field = _RENAMED[name]
        if field not in sent:
            continue
        wanted = sent[field]
        current = getattr(entry, f"{name}_id") if entry is not None else None
        if wanted is None:
            out[name] = None
        elif wanted == current:
            out[name] = getattr(entry, name)
        else:
            found = pool.filter(pk=wanted).first()
            if found is None:
                raise invalid({field: ["No such record, or not one you may name here."]})
            out[name] = found
    return out


def _values(request: HttpRequest, sent: dict[str, Any], entry: LedgerEntry | None) -> Any:
    refused = {k: ["This field cannot be null."] for k, v in sent.items() if v is None}
    for name in _NULLABLE:
        refused.pop(name, None)
    if refused:
        raise invalid(refused)
    values = {name: sent[name] for name in domain.FIELDS if name in sent}
    values.update(_linked(request, sent, entry))
    return values


@router.post("/entries", response={201: LedgerEntryOut})
def create_entry(request: HttpRequest, payload: LedgerEntryIn) -> Status[Any]:
    """Record an entry in an institution's ledger (staff, or a member of the institution)."""
    org = _institution(request, payload.institution_id)
    require_perm(request, "ledger.keep_ledger", org)
    sent = payload.model_dump()
    values = _values(request, sent, None)
    values["institution"] = org
    with refusals(_RENAMED):
        entry = domain.save_entry(
            actor=request_user(request), entry=None, values=values, ip=audit.client_ip(request)
        )
    return Status(201, _one(request, _entry(request, entry.pk)))


@router.patch("/entries/{entry_id}", response=LedgerEntryOut)
def change_entry(
    request: HttpRequest, entry_id: int, payload: LedgerEntryPatch, response: HttpResponse
) -> Any:
    """Change an entry: only the fields sent change. Send the `version` you loaded (or
    If-Match): a change saved meanwhile is a 409 `conflict` and nothing is written."""
    entry = _entry(request, entry_id)
    require_perm(request, "ledger.keep_ledger", entry)
    sent = payload.model_dump(exclude_unset=True)
    expected = expected_from(request, sent)
    if not sent:
        return _one(request, entry, response)
    values = _values(request, sent, entry)
    with refusals(_RENAMED):
        domain.save_entry(
            actor=request_user(request),
            entry=entry,
            values=values,
            expected_version=expected,
            ip=audit.client_ip(request),
        )
    return _one(request, _entry(request, entry.pk), response)


@router.post("/entries/{entry_id}/received", response=LedgerEntryOut)
def mark_received(
    request: HttpRequest, entry_id: int, payload: LedgerReceivedIn, response: HttpResponse
) -> Any:
    """An expected entry received (income) or paid (expense): the day, and the amount when
    it differs from the one expected. An entry not expected any more is a 422 on `status`."""
    entry = _entry(request, entry_id)
    require_perm(request, "ledger.keep_ledger", entry)
    expected = expected_from(request, {})
    with refusals(_RENAMED):
        domain.mark_received(
            actor=request_user(request),
            entry=entry,
            received_on=payload.received_on,
            amount_fen=payload.amount_fen,
            expected_version=expected,
            ip=audit.client_ip(request),
        )
    return _one(request, _entry(request, entry.pk), response)
