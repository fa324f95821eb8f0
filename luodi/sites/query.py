"""A study to place, as the product knows it, in the ranker's own `Trial` form.

`luodi eval sites` ranks CT.gov trials with `SiteRanker.rank(trial)`; the product ranks the
studies it knows (a catalog trial, a trial planned for an achievement) through that same
call, built here, so that what is measured is what the product runs: the sponsor, the
conditions, the phase, the interventions and the planned countries all reach the ranker
(the sponsor signals carry its heaviest weights; a query without them is another ranker).
"""

from __future__ import annotations

from collections.abc import Iterable

from .ctgov_csv import Trial

__all__ = ["PHASES", "catalog_parts", "study"]

# The ranker's phase vocabulary (CT.gov's), from the catalog's stage codes: an achievement at
# a stage plans that phase's trial (an IND filed plans its first, phase I).
PHASES: dict[str, str] = {
    "ind_filed": "PHASE1",
    "phase1": "PHASE1",
    "phase2": "PHASE2",
    "phase3": "PHASE3",
    "marketed": "PHASE4",
}


def catalog_parts(text: str) -> tuple[str, ...]:
    """A catalog multi-value text as parts: the ctgov importer joins conditions and
    interventions with "; " and phases with "|"."""
    return tuple(p.strip() for p in text.replace("|", ";").split(";") if p.strip())


def _parts(value: str | Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return catalog_parts(value)
    return tuple(p.strip() for p in value if p and p.strip())


def study(
    ref: str,
    *,
    title: str,
    summary: str = "",
    conditions: str | Iterable[str] = (),
    interventions: str | Iterable[str] = (),
    phases: str | Iterable[str] = (),
    sponsor: str = "",
    collaborators: Iterable[str] = (),
    countries: Iterable[str] = (),
) -> Trial:
    """The ranker's query for a study; never with locations (the answer it is asked for)."""
    return Trial(
        nct_id=ref,
        title=title,
        summary=summary,
        conditions=_parts(conditions),
        interventions=_parts(interventions),
        phases=_parts(phases),
        sponsor=sponsor,
        collaborators=_parts(collaborators),
        countries=_parts(countries),
    )
