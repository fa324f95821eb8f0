"""The ledger as a spreadsheet: the entries the page lists (same filters, same visibility,
links only as far as the user may see them) and the period's summary, as two sheets of one
.xlsx file written by luodi.sheets. Amounts in yuan as exact decimals, with the fen beside
them, so a sum in the spreadsheet reconciles with the page."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _

from luodi import money, sheets
from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Organization
from luodi.ledger import rules
from luodi.ledger.choices import EXPENSE_KINDS, INCOME_KINDS, LedgerKind
from luodi.ledger.models import LedgerEntry
from luodi.ledger.summary import Period, Summary


def entry_sheet(user: AnyUser, entries: list[LedgerEntry]) -> sheets.Sheet:
    links = rules.visible_links(user, entries)
    headers = [
        _("direction"),
        _("kind"),
        _("status"),
        _("amount (yuan)"),
        _("amount (fen)"),
        _("currency"),
        _("expected on"),
        _("received or paid on"),
        _("valuation (yuan)"),
        _("shares or percentage"),
        _("achievement"),
        _("agreement"),
        _("patent annual fee"),
        _("note"),
    ]
    rows = []
    for e in entries:
        link = links[e.pk]
        rows.append(
            [
                e.get_direction_display(),
                e.get_kind_display(),
                e.get_status_display(),
                money.to_yuan(e.amount_fen),
                e.amount_fen,
                e.currency,
                e.expected_on,
                e.received_on,
                money.to_yuan(e.valuation_fen) if e.valuation_fen is not None else None,
                e.shares_note,
                link.achievement.title if link.achievement else "",
                link.agreement.title if link.agreement else "",
                _fee(link.patent_fee),
                e.note,
            ]
        )
    return sheets.Sheet(_("Entries"), rows, headers)


def _fee(fee: rules.PatentFee | None) -> str:
    if fee is None:
        return ""
    return _("Annual fee of year %(year)s, patent %(number)s") % {
        "year": fee.year,
        "number": fee.number,
    }


def summary_sheet(institution: Organization, summary: Summary) -> sheets.Sheet:
    rows: list[list[object]] = [
        [_("institution"), institution.display_name, ""],
        [_("period"), summary.period.label, ""],
    ]
    for kind in INCOME_KINDS:
        fen = summary.income[str(kind)]
        rows.append(
            [_("Income: %(kind)s") % {"kind": LedgerKind(kind).label}, money.to_yuan(fen), fen]
        )
    rows.append([_("Income received"), money.to_yuan(summary.income_fen), summary.income_fen])
    for kind in EXPENSE_KINDS:
        fen = summary.expenses[str(kind)]
        rows.append(
            [_("Expense: %(kind)s") % {"kind": LedgerKind(kind).label}, money.to_yuan(fen), fen]
        )
    rows += [
        [_("Expenses paid"), money.to_yuan(summary.expense_fen), summary.expense_fen],
        [_("Net income"), money.to_yuan(summary.net_fen), summary.net_fen],
        [
            _("Income expected, not received"),
            money.to_yuan(summary.expected_income_fen),
            summary.expected_income_fen,
        ],
        [
            _("Expenses expected, not paid"),
            money.to_yuan(summary.expected_expense_fen),
            summary.expected_expense_fen,
        ],
    ]
    return sheets.Sheet(_("Summary"), rows, ["", _("yuan"), _("fen")])


def download(
    user: AnyUser,
    institution: Organization,
    period: Period,
    entries: list[LedgerEntry],
    summary: Summary,
) -> HttpResponse:
    stem = f"ledger-{institution.pk}-{period.label.replace(' ', '')}"
    return sheets.download(
        "xlsx", stem, [summary_sheet(institution, summary), entry_sheet(user, entries)]
    )
