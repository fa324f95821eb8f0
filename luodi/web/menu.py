"""The navigation menu. Each app adds its entry here: label, URL name, who sees it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from luodi.accounts import rules as account_rules
from luodi.accounts.rules import AnyUser
from luodi.ingest import rules as ingest_rules


@dataclass(frozen=True)
class MenuEntry:
    label: str | Promise
    url_name: str
    visible: Callable[[AnyUser], bool]
    args: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return reverse(self.url_name, args=self.args)


def _signed_in(user: AnyUser) -> bool:
    return bool(user.is_authenticated)


MENU: list[MenuEntry] = [
    MenuEntry(_("Home"), "home", _signed_in),
    MenuEntry(_("Search"), "search:search", _signed_in),
    MenuEntry(_("Reports"), "insights:reports", _signed_in),
    MenuEntry(_("Industry layout"), "insights:layout", _signed_in),
    MenuEntry(_("Matchmaking"), "matchmaking:inbox", _signed_in),
    MenuEntry(_("Projects"), "pipeline:board", account_rules.is_staff | account_rules.is_partner),
    MenuEntry(_("My tasks"), "pipeline:my-tasks", _signed_in),
    MenuEntry(_("Engagements"), "engagements:calendar", _signed_in),
    MenuEntry(_("Achievements"), "catalog:list", _signed_in, ("achievements",)),
    MenuEntry(_("Clinical needs"), "catalog:list", _signed_in, ("needs",)),
    MenuEntry(_("Organizations"), "catalog:list", _signed_in, ("organizations",)),
    MenuEntry(_("Carriers"), "catalog:list", _signed_in, ("carriers",)),
    MenuEntry(_("People"), "catalog:list", _signed_in, ("people",)),
    MenuEntry(_("Trials"), "catalog:trials", _signed_in),
    MenuEntry(_("Import"), "ingest:upload", ingest_rules.can_import),
    MenuEntry(_("Review queue"), "catalog:review-queue", account_rules.is_staff),
    MenuEntry(_("Applications"), "applications", account_rules.is_staff),
    MenuEntry(_("Audit log"), "audit-log", account_rules.is_staff),
]


def entries_for(user: AnyUser) -> list[MenuEntry]:
    return [entry for entry in MENU if entry.visible(user)]
