"""Writes of grants (赋权). Each is one transaction and one audit entry; `actor` is
keyword-only and explicit. Permission checks are the callers' (rules.py); the checks here are
of the data, the same for the form, the API and the demo.

- A grant is edited only as a draft: once its notice has started, the split, the valuation
  and the decision are what was published, and the evidence file must keep them as they
  were. Documents may still be attached (the notice record comes after the notice).
- Status moves only as `choices.TRANSITIONS` says. Starting the notice needs the valuation
  (valuer, report date, value), the decision (body, meeting date), the notice (dates, where
  published) and the team split; granting needs the notice period to be over and its
  outcome stated. Each move locks the row, claims the version (an edit form opened before
  it conflicts instead of writing the old state back) and writes one audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import PurePath
from typing import Any, TypeGuard

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.models import Achievement, Organization, Person
from luodi.concurrency import save_changes, save_values
from luodi.grants.choices import (
    TRANSITIONS,
    GrantAction,
    GrantDocumentType,
    GrantKind,
    GrantStatus,
)
from luodi.grants.models import FULL_BP, Grant, GrantDocument, GrantMember
from luodi.pipeline.uploads import check_upload

FIELDS = (
    "institution",
    "achievement",
    "kind",
    "team_share_bp",
    "term_years",
    "use_starts_on",
    "valuer",
    "valuation_report_on",
    "valuation_fen",
    "decision_body",
    "decided_on",
    "minutes_ref",
    "notice_starts_on",
    "notice_ends_on",
    "notice_place",
    "note",
)
# A trillion yuan: anything larger is a typing error (and stays far inside a bigint).
MAX_FEN = 10**14
MAX_TERM_YEARS = 50
MAX_MEMBERS = 50
Members = Sequence[tuple[Person, int]]


def check(values: Mapping[str, Any], members: Members | None, today: date | None = None) -> None:
    """Raise ValidationError (by field) when the values cannot describe a grant."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    institution: Organization | None = values.get("institution")
    achievement: Achievement | None = values.get("achievement")
    kind = values.get("kind") or ""
    share = values.get("team_share_bp")
    if institution is None:
        add("institution", _("Choose the institution that grants."))
    if achievement is None:
        add("achievement", _("Choose the achievement granted."))
    elif institution is not None and achievement.owner_id != institution.pk:
        add("achievement", _("This achievement is not owned by the institution."))
    if kind not in GrantKind.values:
        add("kind", _("Choose an ownership share or a long-term use right."))
    if not _is_int(share) or not 0 < share <= FULL_BP:
        add("team_share_bp", _("Enter the team's share: more than 0 % and at most 100 %."))
    term, starts = values.get("term_years"), values.get("use_starts_on")
    if kind == GrantKind.USE_RIGHT:
        if not _is_int(term) or not 0 < term <= MAX_TERM_YEARS:
            add("term_years", _("A use right needs its term: 1 to 50 years."))
        if starts is None:
            add("use_starts_on", _("A use right needs the day it starts."))
    elif kind == GrantKind.OWNERSHIP:
        if term is not None:
            add("term_years", _("Only a use right has a term; clear it."))
        if starts is not None:
            add("use_starts_on", _("Only a use right has a start day; clear it."))
    value = values.get("valuation_fen")
    if value is not None and (not _is_int(value) or not 0 < value <= MAX_FEN):
        add("valuation_fen", _("Enter a value more than zero (at most a trillion yuan)."))
    for name in ("valuation_report_on", "decided_on"):
        day = values.get(name)
        if day is not None and day > today:
            add(name, _("This day cannot be in the future."))
    begins, ends = values.get("notice_starts_on"), values.get("notice_ends_on")
    if begins is not None and ends is not None and ends < begins:
        add("notice_ends_on", _("The notice cannot end before it starts."))
    if members is not None and _is_int(share):
        _check_members(members, share, add)
    if errors:
        raise ValidationError(errors)


def _check_members(members: Members, team_share: int, add: Any) -> None:
    if len(members) > MAX_MEMBERS:
        add("members", _("At most 50 team members."))
    people = [p.pk for p, _share in members]
    if len(set(people)) != len(people):
        add("members", _("Each person may be named once."))
    if any(not _is_int(s) or not 0 < s <= FULL_BP for _p, s in members):
        add("members", _("Each member's share must be more than 0 %."))
    elif members and sum(s for _p, s in members) != team_share:
        add(
            "members",
            _(
                "The members' shares add up to %(sum)s; "
                "they must add up to the team share, %(team)s."
            )
            % {"sum": percent(sum(s for _p, s in members)), "team": percent(team_share)},
        )


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def percent(bp: int) -> str:
    """Basis points as a percentage: 7000 → "70%", 3350 → "33.5%", 1 → "0.01%"."""
    whole, rest = divmod(bp, 100)
    return f"{whole}%" if not rest else f"{whole}.{rest:02d}".rstrip("0") + "%"


def members_of(grant: Grant) -> list[tuple[Person, int]]:
    return [(m.person, m.share_bp) for m in grant.members.select_related("person")]


@transaction.atomic
def save_grant(
    *,
    actor: User,
    grant: Grant | None,
    values: Mapping[str, Any],
    members: Members | None = None,
    expected_version: int | None = None,
    is_demo: bool = False,
    ip: str | None = None,
) -> Grant:
    """Create or change a draft grant; only the fields in `values` change, and the team
    when `members` is given (replaced as a whole). A stale `expected_version` raises
    Conflict and nothing is written."""
    if grant is not None:
        grant = Grant.objects.select_for_update().get(pk=grant.pk)
        if grant.status != GrantStatus.DRAFT:
            raise ValidationError(
                {"status": [_("Only a draft can be edited: the notice has started.")]}
            )
    clean = {name: values[name] for name in FIELDS if name in values}
    if grant is not None and "institution" in clean and clean["institution"] != grant.institution:
        raise ValidationError({"institution": [_("The institution of a grant cannot change.")]})
    merged = {**audit.snapshot(grant, FIELDS), **clean}
    team = list(members) if members is not None else (members_of(grant) if grant else [])
    check(merged, team)
    target = grant or Grant(created_by=actor, is_demo=is_demo)
    save_values(
        actor=actor,
        instance=target,
        fields=FIELDS,
        values=clean,
        expected_version=expected_version,
        ip=ip,
    )
    if members is not None:
        _set_members(actor, target, team, ip)
    return target


def _set_members(actor: User, grant: Grant, team: Members, ip: str | None) -> None:
    old = [(m.person_id, m.share_bp) for m in grant.members.all()]
    new = [(p.pk, s) for p, s in team]
    if old == new:
        return
    grant.members.all().delete()
    GrantMember.objects.bulk_create(
        GrantMember(grant=grant, person=p, share_bp=s, position=i) for i, (p, s) in enumerate(team)
    )
    audit.record(
        actor=actor, verb="grant.team", target=grant, changes={"members": [old, new]}, ip=ip
    )


def missing_for_notice(grant: Grant) -> dict[str, list[str]]:
    """What the grant lacks before its notice may start, by field (empty: nothing)."""
    out: dict[str, list[str]] = {}
    if not (grant.valuer and grant.valuation_report_on and grant.valuation_fen):
        out["valuation_fen"] = [
            _("The valuation is missing: enter the valuer, the report date and the value.")
        ]
    if not (grant.decision_body and grant.decided_on):
        out["decided_on"] = [
            _("The decision is missing: enter the deciding body and the meeting date.")
        ]
    if not (grant.notice_starts_on and grant.notice_ends_on and grant.notice_place):
        out["notice_starts_on"] = [
            _("The notice is missing: enter its start and end dates and where it is published.")
        ]
    if not grant.members.exists():
        out["members"] = [_("Name the team members and their shares.")]
    return out


def _locked(grant: Grant, action: GrantAction) -> tuple[Grant, str]:
    """The grant locked for the move, and where the move takes it (ValidationError when the
    transition table does not list it)."""
    fresh = Grant.objects.select_for_update().get(pk=grant.pk)
    to = TRANSITIONS.get((fresh.status, action))
    if to is None:
        raise ValidationError(
            {
                "status": [
                    _("A grant that is %(status)s cannot do this: %(action)s.")
                    % {"status": fresh.get_status_display(), "action": action.label}
                ]
            }
        )
    return fresh, to


def _move(
    *,
    actor: User,
    grant: Grant,
    changes: dict[str, Any],
    verb: str,
    expected_version: int | None,
    ip: str | None,
) -> Grant:
    save_changes(
        actor=actor,
        instance=grant,
        changes=changes,
        verb=verb,
        expected_version=expected_version,
        ip=ip,
    )
    return grant


@transaction.atomic
def start_notice(
    *, actor: User, grant: Grant, expected_version: int | None = None, ip: str | None = None
) -> Grant:
    """Draft → on notice; refused (ValidationError naming what is missing) without the
    valuation, the decision, the notice's dates and place, or the team."""
    fresh, to = _locked(grant, GrantAction.START_NOTICE)
    missing = missing_for_notice(fresh)
    if missing:
        raise ValidationError(missing)
    check(audit.snapshot(fresh, FIELDS), members_of(fresh))
    return _move(
        actor=actor,
        grant=fresh,
        changes={"status": to},
        verb="grant.start_notice",
        expected_version=expected_version,
        ip=ip,
    )


@transaction.atomic
def record_objection(
    *,
    actor: User,
    grant: Grant,
    text: str,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Grant:
    """An objection received during the notice, added to the record with its day."""
    fresh = Grant.objects.select_for_update().get(pk=grant.pk)
    if fresh.status != GrantStatus.ON_NOTICE:
        raise ValidationError({"status": [_("Objections are recorded during the notice.")]})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"objection": [_("Write the objection received.")]})
    line = f"{timezone.localdate():%Y-%m-%d}: {text}"
    joined = f"{fresh.objections}\n{line}" if fresh.objections else line
    return _move(
        actor=actor,
        grant=fresh,
        changes={"objections": joined},
        verb="grant.objection",
        expected_version=expected_version,
        ip=ip,
    )


@transaction.atomic
def grant_rights(
    *,
    actor: User,
    grant: Grant,
    outcome: str,
    today: date | None = None,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Grant:
    """On notice → granted, once the notice period is over, with its outcome (e.g. "no
    objection received"; after objections, how they were settled)."""
    today = today or timezone.localdate()
    fresh, to = _locked(grant, GrantAction.GRANT)
    ends = fresh.notice_ends_on
    if ends is not None and today <= ends:
        raise ValidationError(
            {
                "status": [
                    _("The notice runs until %(day)s: grant after it has ended.")
                    % {"day": f"{ends:%Y-%m-%d}"}
                ]
            }
        )
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": [_("State the outcome of the notice.")]})
    return _move(
        actor=actor,
        grant=fresh,
        changes={"status": to, "notice_outcome": outcome, "granted_on": today},
        verb="grant.grant",
        expected_version=expected_version,
        ip=ip,
    )


@transaction.atomic
def withdraw(
    *,
    actor: User,
    grant: Grant,
    reason: str,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Grant:
    """A draft or a grant on notice withdrawn, with the reason."""
    fresh, to = _locked(grant, GrantAction.WITHDRAW)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for withdrawing.")]})
    return _move(
        actor=actor,
        grant=fresh,
        changes={"status": to, "withdrawn_reason": reason},
        verb="grant.withdraw",
        expected_version=expected_version,
        ip=ip,
    )


@transaction.atomic
def upload_document(
    *,
    actor: User,
    grant: Grant,
    upload: UploadedFile,
    doc_type: str,
    ip: str | None = None,
) -> GrantDocument:
    """Store `upload` in the default storage under a random name after the type and size
    checks (ValidationError, nothing written, when they fail)."""
    if doc_type not in GrantDocumentType.values:
        raise ValidationError({"doc_type": [_("Choose the type of document.")]})
    if grant.status == GrantStatus.WITHDRAWN:
        raise ValidationError({"status": [_("A withdrawn grant takes no more documents.")]})
    try:
        content_type = check_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    doc = GrantDocument(
        grant=grant,
        doc_type=doc_type,
        content_type=content_type,
        original_name=PurePath(upload.name or "document").name[:255],
        size=upload.size or 0,
        uploaded_by=actor,
    )
    doc.file.save(upload.name or "document", upload, save=False)
    try:
        doc.save()
        audit.record(
            actor=actor,
            verb="grant.upload",
            target=grant,
            changes={"document": doc.original_name, "type": doc_type, "size": doc.size},
            ip=ip,
        )
    except Exception:
        # The row is rolled back with the transaction; the file must not stay behind.
        doc.file.delete(save=False)
        raise
    return doc
