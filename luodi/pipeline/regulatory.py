"""NMPA regulatory path awareness: where a drug or device project stands on its path and
what typically comes next. Pure knowledge, no database access."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from luodi.catalog.choices import DEVICE_STAGES, DRUG_STAGES, AchievementKind, Stage


@dataclass(frozen=True)
class PathStep:
    key: str
    label: str | Promise
    next_key: str
    next_hint: str | Promise


DRUG_NEXT: dict[str, str | Promise] = {
    Stage.DISCOVERY: _(
        "Lead optimisation and candidate nomination; then GLP preclinical "
        "pharmacology, toxicology and CMC studies."
    ),
    Stage.PRECLINICAL: _(
        "Pre-IND meeting with CDE, then the IND application; it is deemed "
        "approved if CDE raises no objection within 60 working days."
    ),
    Stage.IND_FILED: _(
        "Ethics approval and site start-up at NMPA-filed clinical trial "
        "institutions; first-in-human phase I needs a phase I unit."
    ),
    Stage.PHASE1: _(
        "Safety and dose finding; end-of-phase I communication with CDE, then "
        "phase II at filed institutions for the indication's specialty."
    ),
    Stage.PHASE2: _(
        "Proof of efficacy; end-of-phase II meeting with CDE on the pivotal "
        "design (conditional approval may be possible for unmet needs)."
    ),
    Stage.PHASE3: _(
        "Pivotal trial; prepare the NDA dossier, GMP compliance inspection and "
        "registration testing."
    ),
    Stage.NDA: _(
        "CDE technical review, on-site inspection and GMP check; approval by NMPA "
        "(priority review shortens this)."
    ),
    Stage.MARKETED: _(
        "Post-marketing obligations of the marketing authorisation holder, "
        "pharmacovigilance, NRDL negotiation and hospital listing."
    ),
}
DEVICE_NEXT: dict[str, str | Promise] = {
    Stage.CONCEPT: _(
        "Design input and risk analysis; decide the classification (class I, "
        "II or III) from the NMPA catalogue."
    ),
    Stage.PROTOTYPE: _(
        "Design freeze and product technical requirements; registration type "
        "testing at an accredited testing institute."
    ),
    Stage.TYPE_TESTING: _(
        "Clinical evaluation: exemption list, equivalence route, or a "
        "clinical trial at an NMPA-filed device trial institution."
    ),
    Stage.DEVICE_TRIAL: _(
        "Registration dossier: class II to the Sichuan Medical Products "
        "Administration, class III to NMPA (CMDE review)."
    ),
    Stage.REGISTRATION: _(
        "Quality-system inspection and the production licence; then "
        "market launch and hospital procurement listing."
    ),
    Stage.DEVICE_MARKETED: _(
        "Post-market surveillance, adverse-event reporting and "
        "registration renewal every five years."
    ),
}


def path_for(kind: str) -> list[str]:
    """The NMPA path for an achievement type; empty when none applies."""
    if kind == AchievementKind.DRUG:
        return [str(s) for s in DRUG_STAGES]
    if kind in (AchievementKind.DEVICE, AchievementKind.DIAGNOSTIC):
        # In-vitro diagnostics follow the device registration path in China.
        return [str(s) for s in DEVICE_STAGES]
    return []


def step_info(kind: str, step: str) -> PathStep | None:
    path = path_for(kind)
    if step not in path:
        return None
    hints = DRUG_NEXT if kind == AchievementKind.DRUG else DEVICE_NEXT
    i = path.index(step)
    next_key = path[i + 1] if i + 1 < len(path) else ""
    return PathStep(step, Stage(step).label, next_key, hints.get(step, ""))


def reached(kind: str, step: str, milestone: str) -> bool:
    """True when `step` is at or beyond `milestone` on the path of `kind`."""
    path = path_for(kind)
    if step not in path or milestone not in path:
        return False
    return path.index(step) >= path.index(milestone)


def step_choices() -> list[tuple[str, str | Promise]]:
    return [("", "—")] + [(str(s), Stage(s).label) for s in [*DRUG_STAGES, *DEVICE_STAGES]]
