"""Teams and achievements that could answer a challenge, ranked and explained, through
matchmaking's engine — the need → teams/achievements direction of its open calls.

The challenge is profiled like a clinical need (adapters.ItemProfile of kind "need": its
title, problem and eligibility as the query; the specialty of the clinical need it came
from), so the same pieces score it: text relevance from `MatchEngine.text_scores` (or
`top` beyond `queries.SCORE_ALL` candidates), `scoring.need_fit` for a team's specialty,
`queries.display_terms` for the words that matched. A challenge made from a clinical need
uses that need's stored passage vector (hybrid retrieval); otherwise matching is lexical
and says so.

Candidates are the matchmaking candidate querysets for the user asking (the challenge's
manager): a record they may not see never appears nor displaces another. The poster, and
its own achievements, are left out; organizations invited already are marked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Achievement, Organization
from luodi.challenges.models import Challenge
from luodi.matchmaking import adapters, queries, scoring
from luodi.matchmaking.adapters import ItemProfile, Terms
from luodi.matchmaking.engine import MatchEngine, TextResult, get_engine
from luodi.matchmaking.models import TargetKind
from luodi.matchmaking.scoring import Reason, Scored

TOP = 10


@dataclass
class Match:
    """One candidate: the organization to invite (a team, or an achievement's owner)."""

    kind: str  # "team" | "achievement"
    pk: int
    label: str
    organization_id: int
    organization: str
    score: float
    reasons: list[Reason] = field(default_factory=list)
    matched: dict[str, list[str]] = field(default_factory=dict)
    invited: bool = False

    @property
    def explanation(self) -> str:
        """The reasons in one line, as an invitation keeps them."""
        parts = [r.text for r in self.reasons]
        terms = [t for words in self.matched.values() for t in words][:6]
        if terms:
            parts.append(_("Matched words: %(w)s") % {"w": ", ".join(terms)})
        return "; ".join(parts)


@dataclass
class Matches:
    teams: list[Match]
    achievements: list[Match]
    method: str
    note: str = ""


def profile(challenge: Challenge, terms: Terms) -> ItemProfile:
    """The challenge as the thing being matched (a need's profile)."""
    need = challenge.need
    base = adapters.need_profile(need, terms) if need is not None else None
    text = " ".join(
        [
            challenge.title_zh,
            challenge.title_en,
            challenge.problem_zh[:300],
            challenge.problem_en[:300],
            challenge.eligibility[:200],
            base.query if base else "",
        ]
    )
    return ItemProfile(
        pk=challenge.pk,
        kind="need",
        title=challenge.title,
        summary=challenge.problem[:300],
        specialties=base.specialties if base else set(),
        owner_id=challenge.poster_id,
        query=" ".join(text.split())[:1200],
    )


def _texts(
    engine: MatchEngine, kind: str, rows: list[int], query: str, qvec: object, user: AnyUser
) -> TextResult:
    if len(rows) <= queries.SCORE_ALL:
        return engine.text_scores(kind, query, rows, qvec)  # type: ignore[arg-type]
    return engine.top(kind, query, queries.TOP_K, qvec, queries.index_filters(user))  # type: ignore[arg-type]


def _score(relevance: float, reasons: list[Reason]) -> float:
    return Scored("", 0, "", relevance=relevance, reasons=reasons).finish().score


def find(
    user: AnyUser, challenge: Challenge, k: int = TOP, engine: MatchEngine | None = None
) -> Matches:
    """The best `k` teams and `k` achievements for the challenge, as `user` may see them."""
    ctx = queries.Context.make(user, engine or get_engine())
    item = profile(challenge, ctx.terms)
    qvec = ctx.engine.stored_vector("need", challenge.need_id) if challenge.need_id else None
    invited = set(challenge.invitations.values_list("organization_id", flat=True))

    orgs: list[Organization] = [
        o
        for o in queries.candidate_orgs(user, TargetKind.TEAM)
        .exclude(pk=challenge.poster_id or 0)
        .order_by("pk")
    ]
    text = _texts(ctx.engine, "organization", [o.pk for o in orgs], item.query, qvec, user)
    teams = []
    for o in orgs:
        tm = text.matches.get(o.pk)
        reasons = scoring.need_fit(item, ctx.profile(o))
        relevance = tm.relevance if tm else 0.0
        teams.append(
            Match(
                "team",
                o.pk,
                o.display_name,
                o.pk,
                o.display_name,
                _score(relevance, reasons),
                reasons,
                invited=o.pk in invited,
            )
        )
    teams = _top(teams, k)
    found_terms = ctx.engine.matched_terms("organization", item.query, [m.pk for m in teams])
    for m in teams:
        m.matched = queries.display_terms(found_terms.get(m.pk, {}))

    achievements: list[Achievement] = adapters.with_term_ids(
        queries.candidate_achievements(user)
        .filter(owner__isnull=False)
        .exclude(owner_id=challenge.poster_id or 0)
        .order_by("pk")
    )
    a_text = _texts(ctx.engine, "achievement", [a.pk for a in achievements], item.query, qvec, user)
    found = []
    for a in achievements:
        tm = a_text.matches.get(a.pk)
        prof = adapters.achievement_profile_for(user, a, ctx.terms)
        reasons = []
        if scoring.needed_specialties(prof) & item.specialties:
            reasons.append(Reason("specialty", _("Addresses the need's specialty"), True, 0.15))
        owner = a.owner
        found.append(
            Match(
                "achievement",
                a.pk,
                a.title,
                a.owner_id or 0,
                owner.display_name if owner else "",
                _score(tm.relevance if tm else 0.0, reasons),
                reasons,
                invited=a.owner_id in invited,
            )
        )
    found = _top(found, k)
    a_terms = ctx.engine.matched_terms("achievement", item.query, [m.pk for m in found])
    for m in found:
        m.matched = queries.display_terms(a_terms.get(m.pk, {}))
    return Matches(teams, found, a_text.method, a_text.note or text.note)


def _top(items: list[Match], k: int) -> list[Match]:
    items.sort(key=lambda m: (-m.score, m.pk))
    return items[:k]
