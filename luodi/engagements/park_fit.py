"""Which parks a "precise inspection" should visit: the matchmaking park tab's ranking.

There is one park-fit scorer, matchmaking's: `luodi.matchmaking.queries.matches(user, source,
"park")` — text relevance from the match index plus `scoring.pair_reasons` (shared fields,
carrier fit, what was learned from feedback) — over the parks the matchmaking rules let the
acting user see. "Add best-fitting parks" on a visit and "Find matches → Parks" on its
achievement therefore rank the same parks in the same order. What stays here is only what a
visit needs: which source a visit stands for, which ranked parks become stops, and the fit
summary printed in the briefing pack.

A visit for a company without an achievement has no park tab in matchmaking; the company is
then scored as the thing that lands (its fields and description, no stated space need)
through the same `matches` call.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Organization
from luodi.engagements.models import Visit
from luodi.matchmaking import queries
from luodi.matchmaking.adapters import ItemProfile
from luodi.matchmaking.models import MatchStatus, SourceKind, TargetKind
from luodi.matchmaking.scoring import Scored

# The source kind of a visiting company scored as a landing item. Not a SourceKind: no match
# record is ever kept for it, so the park tab's records and learning find none.
VISITING_COMPANY = "visiting_company"


class NoSource(ValueError):
    """The visit has no achievement or company that the acting user may see."""


@dataclass(frozen=True)
class ParkFit:
    park: Organization  # with its park profile loaded
    scored: Scored  # the park tab's row: score, relevance and reasons

    def summary(self) -> str:
        """Lines for the itinerary and the briefing pack, in the active language: the park
        tab's score and reasons, then the park's incentives (facts, not scored)."""
        s = self.scored
        lines = [_("match score %(score)s") % {"score": f"{s.score:.2f}"}]
        if s.relevance:
            lines.append("+ " + _("Text relevance %(r)s") % {"r": f"{s.relevance:.2f}"})
        for r in s.reasons:
            mark = "+" if r.ok else ("−" if r.ok is False else "·")
            lines.append(f"{mark} {r.text}" + (f" ({r.delta:+.2f})" if r.delta else ""))
        profile = getattr(self.park, "park", None)
        if profile is not None and profile.rent_subsidy_pct:
            text = (
                _("rent subsidy %(pct)s%% for %(years)s years")
                if profile.subsidy_years
                else _("rent subsidy %(pct)s%%")
            )
            lines.append(
                "· " + text % {"pct": profile.rent_subsidy_pct, "years": profile.subsidy_years}
            )
        if profile is not None and profile.max_grant_wan:
            grant = _("grants up to %(wan)s × 10k CNY") % {"wan": profile.max_grant_wan}
            lines.append("· " + grant)
        return "\n".join(lines)


def company_source(user: AnyUser, company_id: int) -> queries.Source:
    """A visiting company as the item the park tab scores (DoesNotExist when the user may
    not see it)."""
    org = queries.load_source(user, SourceKind.ORGANIZATION, company_id)
    assert org.org is not None
    profile = org.org
    item = ItemProfile(
        pk=profile.pk,
        kind=VISITING_COMPANY,
        title=profile.name,
        summary="",
        # An operating company is past any research stage: "declined as too early" rules
        # learned from achievements must not apply to it.
        maturity=1.0,
        areas=set(profile.areas),
        tech=set(profile.tech),
        owner_id=profile.pk,
        query=profile.query,
    )
    return queries.Source(VISITING_COMPANY, org.obj, (TargetKind.PARK,), item=item)


def visit_source(user: AnyUser, visit: Visit) -> queries.Source | None:
    """What the visit's parks are matched against, as `user` may see it: the achievement
    (the same source as its "Find matches" page), else the visiting company; None when
    neither is set or visible."""
    if visit.achievement_id is not None:
        try:
            return queries.load_source(user, SourceKind.ACHIEVEMENT, visit.achievement_id)
        except ObjectDoesNotExist:
            pass
    if visit.company_id is not None:
        try:
            return company_source(user, visit.company_id)
        except ObjectDoesNotExist:
            pass
    return None


def ranked_parks(user: AnyUser, source: queries.Source, k: int) -> list[ParkFit]:
    """The park tab's first `k` rows for `source`, in its order, with their parks."""
    rows = queries.matches(user, source, TargetKind.PARK, k=k).items
    parks = Organization.objects.select_related("park").in_bulk([s.pk for s in rows])
    return [ParkFit(parks[s.pk], s) for s in rows if s.pk in parks]


def worth_visiting(fit: ParkFit) -> bool:
    """A park that cannot host as is (a hard constraint failed) or that declined this
    match is shown on the park tab with its reason, but not worth a stop."""
    return not fit.scored.blocked and fit.scored.status != MatchStatus.DECLINED


def pick_stops(
    user: AnyUser, source: queries.Source, on_route: Collection[int], limit: int
) -> list[ParkFit]:
    """The best `limit` parks worth visiting that are not on the route yet, in park-tab
    order. Blocked and declined parks sort last on the tab, so its first `limit` +
    len(on_route) rows hold every park that can be picked."""
    fits = ranked_parks(user, source, k=limit + len(on_route))
    return [f for f in fits if worth_visiting(f) and f.park.pk not in on_route][:limit]
