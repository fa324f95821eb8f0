"""The after-landing report for the government (投资促进局): a month or a quarter of what the
landed projects brought, with a narrative the requester edits before issuing it.

Steps: the form names a period (`2026-09` or `2026-Q3`), a scope and the report's language;
the preview shows the key numbers and a narrative drafted from `draft_narrative` in that
language; the requester edits the text and issues; the `insights.build_report` job then
writes the PDF and the Excel file in the chosen language, whatever the requester's own.

Numbers come from `insights.landing_kpis` (the requester's visibility, suppression for viewers);
projects are named by `aftercare.rules.project_label`, never by a title the reader may not see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _

from luodi import sheets
from luodi.accounts.rules import AnyUser
from luodi.aftercare.choices import MilestoneKind
from luodi.aftercare.rules import project_label, visible_project_ids
from luodi.insights import landing_kpis as kpis
from luodi.insights.base import EVERYTHING, Scope
from luodi.pipeline.models import Project

BRAND = "落地 · Luodi"
PERIOD_RE = re.compile(r"^(\d{4})-(?:Q([1-4])|(0[1-9]|1[0-2]))$")


class PeriodError(ValueError):
    pass


def parse_period(code: str) -> tuple[date, date]:
    """`2026-Q3` → (2026-07-01, 2026-09-30); `2026-09` → (2026-09-01, 2026-09-30)."""
    match = PERIOD_RE.match(code.strip().upper())
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise PeriodError(_("Give a month (2026-09) or a quarter (2026-Q3)."))
    year = int(match.group(1))
    if match.group(2):
        first_month = 3 * (int(match.group(2)) - 1) + 1
        months = 3
    else:
        first_month, months = int(match.group(3)), 1
    start = date(year, first_month, 1)
    last = first_month + months
    end = (date(year + 1, 1, 1) if last > 12 else date(year, last, 1)) - timedelta(days=1)
    return start, end


def normal_code(code: str) -> str:
    return code.strip().upper()


def is_quarter(code: str) -> bool:
    return "Q" in normal_code(code)


def period_label(code: str) -> str:
    """The period as a sentence names it, in the active language."""
    code = normal_code(code)
    year, rest = code.split("-")
    if rest.startswith("Q"):
        return _("Q%(quarter)s %(year)s") % {"quarter": rest[1:], "year": year}
    return _("%(month)s/%(year)s") % {"month": int(rest), "year": year}


def last_quarter(today: date) -> str:
    """The last complete quarter before `today`."""
    q = (today.month - 1) // 3  # quarters complete this year
    return f"{today.year - 1}-Q4" if q == 0 else f"{today.year}-Q{q}"


def recent_codes(today: date) -> list[str]:
    """Suggestions for the period field: the last eight quarters, then twelve months."""
    out, year, q = [], today.year, (today.month - 1) // 3 + 1
    for _i in range(8):
        out.append(f"{year}-Q{q}")
        year, q = (year, q - 1) if q > 1 else (year - 1, 4)
    year, month = today.year, today.month
    for _i in range(12):
        out.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


# -- numbers and the draft ---------------------------------------------------------------------


@dataclass
class GovData:
    title: str
    period: str
    scope: str
    narrative: str
    key_numbers: list[tuple[str, Any]]
    parks: tuple[list[str], list[list[Any]]]
    milestones: list[list[Any]]
    stalled: list[list[Any]]
    landed_by_park: list[tuple[str, Any]]


KEY_ORDER = [
    "landed",
    "followed",
    "producing",
    "promised",
    "arrived",
    "arrived_period",
    "output",
    "tax",
    "output_per_mu",
    "paid",
    "raised",
    "solved",
    "stalled",
]


def numbers(user: AnyUser, start: date, end: date, scope: Scope = EVERYTHING) -> dict[str, Any]:
    """The summary row of the period (kpis.summary) with the stalled count."""
    facts = kpis.collect(user, start, end, scope, people=False)
    return kpis.summary(user, facts, kpis.stalled_count(user, end, scope)).rows[0]


def key_numbers(row: dict[str, Any]) -> list[tuple[str, Any]]:
    labels = dict(kpis.summary_columns())
    return [(labels[k], row.get(k)) for k in KEY_ORDER]


def fmt(value: Any) -> str:
    """A number as people read it: 15,000 and 190.91; None as a dash."""
    if value is None:
        return "—"
    return (
        f"{value:,}"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else str(value)
    )


_n = fmt


def draft_narrative(code: str, row: dict[str, Any]) -> str:
    """The narrative's first draft, in the active language, with the numbers filled in."""
    when = _("This quarter") if is_quarter(code) else _("This month")
    promised, arrived = row.get("promised"), row.get("arrived")
    share = f"{100 * arrived / promised:.1f}%" if promised and arrived is not None else "—"
    return _(
        "%(when)s, new landings: %(landed)s; projects in production: %(producing)s. Capital "
        "arrived to date: %(arrived)s of the %(promised)s promised (%(share)s), of which "
        "%(arrived_period)s in the period. Output: %(output)s; tax: %(tax)s; output per mu: "
        "%(per_mu)s. Subsidies paid out: %(paid)s. Company requests raised: %(raised)s, "
        "solved: %(solved)s. Stalled projects: %(stalled)s. (Amounts in 10k CNY.)"
    ) % {
        "when": when,
        "landed": _n(row.get("landed")),
        "producing": _n(row.get("producing")),
        "arrived": _n(arrived),
        "promised": _n(promised),
        "share": share,
        "arrived_period": _n(row.get("arrived_period")),
        "output": _n(row.get("output")),
        "tax": _n(row.get("tax")),
        "per_mu": _n(row.get("output_per_mu")),
        "paid": _n(row.get("paid")),
        "raised": _n(row.get("raised")),
        "solved": _n(row.get("solved")),
        "stalled": _n(row.get("stalled")),
    }


def report_title(code: str) -> str:
    return f"{BRAND} " + _("After-landing report, %(period)s") % {"period": period_label(code)}


def _labels(user: AnyUser, ids: set[int]) -> tuple[dict[int, str], dict[int, str]]:
    """Project id → the name the user may read, and → its park (2 queries)."""
    projects = Project.objects.filter(pk__in=ids).select_related("landing__park")
    visible = visible_project_ids(user, list(ids))
    names, parks = {}, {}
    for p in projects:
        names[p.pk] = project_label(user, p, visible)
        landing = getattr(p, "landing", None)
        parks[p.pk] = str(landing.park) if landing is not None and landing.park else "—"
    return names, parks


def collect(user: AnyUser, code: str, scope: Scope = EVERYTHING, narrative: str = "") -> GovData:
    """Everything the report shows, in the active language."""
    start, end = parse_period(code)
    facts = kpis.collect(user, start, end, scope, people=False)
    stalls = kpis.stalled_projects(user, end, scope)
    row = kpis.summary(user, facts, len(stalls)).rows[0]
    parts = [
        kpis.stages_by_park(user, facts),
        kpis.capital_by_park(user, facts),
        kpis.per_mu_by_park(user, facts),
        kpis.subsidies_by_park(user, facts),
    ]
    columns = [
        ("stages_by_park", "landed"),
        ("stages_by_park", "producing"),
        ("capital_by_park", "promised"),
        ("capital_by_park", "arrived"),
        ("per_mu_by_park", "output"),
        ("per_mu_by_park", "tax"),
        ("per_mu_by_park", "output_per_mu"),
        ("subsidies_by_park", "paid"),
    ]
    by_key = {c.key: ({r["id"]: r for r in c.rows}, dict(c.columns)) for c in parts}
    headers = [_("Park")] + [by_key[c][1][k] for c, k in columns]
    park_rows = []
    for r in parts[0].rows:  # every park with a landed or a signed project
        park_rows.append([r["label"]] + [by_key[c][0].get(r["id"], {}).get(k) for c, k in columns])
    names, parks = _labels(user, {pid for pid, _k, _d in facts.milestones} | set(stalls))
    milestones = [
        [names.get(pid, "—"), parks.get(pid, "—"), str(MilestoneKind(kind).label), day.isoformat()]
        for pid, kind, day in sorted(facts.milestones, key=lambda m: (m[2], m[0]))
    ]
    stalled = [
        [names.get(pid, "—"), parks.get(pid, "—"), " ".join(t for _c, t in stall.reasons)]
        for pid, stall in sorted(stalls.items(), key=lambda kv: names.get(kv[0], ""))
    ]
    return GovData(
        title=report_title(code),
        period=f"{period_label(code)} ({start.isoformat()} – {end.isoformat()})",
        scope=_("Scope: %(scope)s") % {"scope": scope.label or _("Whole portfolio")},
        narrative=narrative,
        key_numbers=key_numbers(row),
        parks=(headers, park_rows),
        milestones=milestones,
        stalled=stalled,
        landed_by_park=[(r["label"], r["landed"]) for r in parts[0].rows],
    )


def show(value: Any) -> Any:
    return "—" if value is None else value


def tables(data: GovData) -> list[tuple[str, list[str], list[list[Any]]]]:
    headers, rows = data.parks
    return [
        (_("By park"), headers, rows),
        (
            _("Milestones reached in the period"),
            [_("Project"), _("Park"), _("Milestone"), _("Date")],
            data.milestones,
        ),
        (_("Stalled projects"), [_("Project"), _("Park"), _("Why")], data.stalled),
    ]


def write_xlsx(data: GovData) -> bytes:
    summary: list[list[Any]] = [[data.title], [data.period], [data.scope], []]
    summary += [[_("Narrative")], *[[line] for line in data.narrative.splitlines() if line]]
    summary += [[], [_("Key numbers")]]
    summary += [[label, show(value)] for label, value in data.key_numbers]
    book = [sheets.Sheet(_("Summary"), summary)]
    for title, headers, rows in tables(data):
        book.append(sheets.Sheet(title, [[show(v) for v in r] for r in rows], headers))
    return sheets.to_xlsx(book)


def build_files(job: Any, scope: Scope) -> tuple[bytes, bytes]:
    """(xlsx, pdf) of an after-landing report job, in the active language."""
    from luodi.insights import gov_report_pdf
    from luodi.insights.reports import register_font

    code = job_code(job)
    data = collect(job.requested_by, code, scope, job.narrative)
    return write_xlsx(data), gov_report_pdf.write_pdf(data, register_font())


def job_code(job: Any) -> str:
    """The period code of a job (its stored dates are a month or a quarter)."""
    start, end = job.period_start, job.period_end
    if start.month == end.month:
        return f"{start:%Y-%m}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
