"""Hard constraints and soft features of one (item, organization) pair, each returned as a
`Reason` with its contribution, so every score can be explained line by line.

Pure functions over the plain profiles of `adapters.py` (no queries). The final score is
`TEXT_WEIGHT × text relevance + Σ reason deltas`; a failed hard constraint marks the candidate
`blocked` (shown with the reason and ranked after those that pass, never hidden).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from luodi.assessments.results import Result
from luodi.catalog.choices import AchievementKind, CarrierType, OrganizationKind, Stage, maturity
from luodi.catalog.taxonomy import specialty_label
from luodi.matchmaking.adapters import CarrierInfo, ItemProfile, OrgProfile
from luodi.text import join_items

TEXT_WEIGHT = 0.5
# Expert assessment (luodi.assessments): an assessed achievement moves by
# ASSESSMENT_WEIGHT × (overall − 0.5), i.e. at most ±0.05 (overall is 0–1), and by
# ASSESSMENT_KIND_WEIGHT more where the assessment suggests partners of the candidate's kind.
# An unassessed achievement gets no reason and keeps its score exactly (no penalty).
ASSESSMENT_WEIGHT = 0.1
ASSESSMENT_KIND_WEIGHT = 0.05
LANDING_HORIZON = timedelta(days=365)  # a carrier ready later than this cannot host now

# Therapeutic-area roots (ICD-10 chapters, MeSH categories) → trial specialties that run them.
# A MeSH heading lists at least its ICD-10 chapter's specialties: records carry the heading
# alone since ICD-10 codes became cross-references (catalog/icd10_terms.py), and a test
# checks none is lost.
AREA_SPECIALTIES: dict[str, tuple[str, ...]] = {
    "I": ("infectious", "tuberculosis"),
    "D007239": ("infectious", "tuberculosis"),
    "II": ("oncology", "hematology", "thoracic_surgery"),
    "D009369": ("oncology", "hematology", "thoracic_surgery"),
    "III": ("hematology", "rheumatology"),
    "D006425": ("hematology", "rheumatology"),
    "D007154": ("rheumatology", "allergy"),
    "IV": ("endocrinology",),
    "D004700": ("endocrinology",),
    "D009750": ("endocrinology",),
    "V": ("psychiatry",),
    "D001523": ("psychiatry",),
    "VI": ("neurology", "neurosurgery"),
    "D009422": ("neurology", "neurosurgery"),
    "VII": ("ophthalmology",),
    "D005128": ("ophthalmology",),
    "VIII": ("ent",),
    "D010038": ("ent",),
    "IX": ("cardiology", "cardiac_surgery"),
    "D002318": ("cardiology", "cardiac_surgery"),
    "X": ("respiratory",),
    "D012140": ("respiratory",),
    "XI": ("gastroenterology", "general_surgery"),
    "D004066": ("gastroenterology", "general_surgery"),
    "XII": ("dermatology",),
    "D017437": ("dermatology", "rheumatology"),
    "XIII": ("orthopedics", "rheumatology"),
    "D009140": ("orthopedics", "rheumatology"),
    "XIV": ("nephrology", "urology"),
    "D000091642": ("nephrology", "urology"),
    "XV": ("obgyn",),
    "D005261": ("obgyn", "reproductive"),
    "XVI": ("pediatrics",),
    "XVII": ("pediatrics", "pediatric_surgery"),
    "D009358": ("pediatrics", "pediatric_surgery"),
    "XIX": ("emergency", "orthopedics", "burns"),
    "D014947": ("emergency", "burns", "orthopedics"),
    "D003813": ("stomatology",),
    "D009057": ("stomatology",),
    "D000760": ("anesthesiology", "pain"),
}
# A carrier type that can stand in for a needed one.
SUBSTITUTES: dict[str, tuple[str, ...]] = {
    CarrierType.WET_LAB: (CarrierType.P2_LAB, CarrierType.P3_LAB),
    CarrierType.P2_LAB: (CarrierType.P3_LAB,),
    CarrierType.INCUBATOR: (CarrierType.OFFICE, CarrierType.WET_LAB),
    CarrierType.OFFICE: (CarrierType.INCUBATOR,),
}
CLINICAL_STAGES = {
    Stage.IND_FILED,
    Stage.PHASE1,
    Stage.PHASE2,
    Stage.PHASE3,
    Stage.NDA,
    Stage.DEVICE_TRIAL,
    Stage.TYPE_TESTING,
}


@dataclass
class Reason:
    code: str
    text: str
    ok: bool | None  # True: met, False: missed, None: information
    delta: float = 0.0
    hard: bool = False  # a failed hard constraint


@dataclass
class Scored:
    target_kind: str
    pk: int
    label: str
    score: float = 0.0
    relevance: float = 0.0
    similarity: float | None = None
    similarity_rank: int | None = None  # 1 = closest in meaning among the scored candidates
    similarity_of: int = 0
    matched: dict[str, list[str]] = field(default_factory=dict)
    reasons: list[Reason] = field(default_factory=list)
    blocked: bool = False
    role: str = ""  # e.g. "lead site" for the first clinical center
    status: str = ""  # of an existing match record
    record_id: int | None = None
    demo: bool = False  # the candidate's `is_demo` flag: a badge, never part of the score

    def finish(self) -> Scored:
        self.blocked = any(r.hard and r.ok is False for r in self.reasons)
        self.score = round(TEXT_WEIGHT * self.relevance + sum(r.delta for r in self.reasons), 4)
        return self


def _labels(codes: set[str], labels: Mapping[str, str], n: int = 4) -> str:
    return join_items(sorted(labels.get(c, c) for c in codes)[:n])


def field_fit(item: ItemProfile, org: OrgProfile, labels: Mapping[str, str]) -> list[Reason]:
    shared = (item.areas & org.areas) | (item.tech & org.tech)
    if shared:
        delta = min(0.25, 0.08 * len(shared))
        return [
            Reason(
                "fields", _("Shared fields: %(f)s") % {"f": _labels(shared, labels)}, True, delta
            )
        ]
    if org.areas or org.tech:
        return [Reason("fields", _("No shared therapeutic area or technology field"), False, -0.05)]
    return []


def company_fit(item: ItemProfile, org: OrgProfile, labels: Mapping[str, str]) -> list[Reason]:
    out = field_fit(item, org, labels)
    wants_partner = {"licensee", "codevelopment"} & set(item.needs) or {
        "license",
        "assignment",
        "codevelopment",
    } & set(item.transfer_modes)
    if "licensing" in org.needs and wants_partner:
        out.append(
            Reason(
                "licensing",
                _("Looks for licensing-in; the owner offers a license or co-development"),
                True,
                0.12,
            )
        )
    if org.stage_focus:
        out.append(_stage_reason(item, org.stage_focus))
    return out


def _stage_reason(item: ItemProfile, focus: list[str]) -> Reason:
    if item.stage in focus:
        return Reason(
            "stage", _("Stage %(s)s is in its focus") % {"s": _stage(item.stage)}, True, 0.2
        )
    if not focus or not item.stage:
        return Reason("stage", _("No stage focus given"), None)
    lo = min(maturity(s) for s in focus)
    hi = max(maturity(s) for s in focus)
    if lo - 0.15 <= item.maturity <= hi + 0.15:
        return Reason(
            "stage", _("Stage %(s)s is next to its focus") % {"s": _stage(item.stage)}, True, 0.08
        )
    word = _("too early") if item.maturity < lo else _("too late")
    return Reason(
        "stage",
        _("Stage %(s)s is %(w)s for its focus") % {"s": _stage(item.stage), "w": word},
        False,
        -0.2,
    )


def _stage(code: str) -> str:
    return str(Stage(code).label) if code in Stage.values else code


def expected_round_wan(item: ItemProfile) -> tuple[int, int]:
    """A typical next round (10k CNY) for the item's maturity: seed, A/B, or late."""
    if item.maturity < 0.2:
        return 50, 500
    if item.maturity < 0.5:
        return 500, 3000
    return 2000, 20000


def investor_fit(item: ItemProfile, org: OrgProfile, labels: Mapping[str, str]) -> list[Reason]:
    out = field_fit(item, org, labels)
    out.append(_stage_reason(item, org.stage_focus))
    if org.ticket_max:
        out.append(ticket_reason(item, org.ticket_min or 0, org.ticket_max))
    return out


def ticket_reason(item: ItemProfile, tmin: int, tmax: int) -> Reason:
    """Does the investor's ticket (10k CNY) fit? Against the amount the owner seeks when
    given, otherwise against a typical round at the item's stage; the text says which. A
    stated amount is a fact rather than a guess, so it weighs a little more."""
    span = {"a": tmin, "b": tmax}
    if item.amount_sought:
        amount = item.amount_sought
        if tmin <= amount <= tmax:
            text = _("Ticket %(a)s–%(b)s (10k CNY) fits the %(c)s sought")
            return Reason("ticket", text % {**span, "c": amount}, True, 0.15)
        text = _("Ticket %(a)s–%(b)s (10k CNY) misses the %(c)s sought")
        return Reason("ticket", text % {**span, "c": amount}, False, -0.15)
    lo, hi = expected_round_wan(item)
    if tmin <= hi and lo <= tmax:
        text = _("Ticket %(a)s–%(b)s (10k CNY) fits a typical round of %(c)s–%(d)s at this stage")
        return Reason("ticket", text % {**span, "c": lo, "d": hi}, True, 0.1)
    text = _("Ticket %(a)s–%(b)s (10k CNY) misses a typical round of %(c)s–%(d)s at this stage")
    return Reason("ticket", text % {**span, "c": lo, "d": hi}, False, -0.1)


def _usable(c: CarrierInfo, today: date) -> bool:
    return c.available_m2 > 0 and (c.ready_date is None or c.ready_date <= today + LANDING_HORIZON)


def carrier_fit(
    item: ItemProfile, org: OrgProfile, today: date, full: set[str] | None = None
) -> list[Reason]:
    """Can the park host the item? Each needed carrier type must be free (the first one with
    the space needed), ready within the landing horizon, and not learned to be full. A GMP
    need is also met by an on-site CDMO."""
    if not item.carrier_needs:
        return [Reason("carrier", _("No space requirement given"), None)]
    full = full or set()
    out: list[Reason] = []
    space = item.space_m2 or 0
    for i, need in enumerate(item.carrier_needs):
        label = str(CarrierType(need).label) if need in CarrierType.values else need
        if need in full:
            out.append(
                Reason(
                    "carrier",
                    _("%(t)s: the park reported no capacity") % {"t": label},
                    False,
                    -0.3,
                    hard=True,
                )
            )
            continue
        types = (need, *SUBSTITUTES.get(need, ()))
        offers = [c for c in org.carriers if c.carrier_type in types]
        usable = [c for c in offers if _usable(c, today)]
        want = space if i == 0 else 1
        big = [c for c in usable if c.available_m2 >= want]
        if big:
            best = max(big, key=lambda c: c.available_m2)
            out.append(
                Reason(
                    "carrier",
                    _("%(t)s: %(n)s has %(a)s m² free")
                    % {"t": label, "n": best.name, "a": best.available_m2},
                    True,
                    0.12,
                )
            )
        elif need == CarrierType.GMP and "cdmo" in org.services:
            out.append(
                Reason("carrier", _("GMP plant: no free plant, but a CDMO on site"), True, 0.06)
            )
        elif usable:
            most = max(c.available_m2 for c in usable)
            out.append(
                Reason(
                    "carrier",
                    _("%(t)s: only %(a)s m² free, %(w)s m² needed")
                    % {"t": label, "a": most, "w": want},
                    False,
                    -0.3,
                    hard=True,
                )
            )
        elif offers:
            ready = [c.ready_date for c in offers if c.available_m2 > 0 and c.ready_date]
            if ready:
                out.append(
                    Reason(
                        "carrier",
                        _("%(t)s: ready only from %(d)s")
                        % {"t": label, "d": min(ready).isoformat()},
                        False,
                        -0.3,
                        hard=True,
                    )
                )
            else:
                out.append(
                    Reason("carrier", _("%(t)s: fully let") % {"t": label}, False, -0.3, hard=True)
                )
        else:
            out.append(
                Reason(
                    "carrier", _("%(t)s: none in this park") % {"t": label}, False, -0.3, hard=True
                )
            )
    return out


def park_fit(
    item: ItemProfile,
    org: OrgProfile,
    labels: Mapping[str, str],
    today: date,
    full: set[str] | None = None,
) -> list[Reason]:
    return field_fit(item, org, labels) + carrier_fit(item, org, today, full)


def needed_specialties(item: ItemProfile) -> set[str]:
    out = set(item.specialties)
    for code in item.areas:
        out.update(AREA_SPECIALTIES.get(code, ()))
    if item.item_kind == AchievementKind.DEVICE:
        out.add("device_trials")
    return out


def center_fit(item: ItemProfile, org: OrgProfile, history: float | None = None) -> list[Reason]:
    """Specialty fit, phase I capability, capacity, region and trial history."""
    out: list[Reason] = []
    wanted = needed_specialties(item)
    shared = wanted & org.specialties
    if shared:
        out.append(
            Reason(
                "specialty",
                _("Filed trial specialties: %(s)s")
                % {"s": join_items(sorted(specialty_label(c) for c in shared))},
                True,
                min(0.3, 0.12 * len(shared)),
            )
        )
    elif wanted:
        out.append(Reason("specialty", _("No filed specialty for this field"), False, -0.15))
    if item.stage in {Stage.IND_FILED, Stage.PHASE1}:
        if org.phase1_unit:
            out.append(Reason("phase1", _("Has a phase I unit"), True, 0.15))
        else:
            out.append(Reason("phase1", _("No phase I unit: participating site only"), False, -0.1))
    if org.annual_trials:
        out.append(
            Reason(
                "capacity",
                _("%(n)s trials per year") % {"n": org.annual_trials},
                True,
                min(0.1, org.annual_trials / 5000),
            )
        )
    if org.province == "四川省":
        out.append(Reason("region", _("In Sichuan"), True, 0.05))
    if history:
        out.append(
            Reason(
                "history",
                _("Trial history close to this study (site ranker)"),
                True,
                round(0.2 * history, 4),
            )
        )
    elif org.trial_count:
        out.append(
            Reason(
                "history",
                _("%(n)s registered trials") % {"n": org.trial_count},
                True,
                min(0.1, 0.01 * org.trial_count),
            )
        )
    return out


def need_fit(item: ItemProfile, org: OrgProfile) -> list[Reason]:
    """A clinical need against a company or a team: specialty overlap where there is one."""
    if org.specialties and item.specialties & org.specialties:
        return [Reason("specialty", _("Works in the need's specialty"), True, 0.15)]
    return []


def attract_company_fit(
    park: OrgProfile, company: OrgProfile, labels: Mapping[str, str]
) -> list[Reason]:
    """A company a park could attract: fields in the park's focus, and it looks for space."""
    shared = (park.areas & company.areas) | (park.tech & company.tech)
    out: list[Reason] = []
    if shared:
        out.append(
            Reason(
                "fields",
                _("In the park's focus: %(f)s") % {"f": _labels(shared, labels)},
                True,
                min(0.25, 0.08 * len(shared)),
            )
        )
    if "space" in company.needs:
        out.append(Reason("space", _("Looking for space"), True, 0.15))
    return out


def assessment_reasons(result: Result | None, partner_kind: str = "") -> list[Reason]:
    """The expert assessment's result of an achievement as reasons: its overall score (a
    small move around a neutral 0.5) and, for a partner of a kind the assessment suggests,
    a small bonus. None (never assessed, or the user may not see the result): nothing."""
    if result is None:
        return []
    delta = round(ASSESSMENT_WEIGHT * (result.overall - 0.5), 4)
    text = _("Expert assessment (round %(n)s): %(r)s, overall %(s)s/100") % {
        "n": result.round,
        "r": result.readiness_label or "—",
        "s": round(result.overall * 100),
    }
    out = [Reason("assessment", text, result.overall >= 0.5, delta)]
    return out + assessment_kind_reasons(result, partner_kind)


def assessment_kind_reasons(result: Result | None, partner_kind: str) -> list[Reason]:
    if result is None or not partner_kind or partner_kind not in result.suggested_kinds:
        return []
    label = OrganizationKind(partner_kind).label
    text = _("The expert assessment suggests partners of this kind (%(k)s)") % {"k": label}
    return [Reason("assessment_kind", text, True, ASSESSMENT_KIND_WEIGHT)]
