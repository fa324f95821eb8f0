"""Payroll export: the cash lines of people in final or paid distributions of one
institution that became final in a period, as an .xlsx file written by luodi.sheets.
Amounts in yuan as exact decimals (never float), with the fen beside them; equity is never
payroll cash and is left out. Links are named only as far as the user may see them."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _

from luodi import money, sheets
from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Organization
from luodi.rewards import rules
from luodi.rewards.choices import PAYABLE_STATES, PERSON_ROLES, DistributionState
from luodi.rewards.models import RewardLine
from luodi.rewards.report import income_label


def payroll_lines(
    user: AnyUser, institution: Organization, start: date, end: date, unpaid_only: bool = False
) -> QuerySet[RewardLine]:
    states = [DistributionState.FINAL] if unpaid_only else list(PAYABLE_STATES)
    distributions = rules.distributions_visible_to(user).filter(
        institution=institution,
        state__in=states,
        equity=False,
        finalized_on__gte=start,
        finalized_on__lte=end,
    )
    return (
        RewardLine.objects.filter(distribution__in=distributions, role__in=PERSON_ROLES)
        .select_related("person", "distribution__entry", "distribution__institution")
        .order_by("recipient", "distribution_id", "position")
    )


def payroll_sheet(user: AnyUser, lines: list[RewardLine]) -> sheets.Sheet:
    entries = {line.distribution.entry_id: line.distribution.entry for line in lines}
    links = rules.visible_links(user, list(entries.values()))
    headers = [
        _("person"),
        _("role"),
        _("institution"),
        _("achievement"),
        _("income event"),
        _("received on"),
        _("amount (yuan)"),
        _("amount (fen)"),
        _("currency"),
        _("distribution"),
        _("notice period"),
        _("state"),
    ]
    rows = []
    for line in lines:
        d = line.distribution
        link = links[d.entry_id]
        notice = (
            f"{d.notice_starts_on:%Y-%m-%d} – {d.notice_ends_on:%Y-%m-%d}"
            if d.notice_starts_on and d.notice_ends_on
            else ""
        )
        rows.append(
            [
                line.recipient,
                line.get_role_display(),
                d.institution.display_name,
                link.achievement.title if link.achievement else "",
                income_label(
                    d.entry.get_kind_display(), link.agreement.title if link.agreement else None
                ),
                d.entry.received_on,
                money.to_yuan(line.amount_fen),
                line.amount_fen,
                d.currency,
                d.pk,
                notice,
                d.get_state_display(),
            ]
        )
    return sheets.Sheet(_("Payroll"), rows, headers)


def download(
    user: AnyUser, institution: Organization, start: date, end: date, unpaid_only: bool
) -> HttpResponse:
    lines = list(payroll_lines(user, institution, start, end, unpaid_only))
    stem = f"rewards-payroll-{institution.pk}-{start:%Y%m%d}-{end:%Y%m%d}"
    return sheets.download("xlsx", stem, [payroll_sheet(user, lines)])
