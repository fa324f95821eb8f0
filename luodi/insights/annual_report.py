"""The annual transformation report (科技成果转化年度报告) of one institution for one year,
built from the records (#20): what it transferred, its contracts and their registration, its
income and expenses, the distribution of income, rewards to people, equity and the
ownership or use-right grants (赋权), each section with the requester's own text.

Steps: pick an institution and a year → preview of every section from the records, each
with an empty text box → save a draft (a `ReportJob` in status draft, `annual_drafts.py`) →
issue: the `insights.build_report` job writes the PDF (`annual_report_pdf.py`) and the Excel
file in the chosen language.

Everything is read as the requester may see it: the institution through
`ledger.rules.institutions_visible_to` (staff, and the institution's members), agreements
through `ledger.rules.agreements_of`, registrations through the pipeline's rule, ledger
entries through `ledger.rules.entries_visible_to` and their links through `visible_links`,
an achievement named only when `catalog.rules.achievements_visible_to` lets the user see it.
Money is integer fen throughout, shown in yuan (`luodi.money`); the income section is
`ledger.summary.summarize` of the year itself, so its totals are the ledger's to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from luodi import money, sheets
from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Organization
from luodi.catalog.rules import achievements_visible_to
from luodi.grants.report import grants_in
from luodi.ledger import rules as ledger_rules
from luodi.ledger.choices import EXPENSE_KINDS, INCOME_KINDS, LedgerKind, LedgerStatus
from luodi.ledger.summary import Period, Summary, in_period, summarize
from luodi.pipeline.choices import REGISTRABLE_KINDS, AgreementStatus, RegistrationStatus
from luodi.pipeline.models import Agreement, ContractRegistration
from luodi.pipeline.rules import registrations_visible_to
from luodi.rewards.report import distributions_in, rewards_in

BRAND = "落地 · Luodi"
CURRENCY = "CNY"
FIRST_YEAR = 2000
SECTION_KEYS = (
    "overview",
    "achievements",
    "contracts",
    "income",
    "distribution",
    "rewards",
    "equity",
    "grants",
)
TEXT_MAX = 5000


class NotVisible(LookupError):
    """The requester may not (or may no longer) see the institution's records."""


def section_titles() -> dict[str, str]:
    return {
        "overview": _("1. Overview"),
        "achievements": _("2. Achievements transferred"),
        "contracts": _("3. Contracts and their registration"),
        "income": _("4. Income and expenses"),
        "distribution": _("5. Distribution of income"),
        "rewards": _("6. Rewards to people"),
        "equity": _("7. Equity"),
        "grants": _("8. Ownership and use-right grants"),
    }


def section_hints() -> dict[str, str]:
    """What each text box asks for (its placeholder): the box itself starts empty."""
    return {
        "overview": _("In your own words: the year at a glance, what changed and what comes next."),
        "achievements": _(
            "What was transferred, to whom and how; anything the table does not show."
        ),
        "contracts": _("Which contracts were registered, which are pending, and why."),
        "income": _("Explain the year's income and costs, e.g. a large milestone payment."),
        "distribution": _(
            "How income was distributed under the institution's rules; what is still on notice."
        ),
        "rewards": _("Rewards to the research teams: how they were decided and paid."),
        "equity": _("Equity taken for achievements: the companies, valuations and shares."),
        "grants": _("Ownership or long-term use rights granted to the teams, and their status."),
    }


# -- content -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fen:
    """An amount in a table: integer fen, shown in yuan (the header names the unit)."""

    fen: int

    def __str__(self) -> str:
        return money.plain(self.fen)


Cell = str | int | Fen | date | bool | None


def cell_text(value: Cell) -> str:
    """A cell as people read it: a dash for nothing, dates as ISO, yes/no."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def cell_value(value: Cell) -> Any:
    """A cell for the spreadsheet: amounts as exact decimals in yuan, never floats."""
    if isinstance(value, Fen):
        return money.to_yuan(value.fen)
    if isinstance(value, bool):
        return cell_text(value)
    return "—" if value is None else value


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Cell]]
    title: str = ""


@dataclass
class Section:
    key: str
    title: str
    hint: str
    text: str
    tables: list[Table] = field(default_factory=list)


@dataclass
class AnnualData:
    title: str
    institution: str
    year: int
    key_numbers: list[tuple[str, Cell]]
    sections: list[Section]
    summary: Summary


def years(today: date) -> list[int]:
    """The years a report may cover, newest first: this year (so far) back to 2000."""
    return list(range(today.year, FIRST_YEAR - 1, -1))


def bounds(year: int) -> tuple[date, date]:
    """The year's first and last day (both counted)."""
    return date(year, 1, 1), date(year, 12, 31)


def institution_for(user: AnyUser, pk: Any) -> Organization | None:
    """The institution `pk` when `user` may see its records, else None (a 404)."""
    if not str(pk).isdigit():
        return None
    return ledger_rules.institutions_visible_to(user).filter(pk=int(pk)).first()


def _yuan(label: str) -> str:
    return _("%(label)s (yuan, CNY)") % {"label": label}


def _transferred(user: AnyUser, institution: Organization, year: int) -> list[Agreement]:
    """Technology contracts (the registrable kinds) signed in the year to which the
    institution is a party, as far as `user` may see them."""
    start, end = bounds(year)
    return list(
        ledger_rules.agreements_of(user, institution)
        .filter(kind__in=REGISTRABLE_KINDS, signed_on__gte=start, signed_on__lte=end)
        .exclude(status=AgreementStatus.DRAFT)
        .select_related("project__achievement", "project__company", "project__owner")
        .prefetch_related("parties")
        .order_by("signed_on", "pk")
    )


def _achievement_names(user: AnyUser, agreements: list[Agreement]) -> dict[int, str]:
    """Agreement id → its achievement's title when the user may see the achievement, a
    note that it is not disclosed when not (a co-party's confidential one), "—" with none."""
    ach = {a.pk: a.project.achievement for a in agreements if a.project and a.project.achievement}
    seen = set(
        achievements_visible_to(user)
        .filter(pk__in={x.pk for x in ach.values()})
        .values_list("pk", flat=True)
    )
    hidden = _("(not disclosed)")
    return {
        a.pk: (ach[a.pk].title if ach[a.pk].pk in seen else hidden) if a.pk in ach else "—"
        for a in agreements
    }


def _counterparties(agreement: Agreement, institution: Organization) -> str:
    """The other parties: those named on the agreement, and its project's owner and company."""
    orgs: list[Organization | None] = list(agreement.parties.all())
    if agreement.project is not None:
        orgs += [agreement.project.owner, agreement.project.company]
    names: list[str] = []
    for org in orgs:
        if org is not None and org.pk != institution.pk and org.display_name not in names:
            names.append(org.display_name)
    return "、".join(names) or "—"


def achievements_section(
    user: AnyUser, institution: Organization, agreements: list[Agreement]
) -> list[Table]:
    names = _achievement_names(user, agreements)
    headers = [_("Agreement"), _("Type"), _("Achievement"), _("Counterparties"), _("Signed on")]
    rows: list[list[Cell]] = [
        [
            a.title,
            str(a.get_kind_display()),
            names[a.pk],
            _counterparties(a, institution),
            a.signed_on,
        ]
        for a in agreements
    ]
    return [Table(headers, rows)]


@dataclass
class Registrations:
    table: Table
    registered: int
    value_fen: int
    income_fen: int


def contracts_section(
    user: AnyUser, institution: Organization, year: int, signed: list[Agreement]
) -> Registrations:
    """The contracts signed in the year and those registered in it, with their
    registration (technology-contract registration at the technology-market office)."""
    start, end = bounds(year)
    of_institution = ledger_rules.agreements_of(user, institution).filter(
        kind__in=REGISTRABLE_KINDS
    )
    regs = registrations_visible_to(user).filter(agreement__in=of_institution)
    in_year = regs.filter(
        status=RegistrationStatus.REGISTERED, registered_on__gte=start, registered_on__lte=end
    )
    ids = {a.pk for a in signed} | set(in_year.values_list("agreement_id", flat=True))
    agreements = of_institution.filter(pk__in=ids).order_by("signed_on", "pk")
    by_agreement: dict[int, ContractRegistration] = {
        r.agreement_id: r for r in regs.filter(agreement_id__in=ids)
    }
    rows: list[list[Cell]] = []
    for a in agreements:
        r = by_agreement.get(a.pk)
        rows.append(
            [
                a.title,
                str(a.get_kind_display()),
                a.signed_on,
                (r.registration_number or None) if r else None,
                Fen(r.transaction_value_fen) if r and r.transaction_value_fen is not None else None,
                Fen(r.technical_income_fen) if r and r.technical_income_fen is not None else None,
                r.registered_on if r else None,
                (r.office or None) if r else None,
                str(r.get_status_display()) if r else _("Not started"),
            ]
        )
    sums = in_year.aggregate(value=Sum("transaction_value_fen"), income=Sum("technical_income_fen"))
    headers = [
        _("Contract"),
        _("Type"),
        _("Signed on"),
        _("Registration number"),
        _yuan(_("Registered transaction value")),
        _yuan(_("Technical income")),
        _("Registered on"),
        _("Registration office"),
        _("Registration status"),
    ]
    return Registrations(
        Table(headers, rows),
        in_year.count(),
        int(sums["value"] or 0),
        int(sums["income"] or 0),
    )


def ledger_summary(user: AnyUser, institution: Organization, year: int) -> Summary:
    """The ledger's own summary of the year, over the entries `user` may see."""
    entries = ledger_rules.entries_visible_to(user).filter(institution=institution)
    return summarize(entries, Period(year))


def income_section(summary: Summary) -> list[Table]:
    amount = _yuan(_("Amount"))
    income: list[list[Cell]] = [
        [str(LedgerKind(k).label), Fen(summary.income[str(k)])] for k in INCOME_KINDS
    ]
    income.append([_("Income received"), Fen(summary.income_fen)])
    expenses: list[list[Cell]] = [
        [str(LedgerKind(k).label), Fen(summary.expenses[str(k)])] for k in EXPENSE_KINDS
    ]
    expenses.append([_("Expenses paid"), Fen(summary.expense_fen)])
    net: list[list[Cell]] = [
        [_("Income received"), Fen(summary.income_fen)],
        [_("Expenses paid"), Fen(summary.expense_fen)],
        [_("Net income"), Fen(summary.net_fen)],
        [_("Income expected, not received"), Fen(summary.expected_income_fen)],
        [_("Expenses expected, not paid"), Fen(summary.expected_expense_fen)],
    ]
    return [
        Table([_("Income by kind"), amount], income, _("Income received")),
        Table([_("Expenses by kind"), amount], expenses, _("Expenses paid")),
        Table([_("Measure"), amount], net, _("Net income")),
    ]


def equity_section(user: AnyUser, institution: Organization, year: int) -> list[Table]:
    """Equity taken for achievements in the year (not cancelled), with its valuation."""
    qs = ledger_rules.entries_visible_to(user).filter(
        institution=institution, kind=LedgerKind.EQUITY
    )
    entries = list(
        in_period(qs, Period(year))
        .exclude(status=LedgerStatus.CANCELLED)
        .order_by("received_on", "expected_on", "pk")
    )
    links = ledger_rules.visible_links(user, entries)
    rows: list[list[Cell]] = []
    for e in entries:
        link = links[e.pk]
        rows.append(
            [
                link.achievement.title if link.achievement else None,
                link.agreement.title if link.agreement else None,
                Fen(e.amount_fen),
                Fen(e.valuation_fen) if e.valuation_fen is not None else None,
                e.shares_note or None,
                str(e.get_status_display()),
                e.day,
            ]
        )
    headers = [
        _("Achievement"),
        _("Agreement"),
        _yuan(_("Amount recorded")),
        _yuan(_("Valuation")),
        _("Shares or percentage"),
        _("Status"),
        _("Date"),
    ]
    return [Table(headers, rows)]


def _total(amounts: list[int]) -> Fen:
    return Fen(sum(amounts))


def distribution_section(user: AnyUser, institution: Organization, year: int) -> list[Table]:
    lines = distributions_in(user, institution, *bounds(year))
    rows: list[list[Cell]] = [
        [
            d.income_on,
            d.income,
            d.achievement or None,
            Fen(d.base_fen),
            Fen(d.team_fen),
            Fen(d.main_contributors_fen),
            Fen(d.institution_fen),
            Fen(d.department_fen),
            d.status,
            d.approved_on,
            d.notice_ends_on,
            d.equity,
        ]
        for d in lines
    ]
    if lines:
        rows.append(
            [
                _("Total"),
                "",
                "",
                _total([d.base_fen for d in lines]),
                _total([d.team_fen for d in lines]),
                _total([d.main_contributors_fen for d in lines]),
                _total([d.institution_fen for d in lines]),
                _total([d.department_fen for d in lines]),
                "",
                None,
                None,
                "",
            ]
        )
    headers = [
        _("Income on"),
        _("Income"),
        _("Achievement"),
        _yuan(_("Base")),
        _yuan(_("Research team")),
        _yuan(_("Main contributors")),
        _yuan(_("Institution")),
        _yuan(_("Department")),
        _("Status"),
        _("Approved on"),
        _("Notice ends on"),
        _("In equity"),
    ]
    return [Table(headers, rows)]


def rewards_section(user: AnyUser, institution: Organization, year: int) -> tuple[Table, int]:
    people = rewards_in(user, institution, *bounds(year))
    rows: list[list[Cell]] = [[p.person, Fen(p.amount_fen), p.distributions] for p in people]
    total = sum(p.amount_fen for p in people)
    if people:
        rows.append([_("Total"), Fen(total), sum(p.distributions for p in people)])
    headers = [_("Person"), _yuan(_("Reward")), _("Distributions")]
    return Table(headers, rows), total


def grants_section(user: AnyUser, institution: Organization, year: int) -> list[Table]:
    grants = grants_in(user, institution, *bounds(year))
    rows: list[list[Cell]] = [
        [
            g.achievement,
            g.kind,
            g.team_share,
            Fen(g.valuation_fen) if g.valuation_fen is not None else None,
            g.decided_on,
            g.notice,
            g.status,
        ]
        for g in grants
    ]
    headers = [
        _("Achievement"),
        _("What is granted"),
        _("Team share"),
        _yuan(_("Valuation")),
        _("Decided on"),
        _("Notice period"),
        _("Status"),
    ]
    return [Table(headers, rows)]


def report_title(institution: Organization, year: int) -> str:
    return _("%(institution)s: annual report on the transformation of achievements, %(year)s") % {
        "institution": institution.display_name,
        "year": year,
    }


def collect(
    user: AnyUser, institution: Organization, year: int, texts: dict[str, str] | None = None
) -> AnnualData:
    """Every section of the report as `user` may see it, in the active language, with the
    user's own text per section (`texts`, empty when none)."""
    if not ledger_rules.institutions_visible_to(user).filter(pk=institution.pk).exists():
        raise NotVisible(_("You may not see this institution's records."))
    texts = texts or {}
    signed = _transferred(user, institution, year)
    registrations = contracts_section(user, institution, year, signed)
    summary = ledger_summary(user, institution, year)
    distribution = distribution_section(user, institution, year)
    rewards, rewarded = rewards_section(user, institution, year)
    equity = equity_section(user, institution, year)
    grants = grants_section(user, institution, year)
    key_numbers: list[tuple[str, Cell]] = [
        (_("Institution"), institution.display_name),
        (_("Year"), str(year)),
        (_("Currency"), _("CNY (yuan)")),
        (_("Technology contracts signed"), len(signed)),
        (_("Contracts registered"), registrations.registered),
        (_yuan(_("Registered transaction value")), Fen(registrations.value_fen)),
        (_yuan(_("Technical income")), Fen(registrations.income_fen)),
        (_yuan(_("Income received")), Fen(summary.income_fen)),
        (_yuan(_("Expenses paid")), Fen(summary.expense_fen)),
        (_yuan(_("Net income")), Fen(summary.net_fen)),
        (_yuan(_("Rewards to people")), Fen(rewarded)),
        (_("Equity entries"), len(equity[0].rows)),
        (_("Grants recorded"), len(grants[0].rows)),
    ]
    tables: dict[str, list[Table]] = {
        "overview": [Table([_("Measure"), _("Value")], [[k, v] for k, v in key_numbers])],
        "achievements": achievements_section(user, institution, signed),
        "contracts": [registrations.table],
        "income": income_section(summary),
        "distribution": distribution,
        "rewards": [rewards],
        "equity": equity,
        "grants": grants,
    }
    titles, hints = section_titles(), section_hints()
    sections = [
        Section(key, titles[key], hints[key], (texts.get(key) or "").strip(), tables[key])
        for key in SECTION_KEYS
    ]
    return AnnualData(
        title=report_title(institution, year),
        institution=institution.display_name,
        year=year,
        key_numbers=key_numbers,
        sections=sections,
        summary=summary,
    )


# -- outputs -----------------------------------------------------------------------------------


def write_xlsx(data: AnnualData) -> bytes:
    """A summary sheet (title, key numbers, every section's text), one sheet per table, and
    the income sheet with the fen beside the yuan so a sum reconciles with the ledger."""
    summary: list[list[Any]] = [[data.title], [_("Currency"), CURRENCY], []]
    summary += [[label, cell_value(value)] for label, value in data.key_numbers]
    for sec in data.sections:
        summary += [[], [sec.title]]
        summary += [[line] for line in sec.text.splitlines() if line.strip()]
    book = [sheets.Sheet(_("Summary"), summary)]
    for number, sec in enumerate(data.sections[1:], start=2):
        for i, t in enumerate(sec.tables, start=1):
            name = sec.title if len(sec.tables) == 1 else f"{number}.{i} {t.title}"
            rows = [[cell_value(c) for c in r] for r in t.rows]
            headers = list(t.headers)
            if sec.key == "income":
                headers.append(_("Amount (fen)"))
                rows = [
                    [*cells, r[-1].fen if isinstance(r[-1], Fen) else None]
                    for cells, r in zip(rows, t.rows, strict=True)
                ]
            book.append(sheets.Sheet(name, rows, headers))
    return sheets.to_xlsx(book)


def build_files(job: Any) -> tuple[bytes, bytes]:
    """(xlsx, pdf) of an annual report job, in the active language, as its requester may see
    the institution now (NotVisible, failing the job, when they may not any more)."""
    from luodi.insights import annual_report_pdf
    from luodi.pdf import register_font

    if job.institution is None:
        raise NotVisible(_("The institution of this report no longer exists."))
    data = collect(job.requested_by, job.institution, job.period_start.year, job.sections)
    return write_xlsx(data), annual_report_pdf.write_pdf(data, register_font())
