"""The navigation menu. Each app adds its entry here: label, URL name, who sees it, and the
group it sits in (the top bar shows a few direct links and one drop-down per group, so it
fits on one line)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from luodi.accounts import rules as account_rules
from luodi.accounts.rules import AnyUser
from luodi.ingest import rules as ingest_rules
from luodi.insights import rules as insights_rules


@dataclass(frozen=True)
class MenuEntry:
    label: str | Promise
    url_name: str
    visible: Callable[[AnyUser], bool]
    args: tuple[str, ...] = ()
    group: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name, args=self.args)


def _signed_in(user: AnyUser) -> bool:
    return bool(user.is_authenticated)


CATALOG, WORK, INSIGHTS, ADMIN = "catalog", "work", "insights", "admin"
GROUP_LABELS: dict[str, str | Promise] = {
    CATALOG: _("Catalog"),
    WORK: _("Work"),
    INSIGHTS: _("Insights"),
    ADMIN: _("Administration"),
}
_staff_or_partner = account_rules.is_staff | account_rules.is_partner
_staff_partner_or_viewer = _staff_or_partner | account_rules.is_viewer

MENU: list[MenuEntry] = [
    MenuEntry(_("Home"), "home", _signed_in),
    MenuEntry(_("Search"), "search:search", _signed_in),
    MenuEntry(_("Matchmaking"), "matchmaking:inbox", _signed_in),
    MenuEntry(_("Achievements"), "catalog:list", _signed_in, ("achievements",), CATALOG),
    MenuEntry(_("Clinical needs"), "catalog:list", _signed_in, ("needs",), CATALOG),
    MenuEntry(_("Organizations"), "catalog:list", _signed_in, ("organizations",), CATALOG),
    MenuEntry(_("Carriers"), "catalog:list", _signed_in, ("carriers",), CATALOG),
    MenuEntry(_("People"), "catalog:list", _signed_in, ("people",), CATALOG),
    MenuEntry(_("Trials"), "catalog:trials", _signed_in, (), CATALOG),
    MenuEntry(_("Projects"), "pipeline:board", _staff_or_partner, (), WORK),
    MenuEntry(_("Agreements"), "pipeline:agreements", _staff_or_partner, (), WORK),
    MenuEntry(_("Company requests"), "pipeline:requests", _staff_or_partner, (), WORK),
    MenuEntry(_("After landing"), "aftercare:board", _staff_partner_or_viewer, (), WORK),
    MenuEntry(_("Patents"), "patents:list", _staff_or_partner, (), WORK),
    MenuEntry(_("Transfer ledger"), "ledger:index", _staff_or_partner, (), WORK),
    MenuEntry(_("Reward distributions"), "rewards:index", _staff_or_partner, (), WORK),
    MenuEntry(_("Ownership and use-right grants"), "grants:list", _staff_or_partner, (), WORK),
    MenuEntry(_("Assessments"), "assessments:list", _staff_or_partner, (), WORK),
    MenuEntry(_("Challenges"), "challenges:list", _signed_in, (), WORK),
    MenuEntry(_("My tasks"), "pipeline:my-tasks", _signed_in, (), WORK),
    MenuEntry(_("Engagements"), "engagements:calendar", _signed_in, (), WORK),
    MenuEntry(_("Conferences"), "conferences:list", _signed_in, (), WORK),
    MenuEntry(_("Reports"), "insights:reports", _signed_in, (), INSIGHTS),
    MenuEntry(_("After-landing KPIs"), "insights:after-landing", _signed_in, (), INSIGHTS),
    MenuEntry(_("Industry layout"), "insights:layout", _signed_in, (), INSIGHTS),
    MenuEntry(_("What led to landing"), "insights:attribution", _staff_or_partner, (), INSIGHTS),
    MenuEntry(
        _("Annual transformation report"),
        "insights:annual",
        insights_rules.builds_annual_reports,
        (),
        INSIGHTS,
    ),
    MenuEntry(_("Import"), "ingest:upload", ingest_rules.can_import, (), ADMIN),
    MenuEntry(_("Review queue"), "catalog:review-queue", account_rules.is_staff, (), ADMIN),
    MenuEntry(_("Applications"), "applications", account_rules.is_staff, (), ADMIN),
    MenuEntry(_("Audit log"), "audit-log", account_rules.is_staff, (), ADMIN),
]


@dataclass(frozen=True)
class MenuGroup:
    """A top-bar item: one direct link (`key` empty) or a drop-down of a group's entries."""

    key: str
    label: str | Promise
    entries: list[MenuEntry]


def grouped(entries: list[MenuEntry]) -> list[MenuGroup]:
    """Entries in menu order, each group placed where its first entry stands."""
    items: list[MenuGroup] = []
    by_key: dict[str, MenuGroup] = {}
    for entry in entries:
        if not entry.group:
            items.append(MenuGroup("", entry.label, [entry]))
        elif entry.group in by_key:
            by_key[entry.group].entries.append(entry)
        else:
            by_key[entry.group] = MenuGroup(entry.group, GROUP_LABELS[entry.group], [entry])
            items.append(by_key[entry.group])
    return items


def entries_for(user: AnyUser) -> list[MenuEntry]:
    return [entry for entry in MENU if entry.visible(user)]
