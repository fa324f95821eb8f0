"""The navigation menu. Each app adds its entry here: label, URL name, who sees it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from luodi.accounts import rules as account_rules
from luodi.accounts.rules import AnyUser


@dataclass(frozen=True)
class MenuEntry:
    label: str | Promise
    url_name: str
    visible: Callable[[AnyUser], bool]
    section: str  # the first path segment, used to mark the active entry


def _signed_in(user: AnyUser) -> bool:
    return bool(user.is_authenticated)


MENU: list[MenuEntry] = [
    MenuEntry(_("Home"), "home", _signed_in, ""),
    MenuEntry(_("Audit log"), "audit-log", account_rules.is_staff, "audit"),
]


def entries_for(user: AnyUser) -> list[MenuEntry]:
    return [entry for entry in MENU if entry.visible(user)]
