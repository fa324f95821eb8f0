"""ClinicalTrials.gov CSV exports, both formats, into Trial, TrialSite and Organization.

- classic (before 2023): "Title", "Status", "Sponsor/Collaborators", "Funded Bys",
  dates like "April 15, 2020", `Locations` = "Facility, City, [State,] Country" joined by "|";
- current: "Study Title", "Study Status", "Brief Summary", "Sponsor", "Funder Type",
  ISO dates ("2025-01-01", "2025-06"), locations with a postal code before the country.

The rows are read by luodi.sites' reader (`luodi.sites.ctgov_csv`, the one the site ranker
reads exports with); this module adds what the catalog requires of a row (a title, a readable
start date, no control characters), words the reader's problems for users, and maps records
to the ORM.

Sponsors become organizations (company when industry-funded or named like one, else hospital
or institute). A trial's listed locations are one site each per `luodi.sites.normalize.site_key`
(facility and place, the key the site ranker merges on), so the catalog's sites of a trial are
the ranker's. Each site becomes a hospital organization found by the organization key
(dedup.name_key of its display name, the key the catalog indexes organizations by) among
existing organizations and across rows; placeholder names ("Research Site") are qualified
with the city. The raw location stays in TrialSite.location. Re-importing updates trials and
their sites.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
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
from luodi.sites import ctgov_csv
from luodi.sites.normalize import site_key

Progress = Callable[[int], None]

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
    key: str  # which site: luodi.sites' `site_key`, the key the site ranker merges on
    org_key: str  # which organization: `dedup.name_key` of `name`, as the catalog indexes them
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
    org_key = dedup.name_key(name)
    if not org_key:
        return None
    address = ", ".join(parts[1:])
    return Site(
        name=name,
        key=site_key(raw),
        org_key=org_key,
        location=raw.strip()[:500],
        city=city[:40],
        region=region[:40],
        address=address[:255],
    )


def _problem(p: ctgov_csv.Problem) -> str:
    if p.kind == "no_id":
        return _("the NCT number is missing")
    if p.kind == "bad_id":
        return _("malformed NCT number “%(id)s”") % {"id": p.value[:40]}
    if p.kind == "duplicate":
        return _("%(id)s is already listed on line %(n)s") % {"id": p.value, "n": p.other}
    if p.kind == "width":
        return _("%(n)s columns, expected %(width)s") % {"n": p.value, "width": p.other}
    return p.value  # "rejected": our own check's reason


def _check(record: ctgov_csv.Record) -> str | None:
    """What the catalog requires beyond what the reader checks (a reason, or None)."""
    nct = record.trial.nct_id
    bad = _control_char_cell(record.raw)
    if bad is not None:
        return f"{nct}: {bad}"
    if not record.trial.title:
        return _("%(id)s has no title") % {"id": nct}
    start = record.cells["start_date"]
    if start and record.trial.start_date is None:
        return _("%(id)s: bad start date “%(date)s”") % {"id": nct, "date": start[:40]}
    return None


def parse(
    text: str, progress: Progress | None = None
) -> tuple[list[TrialRow], list[tuple[int, str]]]:
    """Trials and (line, reason) for malformed rows. Raises CtgovError on unusable input.

    The rows are read by luodi.sites' reader (the site ranker's); this maps its records to
    what `load` writes."""
    errors: list[tuple[int, str]] = []

    def problem(p: ctgov_csv.Problem) -> None:
        if progress is not None:
            progress(1)
        errors.append((p.line, _problem(p)))

    trials: list[TrialRow] = []
    try:
        export = ctgov_csv.Export(io.StringIO(text.lstrip("\ufeff").replace("\x00", "")))
        if not {"nct_id", "title"} <= export.columns.keys():
            raise CtgovError(
                _("Not a ClinicalTrials.gov CSV export: no “NCT Number” and title columns.")
            )
        for record in export.records(problem, check=_check):
            if progress is not None:
                progress(1)
            trials.append(_trial_row(record))
    except ctgov_csv.CsvError as exc:
        raise CtgovError(
            _("The CSV file cannot be read: %(error)s") % {"error": exc.error}
        ) from exc
    return trials, errors


def _trial_row(record: ctgov_csv.Record) -> TrialRow:
    t, cells = record.trial, record.cells
    sponsor = dedup.clean_display(t.sponsor.split("|")[0])[:200]
    if sponsor.startswith("[") and sponsor.endswith("]"):  # "[Redacted]"
        sponsor = ""
    seen: set[str] = set()
    sites = []
    for raw in t.locations:
        site = parse_location(raw)
        # One site per facility and place, as the site ranker merges them (`site_key`).
        if site is not None and site.key not in seen:
            seen.add(site.key)
            sites.append(site)
    return TrialRow(
        line=record.line,
        registry_id=t.nct_id,
        title=t.title,
        summary=t.summary,
        status=_status(cells["status"])[:64],
        phase=_phase(cells["phases"])[:64],
        conditions="; ".join(t.conditions),
        interventions="; ".join(t.interventions),
        sponsor=sponsor,
        sponsor_industry=cells["funder_type"].split("|")[0].upper() == "INDUSTRY",
        start_date=t.start_date,
        sites=sites,
    )


def _control_char_cell(row: dict[Any, Any]) -> str | None:
    """Why a row is refused for an invisible control character (naming the column), if it is."""
    for column, value in row.items():
        char = control_chars.find(value)
        if char is not None:
            return control_chars.row_reason(str(column or ""), char)
    return None


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
            want(s.org_key, partial(_new_org, s.name, hospital, s.city, s.region, s.address))
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
            wanted.setdefault((trial_id, org_ids[s.org_key]), s.location)
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
