"""One of each: every permission question is a named rule, and there is one request-user helper.

- Role predicates (`is_staff(`, `is_viewer(`, `is_partner(`) are the building blocks of rules:
  they belong in an app's `rules.py` (luodi/accounts/rules.py defines them). Anywhere else a
  decision asks `user.has_perm("app.named_rule", obj)` or calls a predicate named in a rules
  module, so the answer has one definition that views, APIs, templates and domain code share.
- The signed-in user of a request comes from `luodi.accounts.request_user.request_user`; a
  local `def _user(request` copy is not allowed back.

KNOWN_ROLE_CHECKS lists the modules that still ask a role directly. The list only shrinks: an
entry whose module no longer asks fails too, so remove it when its module moves to a rule.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "luodi"

ROLE_CHECK = re.compile(r"\bis_(?:staff|viewer|partner)\(")
USER_COPY = re.compile(r"def _user\(request")

# Relative to luodi/. Each: what the role decides there; what removes the entry.
KNOWN_ROLE_CHECKS: set[str] = set()


def _modules() -> list[tuple[str, str]]:
    return [
        (path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(ROOT.rglob("*.py"))
        if "migrations" not in path.parts
    ]


def _is_rules_module(rel: str) -> bool:
    return rel == "accounts/rules.py" or rel.endswith("/rules.py")


def test_role_checks_live_in_rules_modules() -> None:
    asking = {rel for rel, text in _modules() if ROLE_CHECK.search(text)}
    outside = {rel for rel in asking if not _is_rules_module(rel)}
    new = sorted(outside - KNOWN_ROLE_CHECKS)
    assert not new, f"ask a named rule (user.has_perm / a rules.py predicate) instead: {new}"
    gone = sorted(KNOWN_ROLE_CHECKS - outside)
    assert not gone, f"no longer asks a role directly; remove from KNOWN_ROLE_CHECKS: {gone}"


def test_one_request_user_helper() -> None:
    copies = sorted(rel for rel, text in _modules() if USER_COPY.search(text))
    assert not copies, f"use luodi.accounts.request_user.request_user instead: {copies}"


def test_the_checks_see_what_they_look_for() -> None:
    assert ROLE_CHECK.search("if not rules.is_staff(request.user):")
    assert ROLE_CHECK.search("is_viewer(user)") and ROLE_CHECK.search("is_partner(u)")
    assert not ROLE_CHECK.search("user.is_staff and this_is_staff(x)")
    assert USER_COPY.search("def _user(request: HttpRequest) -> User:")
