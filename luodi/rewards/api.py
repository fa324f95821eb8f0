"""Reward distribution (奖励分配) API: each institution's rules for sharing transfer income
with its research teams, applied to every income event of the ledger, split among the
inventors, approved and publicly noticed (公示), and exported for payroll.

Every read starts from `rules.distributions_visible_to(user)` / `institutions_visible_to` /
`achievements_kept_by`: what the caller may not see is a 404, as if it did not exist (a
viewer sees none). Links of the income are read only through `rules.visible_links`. Writes
go through domain.py / policies.py and ask "rewards.keep_rewards"; versions (`version` or
If-Match) guard against lost updates; errors use the shared JSON shape. Money is in fen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog.models import Achievement, Organization
from luodi.concurrency import etag, expected_from, refusals
from luodi.errors import MAX_ID, LazyPage, Pagination, invalid, require_perm, resolved, stable_order
from luodi.ledger.models import LedgerEntry
from luodi.rewards import domain, policies, rules
from luodi.rewards.choices import DistributionState
from luodi.rewards.models import RewardDistribution, RewardPolicy
from luodi.rewards.schemas import (
    DistributionIn,
    DistributionOut,
    FinalizeIn,
    NoticeIn,
    PaidIn,
    PoliciesOut,
    PolicyIn,
    RecomputeIn,
    RewardApproveIn,
    RewardObjectionIn,
    SharesIn,
    SharesOut,
)

router = Router(tags=["rewards"])
PERM = "rewards.keep_rewards"
_RENAMED = {"entry": "entry_id", "expenses": "expense_ids", "person": "person_id"}


def _distribution(request: HttpRequest, pk: int) -> RewardDistribution:
    qs = rules.distributions_visible_to(request.user).select_related(
        "entry", "institution", "policy"
    )
    found = get_object_or_404(qs, pk=pk)
    require_perm(request, PERM, found)
    return found


def _rows(request: HttpRequest, items: list[RewardDistribution]) -> list[dict[str, Any]]:
    links = rules.visible_links(request.user, [d.entry for d in items])
    out = []
    for d in items:
        link = links[d.entry_id]
        out.append(
            {
                "id": d.pk,
                "entry_id": d.entry_id,
                "institution": {"id": d.institution_id, "name": d.institution.display_name},
                "achievement": vars(link.achievement) if link.achievement else None,
                "agreement": vars(link.agreement) if link.agreement else None,
                "income_kind": d.entry.kind,
                "received_on": d.entry.received_on,
                "equity": d.equity,
                "gross_fen": d.gross_fen,
                "deducted_fen": d.deducted_fen,
                "deduction_note": d.deduction_note,
                "deducted_entry_ids": [x.entry_id for x in d.deductions.all()],
                "base_fen": d.base_fen,
                "policy_id": d.policy_id,
                **{
                    name: getattr(d, name)
                    for name in (
                        "team_bp",
                        "main_bp",
                        "institution_bp",
                        "department_bp",
                        "department_name",
                        "state",
                        "approval_body",
                        "approval_reference",
                        "approved_at",
                        "notice_starts_on",
                        "notice_ends_on",
                        "notice_where",
                        "objection",
                        "finalized_on",
                        "paid_on",
                        "is_demo",
                        "version",
                    )
                },
                "lines": [
                    {
                        "role": line.role,
                        "person_id": line.person_id,
                        "recipient": line.recipient,
                        "agreed_bp": line.agreed_bp,
                        "share_ppm": line.share_ppm,
                        "amount_fen": line.amount_fen,
                    }
                    for line in d.lines.all()
                ],
                "events": [
                    {"from_state": e.from_state, "to_state": e.to_state, "note": e.note, "at": e.at}
                    for e in d.events.all()
                ],
            }
        )
    return out


def _one(request: HttpRequest, pk: int, response: HttpResponse | None = None) -> Any:
    d = _distribution(request, pk)
    if response is not None:
        response["ETag"] = etag(d.version)
    return _rows(request, [d])[0]


# -- distributions ------------------------------------------------------------------------------


@router.get("/distributions", response=list[DistributionOut])
@paginate(Pagination)
@resolved
def list_distributions(
    request: HttpRequest,
    institution: int | None = Query(None, ge=1, le=MAX_ID),
    year: int | None = Query(None, ge=1990, le=2100, description="Income received that year."),
    state: DistributionState | None = None,
) -> LazyPage:
    """The distributions the caller may see (staff: all; a partner: its own organizations';
    a viewer: none), latest income first."""
    qs = rules.distributions_visible_to(request.user).select_related("entry", "institution")
    if institution is not None:
        qs = qs.filter(institution_id=institution)
    if year is not None:
        qs = qs.filter(entry__received_on__year=year)
    if state is not None:
        qs = qs.filter(state=state)
    qs = qs.prefetch_related("lines", "events", "deductions").order_by("-entry__received_on")
    return LazyPage(stable_order(qs), lambda items: _rows(request, items))


@router.get("/distributions/{distribution_id}", response=DistributionOut)
def get_distribution(request: HttpRequest, distribution_id: int, response: HttpResponse) -> Any:
    """One distribution with its lines and history."""
    return _one(request, distribution_id, response)


@router.post("/distributions", response={201: DistributionOut})
def create_distribution(request: HttpRequest, payload: DistributionIn) -> Status[Any]:
    """Compute the reward split of a received income entry (a draft). The policy in force on
    the received day applies; without `expense_ids` the suggested costs are deducted."""
    qs = rules.entries_kept_by(request.user).select_related("institution", "achievement")
    entry = get_object_or_404(qs, pk=payload.entry_id)
    require_perm(request, PERM, entry)
    expenses = _expenses(request, payload.expense_ids)
    with refusals(_RENAMED):
        d = domain.create_distribution(
            actor=request_user(request),
            entry=entry,
            expenses=expenses,
            deducted_fen=payload.deducted_fen,
            deduction_note=payload.deduction_note,
            ip=audit.client_ip(request),
        )
    return Status(201, _one(request, d.pk))


def _expenses(request: HttpRequest, ids: list[int] | None) -> list[LedgerEntry] | None:
    if ids is None:
        return None
    found = list(rules.entries_kept_by(request.user).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise invalid({"expense_ids": ["No such entry, or not one you may name here."]})
    return found


@router.post("/distributions/{distribution_id}/recompute", response=DistributionOut)
def recompute(
    request: HttpRequest, distribution_id: int, payload: RecomputeIn, response: HttpResponse
) -> Any:
    """Compute a draft again (the entry, policy and shares as they are now)."""
    d = _distribution(request, distribution_id)
    expected = payload.version if payload.version is not None else expected_from(request, {})
    with refusals(_RENAMED):
        domain.recompute(
            actor=request_user(request),
            distribution=d,
            expenses=_expenses(request, payload.expense_ids),
            deducted_fen=payload.deducted_fen,
            deduction_note=payload.deduction_note,
            expected_version=expected,
            ip=audit.client_ip(request),
        )
    return _one(request, d.pk, response)


def _move(request: HttpRequest, pk: int, version: int | None, act: Callable[..., Any]) -> Any:
    d = _distribution(request, pk)
    expected = version if version is not None else expected_from(request, {})
    with refusals(_RENAMED):
        act(
            actor=request_user(request),
            distribution=d,
            expected_version=expected,
            ip=audit.client_ip(request),
        )
    return _one(request, pk)


@router.post("/distributions/{distribution_id}/approve", response=DistributionOut)
def approve(request: HttpRequest, distribution_id: int, payload: RewardApproveIn) -> Any:
    """A draft approved (the body or meeting, and its reference)."""

    def act(**kw: Any) -> Any:
        return domain.approve(
            **kw, body=payload.approval_body, reference=payload.approval_reference
        )

    return _move(request, distribution_id, payload.version, act)


@router.post("/distributions/{distribution_id}/notice", response=DistributionOut)
def start_notice(request: HttpRequest, distribution_id: int, payload: NoticeIn) -> Any:
    """An approved split published for public notice (公示)."""

    def act(**kw: Any) -> Any:
        return domain.start_notice(
            **kw,
            starts_on=payload.notice_starts_on,
            ends_on=payload.notice_ends_on,
            where=payload.notice_where,
        )

    return _move(request, distribution_id, payload.version, act)


@router.post("/distributions/{distribution_id}/objection", response=DistributionOut)
def record_objection(request: HttpRequest, distribution_id: int, payload: RewardObjectionIn) -> Any:
    """An objection during the notice: recorded; the split goes back to draft."""

    def act(**kw: Any) -> Any:
        return domain.record_objection(**kw, text=payload.objection)

    return _move(request, distribution_id, payload.version, act)


@router.post("/distributions/{distribution_id}/finalize", response=DistributionOut)
def finalize(request: HttpRequest, distribution_id: int, payload: FinalizeIn) -> Any:
    """Final, after the notice ended without objection."""
    return _move(request, distribution_id, payload.version, domain.finalize)


@router.post("/distributions/{distribution_id}/paid", response=DistributionOut)
def mark_paid(request: HttpRequest, distribution_id: int, payload: PaidIn) -> Any:
    """A final split paid."""

    def act(**kw: Any) -> Any:
        return domain.mark_paid(**kw, paid_on=payload.paid_on)

    return _move(request, distribution_id, payload.version, act)


# -- policies -----------------------------------------------------------------------------------


def _institution(request: HttpRequest, pk: int) -> Organization:
    found = get_object_or_404(rules.institutions_visible_to(request.user), pk=pk)
    require_perm(request, PERM, found)
    return found


def _policy(p: RewardPolicy) -> dict[str, Any]:
    names = ("team_bp", "main_bp", "institution_bp", "department_bp", "department_name")
    return {
        "id": p.pk,
        "effective_from": p.effective_from,
        **{n: getattr(p, n) for n in names},
        "notice_days": p.notice_days,
        "note": p.note,
    }


def _policies(org: Organization) -> dict[str, Any]:
    versions = list(policies.policies_of(org))
    in_force = policies.policy_in_force(org, timezone.localdate())
    return {
        "institution": {"id": org.pk, "name": org.display_name},
        "in_force": _policy(in_force) if in_force else None,
        "versions": [_policy(p) for p in versions],
        "version": len(versions),
    }


@router.get("/policies/{institution_id}", response=PoliciesOut)
def get_policy(request: HttpRequest, institution_id: int) -> Any:
    """An institution's reward policy: the version in force today and every version."""
    return _policies(_institution(request, institution_id))


@router.put("/policies/{institution_id}", response=PoliciesOut)
def put_policy(request: HttpRequest, institution_id: int, payload: PolicyIn) -> Any:
    """Add a version of the policy. Below the floor (team under 50 %, main contributors
    under 50 % of the team's part) or not adding up to 100 % is a 422 on the field."""
    org = _institution(request, institution_id)
    sent = payload.model_dump()
    expected = sent.pop("version")
    if expected is None:
        expected = expected_from(request, {})
    with refusals(_RENAMED):
        policies.add_policy(
            actor=request_user(request),
            institution=org,
            values=sent,
            expected_version=expected,
            ip=audit.client_ip(request),
        )
    return _policies(org)


# -- contributor shares -------------------------------------------------------------------------


def _achievement(request: HttpRequest, pk: int) -> Achievement:
    found = get_object_or_404(rules.achievements_kept_by(request.user), pk=pk)
    require_perm(request, PERM, found)
    return found


def _shares(achievement: Achievement) -> dict[str, Any]:
    team = policies.team_of(achievement)
    inventors = set(achievement.inventors.values_list("pk", flat=True))
    shares = policies.shares_of(achievement)
    return {
        "achievement_id": achievement.pk,
        "shares": [
            {
                "person_id": s.person_id,
                "name": str(s.person),
                "share_bp": s.share_bp,
                "is_main": s.is_main,
                "inventor": s.person_id in inventors,
            }
            for s in shares
        ],
        "candidates": [
            {
                "person_id": p.pk,
                "name": str(p),
                "share_bp": 0,
                "is_main": False,
                "inventor": p.pk in inventors,
            }
            for p in policies.candidates(achievement)[:200]
        ],
        "version": team.version if team is not None else 0,
    }


@router.get("/achievements/{achievement_id}/contributors", response=SharesOut)
def get_shares(request: HttpRequest, achievement_id: int) -> Any:
    """An achievement's contributors and their agreed shares, and who may be named."""
    return _shares(_achievement(request, achievement_id))


@router.put("/achievements/{achievement_id}/contributors", response=SharesOut)
def put_shares(request: HttpRequest, achievement_id: int, payload: SharesIn) -> Any:
    """Replace the contributor shares (adding up to 10000, at least one main contributor)."""
    achievement = _achievement(request, achievement_id)
    ids = [s.person_id for s in payload.shares]
    people = {p.pk: p for p in policies.candidates(achievement).filter(pk__in=ids)}
    if set(ids) - set(people):
        raise invalid({"shares": ["Only inventors or people of the institution may be named."]})
    rows = [policies.ShareRow(people[s.person_id], s.share_bp, s.is_main) for s in payload.shares]
    expected = payload.version if payload.version is not None else expected_from(request, {})
    with refusals(_RENAMED):
        policies.save_shares(
            actor=request_user(request),
            achievement=achievement,
            rows=rows,
            expected_version=expected,
            ip=audit.client_ip(request),
        )
    return _shares(achievement)
