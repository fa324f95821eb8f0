"""ClinicalTrials.gov CSV exports, both formats, into Trial, TrialSite and Organization.

- classic (before 2023): "Title", "Status", "Sponsor/Collaborators", "Funded Bys",
  dates like "April 15, 2020", `Locations` = "Facility, City, [State,] Country" joined by "|";
- current: "Study Title", "Study Status", "Brief Summary", "Sponsor", "Funder Type",
  ISO dates ("2025-01-01", "2025-06"), locations with a postal code before the country.

Sponsors become organizations (company when industry-funded or named like one, else hospital
or institute); each listed facility becomes a hospital organization, deduplicated by name key
(dedup.name_key: case, accents, punctuation, "Univ." → "university"…) against existing
organizations and across rows; placeholder names ("Research Site") are qualified with the city.
The raw location stays in TrialSite.location. Re-importing updates trials and their sites.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from luodi import control_chars
from luodi.catalog import signals as catalog_signals
from luodi.catalog.choices import OrganizationKind, ReviewStatus
from luodi.catalog.models import Organization, Trial, TrialSite
from luodi.ingest import dedup
from luodi.ingest.summary import Summary
from luodi.ingest.tables import org_index
from luodi.matchmaking import site_model

Progress = Callable[[int], None]

_NCT = re.compile(r"^NCT\d{8}$")
_LEGAL_PART = re.compile(
    r"^(inc|ltd|llc|l\.?l\.?c|co|corp|s\.?a|s\.?l|s\.?r\.?l|gmbh|ag|plc|ltda|pllc|p\.?c|llp"
    r"|m\.?d|s\.?p\.?a|b\.?v|n\.?v)\.?$",
    re.IGNORECASE,
)
_HAS_DIGIT = re.compile(r"\d")
_COMPANY_WORDS = re.compile(
    r"\b(inc|ltd|llc|gmbh|ag|corp|corporation|pharma\w*|therapeutics|biotech\w*|biosciences?"
    r"|biologics|co|s\.a|plc|limited|laborator(y|ies))\b|有限公司|公司|药业|制药|生物",
    re.IGNORECASE,
)
_HOSPITAL_WORDS = re.compile(
    r"hospital|hôpital|hopital|ospedale|klinik|clinic|medical cent|health system|chu\b|"
    r"centre hospitalier|policlinico|医院|卫生院",
    re.IGNORECASE,
)

_COLUMNS = {
    "classic": {
        "title": "Title",
        "status": "Status",
        "sponsor": "Sponsor/Collaborators",
        "funder": "Funded Bys",
        "summary": "",
    },
    "current": {
        "title": "Study Title",
        "status": "Study Status",
        "sponsor": "Sponsor",
        "funder": "Funder Type",
        "summary": "Brief Summary",
    },
}
_PHASES = {
    "NA": "Not Applicable",
    "EARLY_PHASE1": "Early Phase 1",
    "PHASE1": "Phase 1",
    "PHASE2": "Phase 2",
    "PHASE3": "Phase 3",
    "PHASE4": "Phase 4",
}


class CtgovError(Exception):
    """The file is not a ClinicalTrials.gov export."""


@dataclass
class Site:
    name: str  # the organization's display name
    key: str
    location: str  # exactly as listed
    city: str
    region: str
    address: str


@dataclass
class TrialRow:
    line: int
    registry_id: str
    title: str
    summary: str
    status: str
    phase: str
    conditions: str
    interventions: str
    sponsor: str
    sponsor_industry: bool
    start_date: date | None
    sites: list[Site] = field(default_factory=list)


def parse_date(text: str) -> date | None:
    """ "April 15, 2020", "May 2021", "2025-01-01", "2025-06"; "" → None; else ValueError."""
    text = text.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%B %d, %Y", "%Y-%m", "%B %Y", "%b %d, %Y", "%b %Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _status(text: str) -> str:
    if text.isupper():  # current format: NOT_YET_RECRUITING
        words = text.replace("_", " ").lower()
        return words[:1].upper() + words[1:]
    return text


def _phase(text: str) -> str:
    return "|".join(_PHASES.get(p, p) for p in text.split("|") if p)


def parse_location(raw: str) -> Site | None:
    """The facility of one listed location, or None when only a place is listed."""
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if len(parts) < 3:
        return None
    tail = parts[1:-1]
    if len(tail) >= 2 and _HAS_DIGIT.search(tail[-1]):
        tail = tail[:-1]  # postal code
    facility = parts[0]
    while len(tail) >= 2 and _LEGAL_PART.match(tail[0]):
        facility, tail = f"{facility}, {tail[0]}", tail[1:]
    if not tail:
        return None
    name = dedup.clean_display(facility)
    city = tail[0] if len(tail) == 1 else tail[-2]
    region = tail[-1] if len(tail) >= 2 else ""
    if dedup.is_generic_site(name):
        name = f"{name} ({city})"
    name = name[:200]
    key = dedup.name_key(name)
    if not key:
        return None
    address = ", ".join(parts[1:])
    return Site(
        name=name,
        key=key,
        location=raw.strip()[:500],
        city=city[:40],
        region=region[:40],
        address=address[:255],
    )


def detect_format(headers: list[str]) -> str:
    present = set(headers)
    for name, cols in _COLUMNS.items():
        if {"NCT Number", cols["title"]} <= present:
            return name
    raise CtgovError(_("Not a ClinicalTrials.gov CSV export: no “NCT Number” and title columns."))


def _getter(row: dict[str, str | None]) -> Callable[[str], str]:
    def get(name: str) -> str:
        return (row.get(name) or "").strip() if name else ""

    return get


def parse(
    text: str, progress: Progress | None = None
) -> tuple[list[TrialRow], list[tuple[int, str]]]:
    """Trials and (line, reason) for malformed rows. Raises CtgovError on unusable input."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff").replace("\x00", "")))
    try:
        headers = [h for h in reader.fieldnames or [] if h]
        records = list(reader)
    except csv.Error as exc:
        raise CtgovError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    cols = _COLUMNS[detect_format(headers)]
    trials: list[TrialRow] = []
    errors: list[tuple[int, str]] = []
    lines: dict[str, int] = {}
    for number, row in enumerate(records, start=2):
        if progress is not None:
            progress(1)
        get = _getter(row)
        nct = get("NCT Number")
        if not nct:
            errors.append((number, _("the NCT number is missing")))
            continue
        if not _NCT.match(nct):
            errors.append((number, _("malformed NCT number “%(id)s”") % {"id": nct[:40]}))
            continue
        if nct in lines:
            errors.append(
                (number, _("%(id)s is already listed on line %(n)s") % {"id": nct, "n": lines[nct]})
            )
            continue
        bad = _control_char_cell(row)
        if bad is not None:
            errors.append((number, f"{nct}: {bad}"))
            continue
        title = get(cols["title"])
        if not title:
            errors.append((number, _("%(id)s has no title") % {"id": nct}))
            continue
        try:
            start = parse_date(get("Start Date"))
        except ValueError:
            errors.append(
                (
                    number,
                    _("%(id)s: bad start date “%(date)s”")
                    % {"id": nct, "date": get("Start Date")[:40]},
                )
            )
            continue
        lines[nct] = number
        sponsor = dedup.clean_display(get(cols["sponsor"]).split("|")[0])[:200]
        if sponsor.startswith("[") and sponsor.endswith("]"):  # "[Redacted]"
            sponsor = ""
        funder = get(cols["funder"]).split("|")[0].upper()
        seen: set[str] = set()
        sites = []
        for raw in get("Locations").split("|"):
            site = parse_location(raw) if raw.strip() else None
            if site is not None and site.key not in seen:
                seen.add(site.key)
                sites.append(site)
        trials.append(
            TrialRow(
                line=number,
                registry_id=nct,
                title=title,
                summary=get(cols["summary"]),
                status=_status(get(cols["status"]))[:64],
                phase=_phase(get("Phases"))[:64],
                conditions="; ".join(split_bar(get("Conditions"))),
                interventions="; ".join(split_bar(get("Interventions"))),
                sponsor=sponsor,
                sponsor_industry=funder == "INDUSTRY",
                start_date=start,
                sites=sites,
            )
        )
    return trials, errors


def _control_char_cell(row: dict[Any, Any]) -> str | None:
    """Why a row is refused for an invisible control character (naming the column), if it is."""
    for column, value in row.items():
        char = control_chars.find(value)
        if char is not None:
            return control_chars.row_reason(str(column or ""), char)
    return None


def split_bar(text: str) -> list[str]:
    return [p.strip() for p in text.split("|") if p.strip()]


def sponsor_kind(name: str, industry: bool) -> str:
    """Company by its name or its funder type, unless the name says hospital; else institute."""
    if _COMPANY_WORDS.search(name):
        return OrganizationKind.COMPANY
    if _HOSPITAL_WORDS.search(name):
        return OrganizationKind.HOSPITAL
    return OrganizationKind.COMPANY if industry else OrganizationKind.INSTITUTE


def _new_org(
    name: str, kind: str, city: str = "", region: str = "", address: str = ""
) -> Organization:
    cjk = dedup.has_cjk(name)
    return Organization(
        name_zh=name if cjk else "",
        name_en="" if cjk else name,
        kind=kind,
        province=region,
        city=city,
        address=address,
        status=ReviewStatus.PUBLISHED,
    )


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_TRIAL_FIELDS = [
    "title",
    "summary",
    "status",
    "phase",
    "conditions",
    "interventions",
    "sponsor_id",
    "start_date",
]


def load(trials: list[TrialRow], summary: Summary) -> None:
    """Write parsed trials; the caller holds the transaction. Counts go into `summary`."""
    index = org_index()
    org_ids: dict[str, int] = {}  # name key → organization id
    pending: dict[str, Organization] = {}

    def want(key: str, make: Callable[[], Organization]) -> None:
        if not key or key in org_ids or key in pending:
            return
        found = index.exact.get(key)
        if found:
            org_ids[key] = found[0]
        else:
            pending[key] = make()

    for t in trials:
        if t.sponsor:
            kind = sponsor_kind(t.sponsor, t.sponsor_industry)
            want(dedup.name_key(t.sponsor), partial(_new_org, t.sponsor, kind))
        for s in t.sites:
            hospital = OrganizationKind.HOSPITAL
            want(s.key, partial(_new_org, s.name, hospital, s.city, s.region, s.address))
    created = Organization.objects.bulk_create(list(pending.values()), batch_size=500)
    for key, org in zip(pending, created, strict=True):
        org_ids[key] = org.pk
    summary.count("organization", "created", len(created))

    existing: dict[str, Trial] = {}
    for chunk in _chunks([t.registry_id for t in trials]):
        existing.update({t.registry_id: t for t in Trial.objects.filter(registry_id__in=chunk)})
    to_create, to_update = [], []
    now = timezone.now()
    for t in trials:
        values = {
            "title": t.title,
            "summary": t.summary,
            "status": t.status,
            "phase": t.phase,
            "conditions": t.conditions,
            "interventions": t.interventions,
            "sponsor_id": org_ids.get(dedup.name_key(t.sponsor)) if t.sponsor else None,
            "start_date": t.start_date,
        }
        trial = existing.get(t.registry_id)
        if trial is None:
            to_create.append(Trial(registry_id=t.registry_id, source="ctgov", **values))
        elif any(getattr(trial, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(trial, k, v)
            trial.updated_at = now
            to_update.append(trial)
    for trial in Trial.objects.bulk_create(to_create, batch_size=500):
        existing[trial.registry_id] = trial
    Trial.objects.bulk_update(to_update, [*_TRIAL_FIELDS, "updated_at"], batch_size=500)
    summary.count("trial", "created", len(to_create))
    summary.count("trial", "updated", len(to_update))
    summary.count("trial", "unchanged", len(trials) - len(to_create) - len(to_update))
    _sync_sites(trials, existing, org_ids, summary)
    # Bulk writes fire no post_save: tell the search and match indexes what changed.
    catalog_signals.changed(Organization, [org.pk for org in created])
    catalog_signals.changed(Trial, [t.pk for t in to_create] + [t.pk for t in to_update])
    site_model.refit_on_commit()  # the site ranker learns from trial history


def _sync_sites(
    trials: list[TrialRow], by_nct: dict[str, Trial], org_ids: dict[str, int], summary: Summary
) -> None:
    wanted: dict[tuple[int, int], str] = {}
    for t in trials:
        trial_id = by_nct[t.registry_id].pk
        for s in t.sites:
            wanted.setdefault((trial_id, org_ids[s.key]), s.location)
    trial_ids = sorted({by_nct[t.registry_id].pk for t in trials})
    current: dict[tuple[int, int], TrialSite] = {}
    for start in range(0, len(trial_ids), 500):
        for link in TrialSite.objects.filter(trial_id__in=trial_ids[start : start + 500]):
            current[(link.trial_id, link.organization_id)] = link
    new = [
        TrialSite(trial_id=k[0], organization_id=k[1], location=loc)
        for k, loc in wanted.items()
        if k not in current
    ]
    changed = []
    for key, link in current.items():
        if key in wanted and link.location != wanted[key]:
            link.location = wanted[key]
            changed.append(link)
    gone = [link.pk for key, link in current.items() if key not in wanted]
    TrialSite.objects.bulk_create(new, batch_size=1000)
    TrialSite.objects.bulk_update(changed, ["location"], batch_size=1000)
    for start in range(0, len(gone), 500):
        TrialSite.objects.filter(pk__in=gone[start : start + 500]).delete()
    summary.count("trial_site", "created", len(new))
    summary.count("trial_site", "updated", len(changed) + len(gone))
