"""Patents API: the patents the caller may see with their next annual fee, one patent with
its whole fee schedule and the records it backs, and the writes (create, change, record or
take back a fee payment).

Every read starts from `rules.patents_visible_to(user)`: a patent the caller may not see is
a 404, as if it did not exist (a viewer sees none). What a patent links to is read only
through `rules.visible_links`, so a fee payer never learns the title of an owner's
confidential achievement. Writes go through domain.py; versions (`version` or If-Match)
guard against lost updates; errors use the shared JSON shape. Money is in fen (CNY).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog.models import Organization
from luodi.catalog.rules import achievements_visible_to, people_visible_to
from luodi.concurrency import etag, expected_from, refusals
from luodi.errors import LazyPage, Pagination, invalid, require_perm, resolved, stable_order
from luodi.patents import domain, rules
from luodi.patents.choices import FeeState, LegalStatus, Office
from luodi.patents.fees import FeeYear
from luodi.patents.models import FeePayment, Patent
from luodi.patents.schemas import (
    PatentDetailOut,
    PatentIn,
    PatentOut,
    PatentPatch,
    PaymentIn,
    PaymentOut,
)
from luodi.pipeline.rules import agreements_visible_to

router = Router(tags=["patents"])

M = TypeVar("M", bound=Model)

# The domain's field names as the API spells them (links are sent as ids).
_RENAMED = {
    "owners": "owner_ids",
    "fee_payer": "fee_payer_id",
    "inventors": "inventor_ids",
    "achievements": "achievement_ids",
    "agreements": "agreement_ids",
}
# Fields that may be sent as null (cleared); any other field sent as null is refused
# rather than reaching a NOT NULL column.
_NULLABLE = {"priority_date", "grant_date", "fee_payer_id"}
# A fee filter looks this far ahead at most (the longest term, with room to spare).
MAX_DAYS = 3660


def _visible(request: HttpRequest) -> QuerySet[Patent]:
    return (
        rules.patents_visible_to(request.user)
        .select_related("fee_payer")
        .prefetch_related("owners", "payments")
    )


def _patent(request: HttpRequest, patent_id: int) -> Patent:
    return get_object_or_404(_visible(request), pk=patent_id)


# -- output -----------------------------------------------------------------------------------


def _fee(row: FeeYear | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "year": row.year,
        "starts_on": row.starts_on,
        "due_on": row.due_on,
        "grace_until": row.grace_until,
        "full_fen": row.full_fen,
        "fee_fen": row.fee_fen,
        "late_fee_fen": row.late_fee_fen,
        "state": str(row.state),
        "paid_on": row.paid_on,
    }


def _ref(org: Organization | None) -> dict[str, Any] | None:
    return None if org is None else {"id": org.pk, "name": org.display_name}


def _row(patent: Patent, today: date) -> dict[str, Any]:
    """What a list shows of a patent: the record, its owners and its next fee."""
    return {
        "id": patent.pk,
        "office": patent.office,
        "kind": patent.kind,
        "application_number": patent.application_number,
        "grant_number": patent.grant_number,
        "title_zh": patent.title_zh,
        "title_en": patent.title_en,
        "title": patent.title,
        "filing_date": patent.filing_date,
        "priority_date": patent.priority_date,
        "grant_date": patent.grant_date,
        "status": patent.status,
        "owners": [_ref(o) for o in sorted(patent.owners.all(), key=lambda o: o.pk)],
        "fee_payer": _ref(patent.fee_payer),
        "reduction": patent.reduction,
        "next_fee": _fee(patent.next_fee(today)),
        "updated_at": patent.updated_at,
        "version": patent.version,
    }


def _detail(request: HttpRequest, patent: Patent) -> dict[str, Any]:
    today = timezone.localdate()
    links = rules.visible_links(request.user, patent)
    return {
        **_row(patent, today),
        "note": patent.note,
        "schedule": [_fee(row) for row in patent.fee_schedule(today)],
        "payments": list(patent.payments.all()),
        "achievements": [{"id": a.pk, "title": a.title} for a in links.achievements],
        "inventors": [{"id": p.pk, "name": str(p)} for p in links.inventors],
        "agreements": [{"id": a.pk, "title": a.title} for a in links.agreements],
    }


_DUE_WITHIN = Query(
    None,
    ge=0,
    le=MAX_DAYS,
    description="Keep the patents whose next annual fee is due within this many days (an "
    "overdue one, still in its grace period, counts too).",
)
_OVERDUE = Query(False, description="Keep the patents whose next fee is overdue (grace period).")


def _by_next_fee(
    qs: QuerySet[Patent], due_within_days: int | None, overdue: bool, today: date
) -> QuerySet[Patent]:
    """The fee filters, which need each patent's computed schedule: only granted CNIPA
    patents owe fees, so only those are computed."""
    horizon = today + timedelta(days=due_within_days) if due_within_days is not None else None
    keep = []
    for patent in qs.filter(status=LegalStatus.GRANTED, office=Office.CNIPA):
        fee = patent.next_fee(today)
        if fee is None:
            continue
        if overdue and fee.state != FeeState.GRACE:
            continue
        if horizon is not None and fee.due_on > horizon:
            continue
        keep.append(patent.pk)
    return qs.filter(pk__in=keep)


# -- reads ------------------------------------------------------------------------------------


@router.get("/", response=list[PatentOut])
@paginate(Pagination)
@resolved
def list_patents(
    request: HttpRequest,
    office: Office | None = None,
    status: LegalStatus | None = None,
    due_within_days: int | None = _DUE_WITHIN,
    overdue: bool = _OVERDUE,
) -> LazyPage:
    """The patents the caller may see (staff: all; a partner: those its organizations own or
    pay the fees of; a viewer: none), newest filing first, each with its next annual fee."""
    today = timezone.localdate()
    qs = _visible(request)
    if office is not None:
        qs = qs.filter(office=office)
    if status is not None:
        qs = qs.filter(status=status)
    if overdue or due_within_days is not None:
        qs = _by_next_fee(qs, due_within_days, overdue, today)
    return LazyPage(stable_order(qs), lambda patents: [_row(p, today) for p in patents])


@router.get("/{patent_id}", response=PatentDetailOut)
def get_patent(request: HttpRequest, patent_id: int, response: HttpResponse) -> dict[str, Any]:
    """One patent with its whole fee schedule, the payments recorded and the achievements,
    inventors and agreements it links to (only those the caller may see)."""
    patent = _patent(request, patent_id)
    response["ETag"] = etag(patent.version)
    return _detail(request, patent)


# -- writes -----------------------------------------------------------------------------------


def _chosen(qs: QuerySet[M], ids: Iterable[int], field: str) -> list[M]:
    """The records `ids` names, all of them in `qs`; else a 422 on `field`."""
    wanted = set(ids)
    found = list(qs.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise invalid({field: ["No such record, or not one you may name here."]})
    return found


def _relinked(
    current: QuerySet[M], allowed: QuerySet[M], ids: list[int] | None, field: str
) -> list[M]:
    """A link list after a change: the ids sent (each one the caller may name, or already
    linked), plus the linked records the caller may not name, which it could not remove
    without knowing them. Not sent: unchanged."""
    if ids is None:
        return list(current)
    model = current.model
    mine = allowed.values("pk")
    hidden = list(current.exclude(pk__in=mine))
    # Plain querysets of the model: the visibility querysets carry annotations that cannot
    # be combined with another query.
    pool = model._default_manager.filter(Q(pk__in=mine) | Q(pk__in=current.values("pk")))
    chosen = _chosen(pool, ids, field)
    return chosen + [m for m in hidden if m.pk not in set(ids)]


def _fee_payer(
    request: HttpRequest, sent: dict[str, Any], current: Organization | None
) -> Organization | None:
    org_id = sent["fee_payer_id"]
    if org_id is None or (current is not None and org_id == current.pk):
        return None if org_id is None else current
    found = _chosen(rules.owners_choosable_by(request.user), [org_id], "fee_payer_id")
    return found[0]


def _values(request: HttpRequest, sent: dict[str, Any], patent: Patent | None) -> dict[str, Any]:
    refused = {k: ["This field cannot be null."] for k, v in sent.items() if v is None}
    for name in _NULLABLE:
        refused.pop(name, None)
    if refused:
        raise invalid(refused)
    values = {name: sent[name] for name in domain.FIELDS if name in sent}
    if "fee_payer_id" in sent:
        current = patent.fee_payer if patent is not None else None
        values["fee_payer"] = _fee_payer(request, sent, current)
    return values


def _links(request: HttpRequest, sent: dict[str, Any], patent: Patent | None) -> dict[str, Any]:
    """The owners, inventors, achievements and agreements to save, as the domain takes them."""
    user = request.user
    allowed: dict[str, QuerySet[Any]] = {
        "owners": rules.owners_choosable_by(user),
        "inventors": people_visible_to(user),
        "achievements": achievements_visible_to(user),
        "agreements": agreements_visible_to(user),
    }
    out: dict[str, Any] = {}
    for name, qs in allowed.items():
        field = _RENAMED[name]
        ids = sent.get(field)
        if patent is None:
            out[name] = _chosen(qs, ids or [], field)
        else:
            out[name] = _relinked(getattr(patent, name).all(), qs, ids, field)
    return out


@router.post("/", response={201: PatentDetailOut})
def create_patent(request: HttpRequest, payload: PatentIn) -> Status[dict[str, Any]]:
    """Record a patent (staff, or a partner for its own organizations as owners). A CNIPA
    number is checked (form, check character, type); one number is one patent per office."""
    require_perm(request, "patents.add_patent")
    sent = payload.model_dump()
    values = _values(request, sent, None)
    links = _links(request, sent, None)
    with refusals(_RENAMED):
        patent = domain.save_patent(
            actor=request_user(request),
            patent=None,
            values=values,
            ip=audit.client_ip(request),
            **links,
        )
    return Status(201, _detail(request, _patent(request, patent.pk)))


@router.patch("/{patent_id}", response=PatentDetailOut)
def change_patent(
    request: HttpRequest, patent_id: int, payload: PatentPatch, response: HttpResponse
) -> dict[str, Any]:
    """Change a patent (staff, or a member of an owner): only the fields sent change. Send
    the `version` you loaded (or If-Match): a change saved meanwhile is a 409 `conflict`."""
    patent = _patent(request, patent_id)
    require_perm(request, "patents.change_patent", patent)
    sent = payload.model_dump(exclude_unset=True)
    expected = expected_from(request, sent)
    if not sent:  # nothing to change; still an answer with the current version
        response["ETag"] = etag(patent.version)
        return _detail(request, patent)
    values = _values(request, sent, patent)
    links = _links(request, sent, patent)
    with refusals(_RENAMED):
        domain.save_patent(
            actor=request_user(request),
            patent=patent,
            values=values,
            expected_version=expected,
            ip=audit.client_ip(request),
            **links,
        )
    saved = _patent(request, patent.pk)
    response["ETag"] = etag(saved.version)
    return _detail(request, saved)


@router.post("/{patent_id}/payments", response={201: PaymentOut})
def record_payment(request: HttpRequest, patent_id: int, payload: PaymentIn) -> Status[FeePayment]:
    """Record that one patent year's annual fee was paid (staff, or a member of an owner).
    The year must be one the schedule still owes; a year already paid is a 422 on `year`."""
    patent = _patent(request, patent_id)
    require_perm(request, "patents.record_fee", patent)
    with refusals(_RENAMED):
        payment = domain.record_payment(
            actor=request_user(request),
            patent=patent,
            year=payload.year,
            paid_on=payload.paid_on,
            amount_fen=payload.amount_fen,
            late_fee_fen=payload.late_fee_fen,
            note=payload.note,
            ip=audit.client_ip(request),
        )
    return Status(201, payment)


@router.delete("/{patent_id}/payments/{payment_id}", response={204: None})
def remove_payment(request: HttpRequest, patent_id: int, payment_id: int) -> Status[None]:
    """Take back a payment recorded by mistake (the audit log keeps what it said)."""
    patent = _patent(request, patent_id)
    payment = get_object_or_404(
        rules.payments_visible_to(request.user), patent=patent, pk=payment_id
    )
    require_perm(request, "patents.record_fee", patent)
    domain.remove_payment(actor=request_user(request), payment=payment, ip=audit.client_ip(request))
    return Status(204, None)
