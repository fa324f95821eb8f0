"""Grants API (赋权): the grants of the institutions the caller keeps, one grant with its
team and checklist, the writes (create, change a draft, the moves), its documents (list,
upload, download) and the evidence file of an achievement's grants (ZIP).

Every read starts from `rules.grants_visible_to(user)`: a grant the caller may not see is a
404, as if it did not exist (a viewer sees none). The achievement and team members are read
only through `rules.visible_links`. Writes go through domain.py and ask "grants.keep_grant";
versions (`version` or If-Match) guard against lost updates; a move the transition table
does not list, or one missing what it needs, is a 422 naming the fields; errors use the
shared JSON shape. Money in fen (CNY), shares in basis points.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from luodi import downloads
from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog.models import Organization
from luodi.catalog.rules import people_visible_to
from luodi.concurrency import etag, expected_from, refusals
from luodi.errors import (
    MAX_ID,
    ApiError,
    LazyPage,
    Pagination,
    invalid,
    require_perm,
    resolved,
    stable_order,
)
from luodi.grants import domain, evidence, rules
from luodi.grants.choices import GrantDocumentType, GrantKind, GrantStatus
from luodi.grants.models import Grant, GrantDocument
from luodi.grants.schemas import (
    GrantDecisionIn,
    GrantDocumentOut,
    GrantIn,
    GrantOut,
    GrantPatch,
    ObjectionIn,
    VersionIn,
    WithdrawIn,
)

router = Router(tags=["grants"])
PERM = "grants.keep_grant"
_RENAMED = {"institution": "institution_id", "achievement": "achievement_id"}
# Fields that may be sent as null (cleared); any other sent as null is refused.
_NULLABLE = {
    "term_years",
    "use_starts_on",
    "valuation_report_on",
    "valuation_fen",
    "decided_on",
    "notice_starts_on",
    "notice_ends_on",
}


def _grant(request: HttpRequest, grant_id: int) -> Grant:
    qs = rules.grants_visible_to(request.user).select_related("institution")
    return get_object_or_404(qs, pk=grant_id)


def _rows(request: HttpRequest, grants: list[Grant]) -> list[dict[str, Any]]:
    out = []
    for e in evidence.entries(request.user, grants):
        g = e.grant
        link = e.links.achievement
        out.append(
            {
                **{name: getattr(g, name) for name in domain.FIELDS if name not in _RENAMED},
                "id": g.pk,
                "institution": {"id": g.institution_id, "name": g.institution.display_name},
                "achievement": {"id": link.id, "title": link.title} if link else None,
                "achievement_id": g.achievement_id,
                "members": [vars(m) for m in e.links.members],
                "objections": g.objections,
                "notice_outcome": g.notice_outcome,
                "status": g.status,
                "granted_on": g.granted_on,
                "withdrawn_reason": g.withdrawn_reason,
                "checklist": [
                    {
                        "key": i.key,
                        "label": i.label,
                        "recorded": i.recorded,
                        "document": i.document,
                        "present": i.present,
                    }
                    for i in e.checklist
                ],
                "is_demo": g.is_demo,
                "created_at": g.created_at,
                "updated_at": g.updated_at,
                "version": g.version,
            }
        )
    return out


def _one(request: HttpRequest, grant_id: int, response: HttpResponse | None = None) -> Any:
    grant = _grant(request, grant_id)
    if response is not None:
        response["ETag"] = etag(grant.version)
    return _rows(request, [grant])[0]


# -- reads --------------------------------------------------------------------------------------


@router.get("/", response=list[GrantOut])
@paginate(Pagination)
@resolved
def list_grants(
    request: HttpRequest,
    institution: int | None = Query(None, ge=1, le=MAX_ID),
    achievement: int | None = Query(None, ge=1, le=MAX_ID),
    status: GrantStatus | None = None,
    kind: GrantKind | None = None,
) -> LazyPage:
    """The grants the caller may see (staff: every institution's; a partner: its own
    organizations'; a viewer: none), newest first."""
    qs = rules.grants_visible_to(request.user).select_related("institution")
    if institution is not None:
        qs = qs.filter(institution_id=institution)
    if achievement is not None:
        qs = qs.filter(achievement_id=achievement)
    if status is not None:
        qs = qs.filter(status=status)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return LazyPage(
        stable_order(qs.order_by("-created_at", "-pk")), lambda grants: _rows(request, grants)
    )


@router.get("/{grant_id}", response=GrantOut)
def get_grant(request: HttpRequest, grant_id: int, response: HttpResponse) -> Any:
    """One grant with its team, checklist and version (the achievement and each member
    only if you may see them)."""
    return _one(request, grant_id, response)


# -- writes -------------------------------------------------------------------------------------


def _members(request: HttpRequest, sent: list[dict[str, Any]], grant: Grant | None) -> Any:
    """The team sent, each person one the caller may see, plus the members already named
    whom the caller may not see (kept as they are: a caller cannot remove whom it cannot
    see). A person not found is a 422 on `members`."""
    ids = [m["person_id"] for m in sent]
    found = {p.pk: p for p in people_visible_to(request.user).filter(pk__in=ids)}
    if len(found) != len(set(ids)):
        raise invalid({"members": ["No such person, or not one you may name here."]})
    team = [(found[m["person_id"]], m["share_bp"]) for m in sent]
    if grant is not None:
        visible = set(people_visible_to(request.user).values_list("pk", flat=True))
        team += [(p, s) for p, s in domain.members_of(grant) if p.pk not in visible]
    return team


def _values(request: HttpRequest, sent: dict[str, Any], grant: Grant | None) -> dict[str, Any]:
    refused = {k: ["This field cannot be null."] for k, v in sent.items() if v is None}
    for name in _NULLABLE:
        refused.pop(name, None)
    if refused:
        raise invalid(refused)
    values = {name: sent[name] for name in domain.FIELDS if name in sent}
    if "achievement_id" in sent:
        wanted = sent["achievement_id"]
        if grant is not None and wanted == grant.achievement_id:
            values["achievement"] = grant.achievement
        else:
            institution = grant.institution if grant else values.get("institution")
            pool = rules.achievements_offered(request.user, institution) if institution else None
            found = pool.filter(pk=wanted).first() if pool is not None else None
            if found is None:
                raise invalid(
                    {"achievement_id": ["No such achievement of the institution that you may see."]}
                )
            values["achievement"] = found
    return values


@router.post("/", response={201: GrantOut})
def create_grant(request: HttpRequest, payload: GrantIn) -> Status[Any]:
    """Record a draft grant of an institution (staff, or a member of the institution)."""
    org: Organization = get_object_or_404(
        rules.institutions_visible_to(request.user), pk=payload.institution_id
    )
    require_perm(request, PERM, org)
    sent = payload.model_dump()
    members = _members(request, sent.pop("members"), None)
    values = _values(request, {**sent, "institution": org}, None)
    values["institution"] = org
    with refusals(_RENAMED):
        grant = domain.save_grant(
            actor=request_user(request),
            grant=None,
            values=values,
            members=members,
            ip=audit.client_ip(request),
        )
    return Status(201, _one(request, grant.pk))


@router.patch("/{grant_id}", response=GrantOut)
def change_grant(
    request: HttpRequest, grant_id: int, payload: GrantPatch, response: HttpResponse
) -> Any:
    """Change a draft: only the fields sent change (`members` replaces the team you may
    see). Send the `version` you loaded (or If-Match): a change saved meanwhile is a 409
    `conflict` and nothing is written. A grant past its draft is a 422 on `status`."""
    grant = _grant(request, grant_id)
    require_perm(request, PERM, grant)
    sent = payload.model_dump(exclude_unset=True)
    expected = expected_from(request, sent)
    if not sent:
        return _one(request, grant.pk, response)
    members = None
    if "members" in sent:
        sent_team = sent.pop("members")
        if sent_team is None:
            raise invalid({"members": ["This field cannot be null."]})
        members = _members(request, sent_team, grant)
    values = _values(request, sent, grant)
    with refusals(_RENAMED):
        domain.save_grant(
            actor=request_user(request),
            grant=grant,
            values=values,
            members=members,
            expected_version=expected,
            ip=audit.client_ip(request),
        )
    return _one(request, grant.pk, response)


def _move(
    request: HttpRequest,
    grant_id: int,
    call: Callable[..., Any],
    sent: dict[str, Any],
    response: HttpResponse,
    **kwargs: Any,
) -> Any:
    grant = _grant(request, grant_id)
    require_perm(request, PERM, grant)
    expected = expected_from(request, sent)
    with refusals(_RENAMED):
        call(
            actor=request_user(request),
            grant=grant,
            expected_version=expected,
            ip=audit.client_ip(request),
            **kwargs,
        )
    return _one(request, grant.pk, response)


@router.post("/{grant_id}/start-notice", response=GrantOut)
def start_notice(
    request: HttpRequest, grant_id: int, payload: VersionIn, response: HttpResponse
) -> Any:
    """Draft → on notice. Refused (422) without the valuation (`valuation_fen`), the
    decision (`decided_on`), the notice's dates and place (`notice_starts_on`) or the team
    (`members`), each named with what is missing."""
    return _move(request, grant_id, domain.start_notice, payload.model_dump(), response)


@router.post("/{grant_id}/objection", response=GrantOut)
def record_objection(
    request: HttpRequest, grant_id: int, payload: ObjectionIn, response: HttpResponse
) -> Any:
    """An objection received during the notice (kept with its day)."""
    sent = payload.model_dump()
    text = sent.pop("text")
    return _move(request, grant_id, domain.record_objection, sent, response, text=text)


@router.post("/{grant_id}/grant", response=GrantOut)
def grant_rights(
    request: HttpRequest, grant_id: int, payload: GrantDecisionIn, response: HttpResponse
) -> Any:
    """On notice → granted, after the notice period has ended, with its outcome."""
    sent = payload.model_dump()
    outcome = sent.pop("outcome")
    return _move(request, grant_id, domain.grant_rights, sent, response, outcome=outcome)


@router.post("/{grant_id}/withdraw", response=GrantOut)
def withdraw(
    request: HttpRequest, grant_id: int, payload: WithdrawIn, response: HttpResponse
) -> Any:
    """A draft or a grant on notice withdrawn, with the reason."""
    sent = payload.model_dump()
    reason = sent.pop("reason")
    return _move(request, grant_id, domain.withdraw, sent, response, reason=reason)


# -- documents ----------------------------------------------------------------------------------


def _document(d: GrantDocument) -> dict[str, Any]:
    return {
        "id": d.pk,
        "grant_id": d.grant_id,
        "doc_type": d.doc_type,
        "original_name": d.original_name,
        "content_type": d.content_type,
        "size": d.size,
        "uploaded_at": d.uploaded_at,
        "download_url": reverse("api:grant_document_file", args=[d.pk]),
    }


@router.get("/{grant_id}/documents", response=list[GrantDocumentOut])
def list_documents(request: HttpRequest, grant_id: int) -> list[dict[str, Any]]:
    grant = _grant(request, grant_id)
    found = GrantDocument.objects.filter(grant=grant)
    return [_document(d) for d in sorted(found, key=evidence.document_order)]


@router.post("/{grant_id}/documents", response={201: GrantDocumentOut})
def upload_document(
    request: HttpRequest,
    grant_id: int,
    doc_type: Form[GrantDocumentType],
    file: File[UploadedFile],
) -> Status[dict[str, Any]]:
    """Attach a document (PDF, Word, Excel, PNG, JPEG; size limited, content checked
    against the name) as multipart form data."""
    grant = _grant(request, grant_id)
    require_perm(request, PERM, grant)
    with refusals(_RENAMED):
        doc = domain.upload_document(
            actor=request_user(request),
            grant=grant,
            upload=file,
            doc_type=doc_type,
            ip=audit.client_ip(request),
        )
    return Status(201, _document(doc))


@router.get(
    "/documents/{document_id}/file",
    response={200: None},
    url_name="grant_document_file",
    summary="Download a grant document",
)
def document_file(request: HttpRequest, document_id: int) -> FileResponse:
    """The stored file, always as an attachment (never rendered)."""
    doc = get_object_or_404(rules.documents_visible_to(request.user), pk=document_id)
    return downloads.attachment(doc.file.open("rb"), doc.original_name, doc.content_type)


@router.get(
    "/achievements/{achievement_id}/evidence",
    response={200: None},
    summary="The evidence file of an achievement's grants (ZIP)",
)
def evidence_file(request: HttpRequest, achievement_id: int) -> FileResponse:
    """summary.pdf, summary.xlsx and every document of the achievement's grants you may
    see; 404 when you may see none."""
    grants = list(
        rules.grants_visible_to(request.user)
        .filter(achievement_id=achievement_id)
        .select_related("institution")
        .order_by("pk")
    )
    if not grants:
        raise ApiError(404, "not_found", "No grant of this achievement that you may see.")
    rows = evidence.entries(request.user, grants)
    title = evidence.achievement_label(rows[0].links)
    content = evidence.archive(title, rows, timezone.localdate())
    audit.record(
        actor=request_user(request),
        verb="grant.export",
        target=rows[0].grant,
        changes={"achievement": achievement_id, "grants": [r.grant.pk for r in rows]},
        ip=audit.client_ip(request),
    )
    name = f"grants-evidence-{achievement_id}.zip"
    return downloads.attachment(io.BytesIO(content), name, "application/zip")
