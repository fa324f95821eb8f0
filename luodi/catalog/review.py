"""Review states of catalog records (organizations, people, achievements, clinical needs) as
one transition table. Web forms, the API and imports ask `decide` before they write; no other
code sets a record's status by a rule of its own.

    action            who              from                        to
    create            staff            (new)                       published
    create            partner          (new)                       pending
    edit              staff            any                         unchanged (in place)
    edit              partner          draft, pending, returned    unchanged (in place)
    edit              partner          published                   unchanged; the changes
                                                                   wait as a revision
    submit            staff, partner   draft, returned             pending
    approve           staff            pending                     published
    return            staff            pending                     returned (with a comment)
    approve_revision  staff            published                   published, changes applied
    return_revision   staff            published                   published, changes dropped

"partner" is a partner allowed to change the record (a member of its organization or its
submitter: `catalog.change_<model>`); viewers change nothing. A system import (no actor)
acts as staff. An organization's profile (park, clinical center, company) follows the
organization's state (`revisions.reviewed_status`). A partner's edit of a published record
never reaches the public version: it is stored as the record's one open `Revision`
(`revisions.py`), shown to staff with a diff in the review queue, applied on approval and
dropped on return, while everybody else keeps seeing the published values. Carriers are not
reviewed (a park's own space offers; the park itself is). Each transition writes one audit
entry (`domain.py`, `revisions.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from luodi.accounts.models import User
from luodi.accounts.rules import AnyUser
from luodi.catalog.choices import ReviewStatus
from luodi.catalog.rules import may_review, submits_for_review

NEW = ""  # a record being created has no state yet
STAFF, PARTNER = "staff", "partner"

CREATE = "create"
EDIT = "edit"
SUBMIT = "submit"
APPROVE = "approve"
RETURN = "return"
APPROVE_REVISION = "approve_revision"
RETURN_REVISION = "return_revision"

DRAFT, PENDING, RETURNED, PUBLISHED = (
    ReviewStatus.DRAFT.value,
    ReviewStatus.PENDING.value,
    ReviewStatus.RETURNED.value,
    ReviewStatus.PUBLISHED.value,
)
ANY = frozenset(ReviewStatus.values)


@dataclass(frozen=True)
class Rule:
    action: str
    roles: frozenset[str]
    sources: frozenset[str]
    target: str | None = None  # None: the record keeps its state
    revision: bool = False  # the changes wait for review; the record stays as it is

    def result(self, status: str) -> str:
        return self.target or status


def _rule(
    action: str,
    roles: set[str],
    sources: set[str] | frozenset[str],
    target: str | None = None,
    revision: bool = False,
) -> Rule:
    return Rule(action, frozenset(roles), frozenset(sources), target, revision)


TABLE: tuple[Rule, ...] = (
    _rule(CREATE, {STAFF}, {NEW}, PUBLISHED),
    _rule(CREATE, {PARTNER}, {NEW}, PENDING),
    _rule(EDIT, {STAFF}, ANY),
    _rule(EDIT, {PARTNER}, {DRAFT, PENDING, RETURNED}),
    _rule(EDIT, {PARTNER}, {PUBLISHED}, revision=True),
    _rule(SUBMIT, {STAFF, PARTNER}, {DRAFT, RETURNED}, PENDING),
    _rule(APPROVE, {STAFF}, {PENDING}, PUBLISHED),
    _rule(RETURN, {STAFF}, {PENDING}, RETURNED),
    _rule(APPROVE_REVISION, {STAFF}, {PUBLISHED}),
    _rule(RETURN_REVISION, {STAFF}, {PUBLISHED}),
)


class IllegalTransition(Exception):
    """The table has no row for this action, actor and state."""

    def __init__(self, action: str, status: str, label: Any = None) -> None:
        self.action, self.status = action, status
        if label is None:
            label = ReviewStatus(status).label if status in ReviewStatus.values else status
        self.message = _("This cannot be done to a record that is “%(state)s”.") % {"state": label}
        super().__init__(self.message)


def role_of(actor: AnyUser | User | None) -> str | None:
    """The table's role of `actor` (catalog.rules: reviewers act as staff, submitters as
    partners); a system import (no actor) acts as staff."""
    if actor is None or may_review(actor):
        return STAFF
    return PARTNER if submits_for_review(actor) else None


def decide(action: str, actor: AnyUser | User | None, status: str) -> Rule:
    """The table's row for `actor` doing `action` to a record in `status` (NEW when it is
    being created); IllegalTransition when there is none."""
    role = role_of(actor)
    for rule in TABLE:
        if rule.action == action and role in rule.roles and status in rule.sources:
            return rule
    raise IllegalTransition(action, status)


def allows(action: str, actor: AnyUser | User | None, status: str) -> bool:
    try:
        decide(action, actor, status)
    except IllegalTransition:
        return False
    return True


def proposes(actor: AnyUser | User | None, status: str) -> bool:
    """Whether `actor`'s edits of a record in `status` wait for review as a revision."""
    return allows(EDIT, actor, status) and decide(EDIT, actor, status).revision
