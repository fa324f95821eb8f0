"""How well a park fits a company or an achievement, for drafting a "precise inspection".

A stand-in for the matching engine: `score_park` is a pure function over plain facts read
from catalog rows (`ParkFacts`, `Need`), so that the matchmaking app can later replace it
(same inputs, a ranked and explained list out) without touching the visit planner.

The score (0..1) is explainable by construction, three weighted parts:
- focus (0.5): share of the need's therapeutic areas / technology fields that the park names
  in its industry focus (or focus areas);
- carriers (0.35): share of the needed carrier types for which the park has a free carrier
  with at least `space_needed_m2` available (any free area when no size is given); when
  nothing specific is needed, any free carrier counts;
- incentives (0.15): structured incentives — rent subsidy %, subsidy years, maximum grant.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from luodi.web.text import join_items

if TYPE_CHECKING:
    from luodi.catalog.models import Achievement, Organization

WEIGHTS = {"focus": 0.5, "carriers": 0.35, "incentives": 0.15}
GRANT_CAP_WAN = 5000  # a maximum grant at or above this counts fully


@dataclass(frozen=True)
class CarrierFacts:
    name: str
    carrier_type: str
    type_label: str
    available_m2: int


@dataclass(frozen=True)
class ParkFacts:
    org_id: int
    name: str
    latitude: float | None
    longitude: float | None
    focus: dict[int, str]  # term id → label
    carriers: tuple[CarrierFacts, ...] = ()
    rent_subsidy_pct: int | None = None
    subsidy_years: int | None = None
    max_grant_wan: int | None = None


@dataclass(frozen=True)
class Need:
    terms: dict[int, str]  # term id → label
    carrier_types: tuple[str, ...] = ()
    space_m2: int | None = None
    type_labels: dict[str, str] = field(default_factory=dict)


@dataclass
class Fit:
    park: ParkFacts
    score: float
    parts: dict[str, float]
    matched_terms: list[str] = field(default_factory=list)
    carriers: list[CarrierFacts] = field(default_factory=list)
    missing_types: list[str] = field(default_factory=list)
    incentives: list[str] = field(default_factory=list)  # "rent_subsidy", "grant"

    def summary(self) -> str:
        """A few lines for the briefing pack, in the active language: score, matched focus,
        fitting carriers, missing carrier types, incentives."""
        from django.utils.translation import gettext as _

        p = self.park
        lines = [_("fit %(score)s/100") % {"score": round(self.score * 100)}]
        if self.matched_terms:
            lines.append(
                "+ " + _("industry focus: %(terms)s") % {"terms": join_items(self.matched_terms)}
            )
        for c in self.carriers:
            lines.append(f"+ {c.name} · {c.type_label} · {c.available_m2} m²")
        if self.missing_types:
            lines.append(
                "− " + _("no free carrier: %(types)s") % {"types": join_items(self.missing_types)}
            )
        if p.rent_subsidy_pct:
            lines.append(
                "+ "
                + (
                    _("rent subsidy %(pct)s%% for %(years)s years")
                    if p.subsidy_years
                    else _("rent subsidy %(pct)s%%")
                )
                % {"pct": p.rent_subsidy_pct, "years": p.subsidy_years}
            )
        if p.max_grant_wan:
            lines.append("+ " + _("grants up to %(wan)s × 10k CNY") % {"wan": p.max_grant_wan})
        return "\n".join(lines)


def score_park(need: Need, park: ParkFacts) -> Fit:
    matched = [label for tid, label in need.terms.items() if tid in park.focus]
    focus = len(matched) / len(need.terms) if need.terms else 0.0

    free = [c for c in park.carriers if c.available_m2 > 0]
    fitting: list[CarrierFacts] = []
    missing: list[str] = []
    if need.carrier_types:
        for ctype in need.carrier_types:
            ok = [
                c
                for c in free
                if c.carrier_type == ctype and c.available_m2 >= (need.space_m2 or 1)
            ]
            if ok:
                fitting.append(max(ok, key=lambda c: c.available_m2))
            else:
                missing.append(need.type_labels.get(ctype, ctype))
        carriers = len(fitting) / len(need.carrier_types)
    else:
        ok = [c for c in free if c.available_m2 >= (need.space_m2 or 1)]
        fitting = sorted(ok, key=lambda c: -c.available_m2)[:2]
        carriers = 1.0 if ok else 0.0

    incentives: list[str] = []
    parts = 0.0
    if park.rent_subsidy_pct:
        incentives.append("rent_subsidy")
        parts += 0.5 * min(park.rent_subsidy_pct, 100) / 100
    if park.max_grant_wan:
        incentives.append("grant")
        parts += 0.5 * min(park.max_grant_wan, GRANT_CAP_WAN) / GRANT_CAP_WAN
    scores = {
        "focus": round(focus, 3),
        "carriers": round(carriers, 3),
        "incentives": round(parts, 3),
    }
    total = sum(WEIGHTS[k] * v for k, v in scores.items())
    return Fit(
        park=park,
        score=round(total, 3),
        parts=scores,
        matched_terms=matched,
        carriers=fitting,
        missing_types=missing,
        incentives=incentives,
    )


def rank_parks(need: Need, parks: Iterable[ParkFacts], limit: int = 3) -> list[Fit]:
    fits = [score_park(need, p) for p in parks]
    fits.sort(key=lambda f: (-f.score, f.park.name))
    return fits[:limit]


# -- adapters: catalog rows → facts (the only ORM-aware part) --------------------------------


def need_for(
    *, achievement: Achievement | None = None, company: Organization | None = None
) -> Need:
    terms: dict[int, str] = {}
    types: list[str] = []
    space = None
    if achievement is not None:
        for t in [*achievement.therapeutic_areas.all(), *achievement.technology_fields.all()]:
            terms[t.pk] = str(t)
        types = [str(t) for t in achievement.carrier_needs or []]
        space = achievement.space_needed_m2
    if company is not None:
        for t in company.focus_areas.all():
            terms[t.pk] = str(t)
        profile = getattr(company, "company", None)
        if profile is not None:
            for t in profile.sectors.all():
                terms[t.pk] = str(t)
    from luodi.catalog.choices import CarrierType

    labels = {str(value): str(label) for value, label in CarrierType.choices}
    return Need(terms=terms, carrier_types=tuple(types), space_m2=space, type_labels=labels)


def park_facts(parks: Iterable[Organization]) -> list[ParkFacts]:
    """Expects parks prefetched with park__industry_focus, focus_areas and carriers."""
    out = []
    for org in parks:
        profile = getattr(org, "park", None)
        focus = {t.pk: str(t) for t in org.focus_areas.all()}
        if profile is not None:
            focus.update({t.pk: str(t) for t in profile.industry_focus.all()})
        carriers = tuple(
            CarrierFacts(
                c.name, c.carrier_type, str(c.get_carrier_type_display()), c.area_available_m2
            )
            for c in org.carriers.all()
            if c.archived_at is None
        )
        out.append(
            ParkFacts(
                org_id=org.pk,
                name=org.display_name,
                latitude=org.latitude,
                longitude=org.longitude,
                focus=focus,
                carriers=carriers,
                rent_subsidy_pct=profile.rent_subsidy_pct if profile else None,
                subsidy_years=profile.subsidy_years if profile else None,
                max_grant_wan=profile.max_grant_wan if profile else None,
            )
        )
    return out
