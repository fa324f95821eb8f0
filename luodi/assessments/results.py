"""Reads shared by the pages, the API, the achievement page and matchmaking.

`latest_results(achievement_ids)` is what matchmaking asks: per achievement the result of its
latest summarised round (readiness, overall score 0–1, suggested partner kinds), in one
query. It does not know the user: callers show a result only where `rules.may_see_result`
allows (the achievement's dossier policy).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from luodi.assessments.aggregate import Aggregate, aggregate
from luodi.assessments.choices import READINESS_LABELS, Status
from luodi.assessments.models import Assessment, Invitation, Score


@dataclass(frozen=True)
class AssessedFilter:
    """Matchmaking's achievement lists: keep only achievements with an expert assessment the
    user may see, of at least `min_readiness` (TRL) when given."""

    min_readiness: int | None = None


@dataclass(frozen=True)
class Result:
    assessment_id: int
    achievement_id: int
    round: int
    readiness: int | None  # TRL 1–9
    overall: float  # 0–1, the weighted score kept when summarised
    suggested_kinds: tuple[str, ...]
    summarised_at: datetime | None

    @property
    def readiness_label(self) -> str:
        return str(READINESS_LABELS.get(self.readiness or 0, ""))


def latest_results(achievement_ids: Iterable[int]) -> dict[int, Result]:
    """achievement id → the result of its latest summarised round (absent: never assessed)."""
    ids = set(achievement_ids)
    if not ids:
        return {}
    rows = (
        Assessment.objects.filter(achievement_id__in=ids, status=Status.SUMMARISED)
        .order_by("achievement_id", "-round")
        .values_list(
            "pk",
            "achievement_id",
            "round",
            "readiness",
            "overall_permille",
            "suggested_kinds",
            "summarised_at",
        )
    )
    out: dict[int, Result] = {}
    for pk, aid, rnd, readiness, permille, kinds, at in rows:
        if aid in out:
            continue  # an earlier round
        out[aid] = Result(pk, aid, rnd, readiness, (permille or 0) / 1000, tuple(kinds or ()), at)
    return out


def counted_invitations(assessment: Assessment) -> list[Invitation]:
    """The reviewers whose scores count: not withdrawn, no conflict, scores submitted."""
    return list(
        assessment.invitations.filter(
            revoked_at__isnull=True,
            has_conflict=False,
            declared_at__isnull=False,
            submitted_at__isnull=False,
        )
        .select_related("user")
        .prefetch_related("scores")
    )


def scores_by_reviewer(invitations: Iterable[Invitation]) -> dict[int, dict[str, int]]:
    return {inv.pk: {s.criterion: s.value for s in inv.scores.all()} for inv in invitations}


def aggregate_for(assessment: Assessment) -> Aggregate:
    return aggregate(assessment.criteria, scores_by_reviewer(counted_invitations(assessment)))


def own_scores(invitation: Invitation) -> dict[str, Score]:
    return {s.criterion: s for s in invitation.scores.all()}


def assessed_ids(min_readiness: int | None = None) -> set[int]:
    """Achievements whose latest summarised result exists (and states at least
    `min_readiness`): matchmaking's "assessed only / minimum readiness" filter. Callers still
    drop those whose result the user may not see (rules.may_see_result)."""
    rows = (
        Assessment.objects.filter(status=Status.SUMMARISED)
        .order_by("achievement_id", "-round")
        .values_list("achievement_id", "readiness")
    )
    latest: dict[int, int | None] = {}
    for aid, readiness in rows:
        latest.setdefault(aid, readiness)
    return {
        aid
        for aid, readiness in latest.items()
        if min_readiness is None or (readiness or 0) >= min_readiness
    }
