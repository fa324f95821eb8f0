"""Challenges API: the challenges the caller may see, posting and editing one, opening /
closing / cancelling it, its matches and invitations, its reviewers; proposals (submitted
by a signed-in applicant for their organization), their scores, stage moves and award.

Every read starts from rules.py's `*_visible_to(user)`: a challenge or proposal the caller
may not see is a 404, as if it did not exist; an action on one they see but may not take
is a 403. Budget and IP terms of an invited challenge are null unless `terms_visible`.
Writes go through domain.py / proposals.py; versions guard against lost updates; errors
use the shared JSON shape. Money is in fen (CNY). Proposals without an account, and
attachments, go through the public page (multipart forms), not this API.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog.models import Organization
from luodi.catalog.rules import achievements_visible_to, organizations_visible_to
from luodi.challenges import domain, matching, proposals, rules
from luodi.challenges.choices import ChallengeStatus
from luodi.challenges.models import Challenge, Proposal
from luodi.challenges.schemas import (
    AwardIn,
    ChallengeIn,
    ChallengeInvitationIn,
    ChallengeInvitationOut,
    ChallengeOut,
    ChallengePatch,
    ChallengeStatusIn,
    MatchesOut,
    MoveIn,
    ProposalDetailOut,
    ProposalIn,
    ProposalOut,
    ReviewerIn,
    ScoreIn,
    ScoreOut,
)
from luodi.concurrency import etag, expected_from, refusals
from luodi.errors import (
    ApiError,
    LazyPage,
    Pagination,
    invalid,
    require_perm,
    resolved,
    stable_order,
)

router = Router(tags=["challenges"])

_RENAMED = {"poster": "poster_id", "need": "need_id", "organization": "organization_id"}


def _challenge(request: HttpRequest, challenge_id: int) -> Challenge:
    return get_object_or_404(
        rules.challenges_visible_to(request.user).select_related("poster"), pk=challenge_id
    )


def _proposal(request: HttpRequest, proposal_id: int) -> Proposal:
    return get_object_or_404(
        rules.proposals_visible_to(request.user).select_related("challenge", "organization"),
        pk=proposal_id,
    )


def _ref(org: Organization | None) -> dict[str, Any] | None:
    return None if org is None else {"id": org.pk, "name": org.display_name}


def _out(request: HttpRequest, c: Challenge) -> dict[str, Any]:
    shown = rules.terms_visible(request.user, c)
    return {
        "id": c.pk,
        "title_zh": c.title_zh,
        "title_en": c.title_en,
        "title": c.title,
        "problem_zh": c.problem_zh,
        "problem_en": c.problem_en,
        "poster": _ref(c.poster),
        "need_id": c.need_id,
        "timeline": c.timeline,
        "eligibility": c.eligibility,
        "deadline": c.deadline,
        "visibility": c.visibility,
        "status": c.status,
        "terms_visible": shown,
        "budget_min_fen": c.budget_min_fen if shown else None,
        "budget_max_fen": c.budget_max_fen if shown else None,
        "ip_terms": c.ip_terms if shown else None,
        "created_at": c.created_at,
        "version": c.version,
    }


def _proposal_out(p: Proposal) -> dict[str, Any]:
    return {
        **{name: getattr(p, name) for name in proposals.FIELDS if name != "applicant_email"},
        "id": p.pk,
        "challenge_id": p.challenge_id,
        "organization": _ref(p.organization),
        "stage": p.stage,
        "stage_entered_at": p.stage_entered_at,
        "project_id": p.project_id,
        "agreement_id": p.agreement_id,
        "created_at": p.created_at,
        "version": p.version,
    }


def _proposal_detail(request: HttpRequest, p: Proposal) -> dict[str, Any]:
    user = request.user
    scores = []
    if user.has_perm("challenges.review_challenge", p.challenge):
        scores = [
            {
                "id": s.pk,
                "stage": s.stage,
                "reviewer": str(s.reviewer),
                "score": s.score,
                "comment": s.comment,
            }
            for s in p.scores.select_related("reviewer")
        ]
    return {
        **_proposal_out(p),
        "achievements": [
            {"id": a.pk, "title": a.title}
            for a in achievements_visible_to(user).filter(challenge_proposals=p).order_by("pk")
        ],
        "attachments": [
            {"id": d.pk, "name": d.original_name, "size": d.size, "content_type": d.content_type}
            for d in p.attachments.all()
        ],
        "moves": [
            {
                "from_stage": m.from_stage,
                "to_stage": m.to_stage,
                "by": m.actor_label,
                "note": m.note,
                "at": m.created_at,
            }
            for m in p.moves.all()
        ],
        "scores": scores,
    }


# -- challenges -------------------------------------------------------------------------------


@router.get("/", response=list[ChallengeOut])
@paginate(Pagination)
@resolved
def list_challenges(request: HttpRequest, status: ChallengeStatus | None = None) -> Any:
    """The challenges the caller may see, newest first."""
    qs = rules.challenges_visible_to(request.user).select_related("poster")
    if status is not None:
        qs = qs.filter(status=status)
    return LazyPage(
        stable_order(qs.order_by("-created_at")), lambda items: [_out(request, c) for c in items]
    )


@router.get("/{challenge_id}", response=ChallengeOut)
def get_challenge(request: HttpRequest, challenge_id: int, response: HttpResponse) -> Any:
    challenge = _challenge(request, challenge_id)
    response["ETag"] = etag(challenge.version)
    return _out(request, challenge)


def _links(request: HttpRequest, sent: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "poster_id" in sent:
        pid = sent.pop("poster_id")
        if pid is None:
            if not rules.posts_for_association(request.user):
                raise invalid({"poster_id": ["Name your organization as the poster."]})
            values["poster"] = None
        else:
            found = rules.posters_offered(request.user).filter(pk=pid).first()
            if found is None:
                raise invalid({"poster_id": ["No such organization, or not one you may name."]})
            values["poster"] = found
    if "need_id" in sent:
        nid = sent.pop("need_id")
        need = rules.needs_convertible_by(request.user).filter(pk=nid).first() if nid else None
        if nid and need is None:
            raise invalid({"need_id": ["No such clinical need, or not one you may name."]})
        values["need"] = need
    return values


@router.post("/", response={201: ChallengeOut})
def create_challenge(request: HttpRequest, payload: ChallengeIn) -> Any:
    """Post a challenge (a draft: open it with /status)."""
    require_perm(request, "challenges.add_challenge")
    sent = payload.model_dump()
    values = {**sent, **_links(request, sent)}
    with refusals(_RENAMED):
        challenge = domain.save_challenge(
            actor=request_user(request), challenge=None, values=values, ip=audit.client_ip(request)
        )
    return Status(201, _out(request, _challenge(request, challenge.pk)))


@router.patch("/{challenge_id}", response=ChallengeOut)
def change_challenge(
    request: HttpRequest, challenge_id: int, payload: ChallengePatch, response: HttpResponse
) -> Any:
    challenge = _challenge(request, challenge_id)
    require_perm(request, "challenges.manage_challenge", challenge)
    sent = payload.model_dump(exclude_unset=True)
    expected = expected_from(request, sent)
    refused = {k: ["This field cannot be null."] for k, v in sent.items() if v is None}
    for name in ("budget_min_fen", "budget_max_fen"):
        refused.pop(name, None)
    if refused:
        raise invalid(refused)
    with refusals(_RENAMED):
        domain.save_challenge(
            actor=request_user(request),
            challenge=challenge,
            values=sent,
            expected_version=expected,
            ip=audit.client_ip(request),
        )
    saved = _challenge(request, challenge.pk)
    response["ETag"] = etag(saved.version)
    return _out(request, saved)


@router.post("/{challenge_id}/status", response=ChallengeOut)
def change_status(request: HttpRequest, challenge_id: int, payload: ChallengeStatusIn) -> Any:
    """Open, close (for review), reopen or cancel."""
    challenge = _challenge(request, challenge_id)
    require_perm(request, "challenges.manage_challenge", challenge)
    with refusals():
        domain.set_status(
            actor=request_user(request),
            challenge=challenge,
            status=payload.status,
            expected_version=payload.version,
            ip=audit.client_ip(request),
        )
    return _out(request, _challenge(request, challenge.pk))


@router.get("/{challenge_id}/matches", response=MatchesOut)
def get_matches(request: HttpRequest, challenge_id: int) -> Any:
    """Teams and achievements matched to the challenge, explained (its managers)."""
    challenge = _challenge(request, challenge_id)
    require_perm(request, "challenges.manage_challenge", challenge)
    found = matching.find(request.user, challenge)

    def row(m: matching.Match) -> dict[str, Any]:
        return {**m.__dict__, "id": m.pk, "reasons": [r.text for r in m.reasons]}

    return {
        "teams": [row(m) for m in found.teams],
        "achievements": [row(m) for m in found.achievements],
        "method": found.method,
        "note": found.note,
    }


@router.get("/{challenge_id}/invitations", response=list[ChallengeInvitationOut])
def list_invitations(request: HttpRequest, challenge_id: int) -> Any:
    challenge = _challenge(request, challenge_id)
    require_perm(request, "challenges.manage_challenge", challenge)
    return [
        {"organization": _ref(i.organization), "reason": i.reason, "created_at": i.created_at}
        for i in challenge.invitations.select_related("organization")
    ]


@router.post("/{challenge_id}/invitations", response={201: list[ChallengeInvitationOut]})
def invite(request: HttpRequest, challenge_id: int, payload: ChallengeInvitationIn) -> Any:
    """Invite organizations (any the caller may see); their members are notified."""
    challenge = _challenge(request, challenge_id)
    require_perm(request, "challenges.manage_challenge", challenge)
    wanted = set(payload.organization_ids)
    orgs = list(organizations_visible_to(request.user).filter(pk__in=wanted))
    if len(orgs) != len(wanted):
        raise invalid({"organization_ids": ["No such organization, or not one you may name."]})
    link = request.build_absolute_uri(reverse("challenges:detail", args=[challenge.pk]))
    with refusals({"organizations": "organization_ids"}):
        created = domain.invite(
            actor=request_user(request),
            challenge=challenge,
            organizations=orgs,
            link=link,
            ip=audit.client_ip(request),
        )
    return Status(
        201,
        [
            {"organization": _ref(i.organization), "reason": i.reason, "created_at": i.created_at}
            for i in created
        ],
    )


@router.post("/{challenge_id}/reviewers", response={204: None})
def add_reviewer(request: HttpRequest, challenge_id: int, payload: ReviewerIn) -> Any:
    challenge = _challenge(request, challenge_id)
    require_perm(request, "challenges.manage_challenge", challenge)
    with refusals():
        domain.add_reviewer(
            actor=request_user(request),
            challenge=challenge,
            reviewer=domain.find_reviewer(payload.reviewer),
            ip=audit.client_ip(request),
        )
    return Status(204, None)


# -- proposals ----------------------------------------------------------------------------------


@router.get("/{challenge_id}/proposals", response=list[ProposalOut])
@paginate(Pagination)
@resolved
def list_proposals(request: HttpRequest, challenge_id: int) -> Any:
    """The challenge's proposals the caller may see (managers, reviewers, staff: all; an
    applicant: their own)."""
    challenge = _challenge(request, challenge_id)
    qs = rules.proposals_visible_to(request.user).filter(challenge=challenge)
    return [_proposal_out(p) for p in stable_order(qs.select_related("organization"))]


@router.post("/{challenge_id}/proposals", response={201: ProposalDetailOut})
def submit_proposal(request: HttpRequest, challenge_id: int, payload: ProposalIn) -> Any:
    challenge = _challenge(request, challenge_id)
    require_perm(request, "challenges.submit_proposal", challenge)
    org = rules.applicant_orgs(request.user).filter(pk=payload.organization_id).first()
    if org is None:
        raise invalid({"organization_id": ["Not an organization of yours."]})
    ids = set(payload.achievement_ids)
    linked = list(achievements_visible_to(request.user).filter(pk__in=ids))
    if len(linked) != len(ids):
        raise invalid({"achievement_ids": ["No such achievement, or not one you may see."]})
    values = payload.model_dump(exclude={"organization_id", "achievement_ids"})
    with refusals(_RENAMED):
        proposal = proposals.submit(
            challenge=challenge,
            values=values,
            actor=request_user(request),
            organization=org,
            achievements=linked,
            review_link=request.build_absolute_uri(
                reverse("challenges:detail", args=[challenge.pk])
            ),
            ip=audit.client_ip(request),
        )
    return Status(201, _proposal_detail(request, _proposal(request, proposal.pk)))


@router.get("/proposals/{proposal_id}", response=ProposalDetailOut)
def get_proposal(request: HttpRequest, proposal_id: int) -> Any:
    return _proposal_detail(request, _proposal(request, proposal_id))


@router.post("/proposals/{proposal_id}/scores", response={201: ScoreOut})
def score_proposal(request: HttpRequest, proposal_id: int, payload: ScoreIn) -> Any:
    """Score at the proposal's current stage (reviewers and managers); again replaces it."""
    proposal = _proposal(request, proposal_id)
    require_perm(request, "challenges.review_challenge", proposal.challenge)
    with refusals():
        row = proposals.score(
            actor=request_user(request),
            proposal=proposal,
            value=payload.score,
            comment=payload.comment,
            ip=audit.client_ip(request),
        )
    return Status(
        201,
        {
            "id": row.pk,
            "stage": row.stage,
            "reviewer": str(row.reviewer),
            "score": row.score,
            "comment": row.comment,
        },
    )


@router.post("/proposals/{proposal_id}/stage", response=ProposalDetailOut)
def move_proposal(request: HttpRequest, proposal_id: int, payload: MoveIn) -> Any:
    proposal = _proposal(request, proposal_id)
    require_perm(request, "challenges.review_challenge", proposal.challenge)
    with refusals():
        proposals.move(
            actor=request_user(request),
            proposal=proposal,
            to=payload.stage,
            note=payload.note,
            expected_version=payload.version,
            ip=audit.client_ip(request),
        )
    return _proposal_detail(request, _proposal(request, proposal.pk))


@router.post("/proposals/{proposal_id}/award", response=ProposalDetailOut)
def award_proposal(request: HttpRequest, proposal_id: int, payload: AwardIn) -> Any:
    """Award a finalist (managers): opens the pipeline project and its draft agreement."""
    proposal = _proposal(request, proposal_id)
    require_perm(request, "challenges.manage_challenge", proposal.challenge)
    user = request.user
    org = achievement = None
    if payload.organization_id is not None:
        org = organizations_visible_to(user).filter(pk=payload.organization_id).first()
        if org is None:
            raise invalid({"organization_id": ["No such organization."]})
    if payload.achievement_id is not None:
        achievement = achievements_visible_to(user).filter(pk=payload.achievement_id).first()
        if achievement is None:
            raise invalid({"achievement_id": ["No such achievement."]})
    with refusals({"organization": "organization_id", "achievement": "achievement_id"}):
        proposals.award(
            actor=request_user(request),
            proposal=proposal,
            organization=org,
            achievement=achievement,
            note=payload.note,
            expected_version=payload.version,
            link=request.build_absolute_uri(reverse("pipeline:board")),
            ip=audit.client_ip(request),
        )
    return _proposal_detail(request, _proposal(request, proposal.pk))


@router.post("/proposals/{proposal_id}/withdraw", response=ProposalDetailOut)
def withdraw_proposal(request: HttpRequest, proposal_id: int) -> Any:
    """The applicant (its submitter or a member of its organization) withdraws it."""
    proposal = _proposal(request, proposal_id)
    if not request.user.has_perm("challenges.withdraw_proposal", proposal):
        raise ApiError(403, "forbidden", "Only the applicant withdraws a proposal.")
    with refusals():
        proposals.withdraw(
            actor=request_user(request), proposal=proposal, ip=audit.client_ip(request)
        )
    return _proposal_detail(request, _proposal(request, proposal.pk))
