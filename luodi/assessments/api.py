"""Expert assessment of achievements (科技成果评价): templates of weighted criteria, invited
reviewers (with or without an account), conflict-of-interest declarations, scores aggregated
with their disagreement, a written summary and the result shown on the achievement.

API: staff manage (open, invite, withdraw, close, summarise, re-assess, templates); internal
reviewers declare and score through their invitation (external reviewers use their link's
page, having no account to call the API with). Every read starts from rules.py: an
assessment the caller may not see is a 404, as if it did not exist; what of it they see is
decided per field (schemas.AssessmentOut). Writes go through domain.py; versions guard
against lost updates; errors use the shared JSON shape.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.accounts.request_user import request_user
from luodi.assessments import domain, results, rules
from luodi.assessments.models import Assessment, Invitation, Template
from luodi.assessments.schemas import (
    AssessmentInvitationOut,
    AssessmentOut,
    CloseIn,
    DeclarationIn,
    InviteIn,
    InviteOut,
    OpenIn,
    ReassessIn,
    ResultOut,
    ScoresIn,
    SummaryIn,
    TemplateIn,
    TemplateOut,
)
from luodi.catalog.rules import achievements_visible_to
from luodi.concurrency import etag, expected_from, refusals
from luodi.errors import ApiError, LazyPage, Pagination, invalid, require_perm, stable_order

router = Router(tags=["assessments"])

_RENAMED = {"user": "user_id", "achievement": "achievement_id", "template": "template_id"}


def _visible(request: HttpRequest) -> QuerySet[Assessment]:
    return rules.assessments_visible_to(request.user).select_related("achievement__owner")


def _assessment(request: HttpRequest, assessment_id: int) -> Assessment:
    return get_object_or_404(_visible(request), pk=assessment_id)


def _managed(request: HttpRequest, assessment_id: int) -> Assessment:
    require_perm(request, "assessments.manage")
    return _assessment(request, assessment_id)


# -- output -----------------------------------------------------------------------------------


def _result(a: Assessment) -> dict[str, Any] | None:
    if a.overall_permille is None:
        return None
    return {
        "readiness": a.readiness,
        "readiness_label": str(a.get_readiness_display() or ""),
        "overall": a.overall_permille / 1000,
        "strengths": a.strengths,
        "risks": a.risks,
        "summary": a.summary,
        "suggested_kinds": list(a.suggested_kinds),
        "summarised_at": a.summarised_at,
    }


def _review(inv: Invitation, *, named: bool = True, declaration: bool = True) -> dict[str, Any]:
    return {
        "id": inv.pk,
        "name": inv.display_name if named else None,
        "external": inv.is_external,
        "state": inv.state,
        "conflict_note": inv.conflict_note if declaration else None,
        "nda_accepted_at": inv.nda_accepted_at,
        "scores": {s.criterion: s.value for s in inv.scores.all()},
        "comment": inv.comment,
        "submitted_at": inv.submitted_at,
    }


def _out(request: HttpRequest, a: Assessment) -> dict[str, Any]:
    user = request.user
    full = user.has_perm("assessments.view_scores", a)
    mine = (
        rules.live_invitations(user).filter(assessment=a).prefetch_related("scores").first()
        if not full
        else None
    )
    reviewers: list[dict[str, Any]] | None = None
    aggregate = None
    if full:
        invitations = a.invitations.select_related("user").prefetch_related("scores")
        reviewers = [_review(inv) for inv in invitations.order_by("pk")]
        agg = results.aggregate_for(a)
        aggregate = {
            "criteria": [vars(c) for c in agg.criteria],
            "overall": agg.overall,
            "overall_spread": agg.overall_spread,
            "disagreement": agg.disagreement,
        }
    elif mine is not None and rules.sees_co_reviewers(a, mine):
        reviewers = [
            _review(inv, declaration=False)
            for inv in results.counted_invitations(a)
            if inv.pk != mine.pk
        ]
    shows_result = user.has_perm("assessments.view_result", a)
    return {
        "id": a.pk,
        "achievement": {"id": a.achievement_id, "title": a.achievement.title},
        "round": a.round,
        "mode": a.mode,
        "deadline": a.deadline,
        "status": a.status,
        "criteria": a.criteria,
        "result": _result(a) if shows_result else None,
        "aggregate": aggregate,
        "reviewers": reviewers,
        "my_review": _review(mine) if mine is not None and mine.cleared else None,
        "updated_at": a.updated_at,
        "version": a.version,
    }


def _template_out(t: Template) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name_zh": t.name_zh,
        "name_en": t.name_en,
        "description": t.description,
        "is_default": t.is_default,
        "criteria": [c.snapshot() for c in t.criteria.all()],
        "version": t.version,
    }


# -- reads ------------------------------------------------------------------------------------


@router.get("/", response=list[AssessmentOut])
@paginate(Pagination)
def list_assessments(request: HttpRequest) -> Any:
    """The assessments the caller may see (staff: all; a reviewer: those they are cleared
    on; the owner: its summarised ones), newest first."""
    return LazyPage(
        stable_order(_visible(request)), lambda items: [_out(request, a) for a in items]
    )


@router.get("/invitations", response=list[AssessmentInvitationOut])
def my_invitations(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's own invitations (internal reviewer), including those still waiting for
    the declaration: the achievement's title and owner only."""
    rows = rules.live_invitations(request.user).select_related("assessment__achievement__owner")
    return [
        {
            "id": inv.pk,
            "assessment_id": inv.assessment_id,
            "achievement": {
                "id": inv.assessment.achievement_id,
                "title": inv.assessment.achievement.title,
            },
            "owner": str(inv.assessment.achievement.owner),
            "deadline": inv.assessment.deadline,
            "status": inv.assessment.status,
            "state": inv.state,
            "needs_nda": domain.needs_nda(inv.assessment),
        }
        for inv in rows.order_by("-pk")[:200]
    ]


@router.get("/templates", response=list[TemplateOut])
def list_templates(request: HttpRequest) -> list[dict[str, Any]]:
    """Assessment templates (staff)."""
    require_perm(request, "assessments.manage")
    return [_template_out(t) for t in Template.objects.prefetch_related("criteria")]


@router.get("/templates/{template_id}", response=TemplateOut)
def get_template(request: HttpRequest, template_id: int) -> dict[str, Any]:
    found = get_object_or_404(rules.templates_visible_to(request.user), pk=template_id)
    return _template_out(found)


@router.get("/achievements/{achievement_id}/result", response={200: ResultOut, 204: None})
def achievement_result(request: HttpRequest, achievement_id: int) -> Any:
    """The latest summarised result of an achievement, for whoever may see its dossier (the
    catalog's field-level policy); 204 when it has none; 404 when the achievement is not
    visible."""
    achievement = get_object_or_404(achievements_visible_to(request.user), pk=achievement_id)
    if not rules.may_see_result(request.user, achievement):
        raise ApiError(403, "forbidden", "The result is part of the dossier you may not see.")
    found = results.latest_results([achievement.pk]).get(achievement.pk)
    if found is None:
        return Status(204, None)
    return _result(Assessment.objects.get(pk=found.assessment_id))


@router.get("/{assessment_id}", response=AssessmentOut)
def get_assessment(request: HttpRequest, assessment_id: int, response: HttpResponse) -> Any:
    a = _assessment(request, assessment_id)
    response["ETag"] = etag(a.version)
    return _out(request, a)


# -- writes (staff) ---------------------------------------------------------------------------


@router.post("/", response={201: AssessmentOut})
def open_assessment(request: HttpRequest, payload: OpenIn) -> Status[dict[str, Any]]:
    """Open the next round for an achievement (staff)."""
    require_perm(request, "assessments.manage")
    achievement = achievements_visible_to(request.user).filter(pk=payload.achievement_id).first()
    if achievement is None:
        raise invalid({"achievement_id": ["No such achievement."]})
    templates = Template.objects.all()
    template = (
        templates.filter(pk=payload.template_id).first()
        if payload.template_id
        else templates.filter(is_default=True).first()
    )
    if template is None:
        raise invalid({"template_id": ["No such template."]})
    with refusals(_RENAMED):
        a = domain.open_assessment(
            actor=request_user(request),
            achievement=achievement,
            template=template,
            mode=payload.mode,
            deadline=payload.deadline,
            base_url=request.build_absolute_uri("/").rstrip("/"),
            ip=audit.client_ip(request),
        )
    return Status(201, _out(request, _assessment(request, a.pk)))


@router.post("/{assessment_id}/invitations", response={201: InviteOut})
def invite(request: HttpRequest, assessment_id: int, payload: InviteIn) -> Status[dict[str, Any]]:
    """Invite an internal expert (`user_id`) or an external one (`name`, `email`): the
    invitation is mailed by a job."""
    a = _managed(request, assessment_id)
    user = None
    if payload.user_id is not None:
        if payload.name or payload.email:
            raise invalid({"user_id": ["Either user_id or name and email, not both."]})
        user = User.objects.filter(pk=payload.user_id).first()
        if user is None:
            raise invalid({"user_id": ["No such user."]})
    with refusals(_RENAMED):
        inv = domain.invite(
            actor=request_user(request),
            assessment=a,
            user=user,
            name=payload.name,
            email=payload.email,
            language=payload.language,
            ip=audit.client_ip(request),
        )
    return Status(201, {"id": inv.pk, "state": inv.state})


@router.delete("/{assessment_id}/invitations/{invitation_id}", response={204: None})
def revoke(request: HttpRequest, assessment_id: int, invitation_id: int) -> Status[None]:
    a = _managed(request, assessment_id)
    inv = get_object_or_404(Invitation, pk=invitation_id, assessment=a)
    domain.revoke(actor=request_user(request), invitation=inv, ip=audit.client_ip(request))
    return Status(204, None)


@router.post("/{assessment_id}/close", response=AssessmentOut)
def close(request: HttpRequest, assessment_id: int, payload: CloseIn) -> Any:
    a = _managed(request, assessment_id)
    expected = expected_from(request, payload.model_dump(exclude_unset=True))
    with refusals(_RENAMED):
        domain.close(
            actor=request_user(request),
            assessment=a,
            expected_version=expected,
            ip=audit.client_ip(request),
        )
    return _out(request, _assessment(request, a.pk))


@router.put("/{assessment_id}/summary", response=AssessmentOut)
def summarise(request: HttpRequest, assessment_id: int, payload: SummaryIn) -> Any:
    a = _managed(request, assessment_id)
    sent = payload.model_dump(exclude_unset=True)
    expected = expected_from(request, sent)
    with refusals(_RENAMED):
        domain.summarise(
            actor=request_user(request),
            assessment=a,
            readiness=payload.readiness,
            strengths=payload.strengths,
            risks=payload.risks,
            summary=payload.summary,
            suggested_kinds=[str(k) for k in payload.suggested_kinds],
            expected_version=expected,
            ip=audit.client_ip(request),
        )
    return _out(request, _assessment(request, a.pk))


@router.post("/{assessment_id}/reassess", response={201: AssessmentOut})
def reassess(
    request: HttpRequest, assessment_id: int, payload: ReassessIn
) -> Status[dict[str, Any]]:
    """Open the next round of the same achievement (history kept)."""
    a = _managed(request, assessment_id)
    with refusals(_RENAMED):
        new = domain.reassess(
            actor=request_user(request),
            previous=a,
            deadline=payload.deadline,
            base_url=request.build_absolute_uri("/").rstrip("/"),
            ip=audit.client_ip(request),
        )
    return Status(201, _out(request, _assessment(request, new.pk)))


@router.put("/templates/{template_id}", response=TemplateOut)
def save_template(request: HttpRequest, template_id: int, payload: TemplateIn) -> Any:
    require_perm(request, "assessments.manage")
    t = get_object_or_404(rules.templates_visible_to(request.user), pk=template_id)
    expected = expected_from(request, payload.model_dump(exclude_unset=True))
    with refusals(_RENAMED):
        domain.save_template(
            actor=request_user(request),
            template=t,
            name_zh=payload.name_zh,
            name_en=payload.name_en,
            description=payload.description,
            criteria=[c.model_dump() for c in payload.criteria],
            expected_version=expected,
            ip=audit.client_ip(request),
        )
    return _template_out(Template.objects.get(pk=t.pk))


@router.post("/templates/{template_id}/copy", response={201: TemplateOut})
def copy_template(request: HttpRequest, template_id: int) -> Status[dict[str, Any]]:
    require_perm(request, "assessments.manage")
    t = get_object_or_404(rules.templates_visible_to(request.user), pk=template_id)
    copy = domain.copy_template(
        actor=request_user(request), template=t, ip=audit.client_ip(request)
    )
    return Status(201, _template_out(copy))


# -- the reviewer's part (internal reviewers) -------------------------------------------------


def _my_invitation(request: HttpRequest, assessment_id: int) -> Invitation:
    return get_object_or_404(
        rules.live_invitations(request.user).select_related("assessment__achievement"),
        assessment_id=assessment_id,
    )


@router.post("/{assessment_id}/declaration", response=InviteOut)
def declare(request: HttpRequest, assessment_id: int, payload: DeclarationIn) -> Any:
    """The caller's conflict-of-interest declaration (and NDA for a confidential
    achievement), once, before the dossier."""
    inv = _my_invitation(request, assessment_id)
    with refusals(_RENAMED):
        domain.declare(
            actor=request_user(request),
            invitation=inv,
            conflict=payload.conflict,
            note=payload.conflict_note,
            accept_nda=payload.accept_nda,
            ip=audit.client_ip(request),
        )
    return {"id": inv.pk, "state": inv.state}


@router.put("/{assessment_id}/scores", response=AssessmentOut)
def submit_scores(request: HttpRequest, assessment_id: int, payload: ScoresIn) -> Any:
    """The caller's scores, one per criterion within its scale (a 422 names
    `score_<code>`); they may be changed until the assessment closes."""
    inv = _my_invitation(request, assessment_id)
    if not inv.cleared:
        raise ApiError(403, "forbidden", "Declare your conflict of interest first.")
    with refusals(_RENAMED):
        domain.submit_scores(
            actor=request_user(request),
            invitation=inv,
            values=dict(payload.scores),
            comments=dict(payload.comments),
            comment=payload.comment,
            ip=audit.client_ip(request),
        )
    return _out(request, _assessment(request, assessment_id))
