"""Writes of reward distributions: computing one from a received income entry (and again,
while a draft), and each change of state — approve, put on public notice (公示), an
objection (back to draft), final after the notice, paid. One transaction, one audit entry
and one history event each; `actor` is keyword-only. Every write claims the version, so a
page opened before another change conflicts instead of acting on a state it never saw.
Permission checks are the callers' (rules.py); the checks here are of the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.concurrency import claim, save_changes
from luodi.ledger.choices import LedgerDirection, LedgerKind, LedgerStatus
from luodi.ledger.models import LedgerEntry
from luodi.rewards import split
from luodi.rewards.choices import DistributionState, LineRole
from luodi.rewards.models import (
    Deduction,
    DistributionEvent,
    RewardDistribution,
    RewardLine,
)
from luodi.rewards.policies import policy_in_force, shares_of

State = DistributionState
MAX_FEN = 10**14
# Which state each change comes from.
FROM = {
    State.APPROVED: (State.DRAFT,),
    State.ON_NOTICE: (State.APPROVED,),
    State.DRAFT: (State.ON_NOTICE,),  # an objection during the notice
    State.FINAL: (State.ON_NOTICE,),
    State.PAID: (State.FINAL,),
}


def suggested_expenses(entry: LedgerEntry) -> QuerySet[LedgerEntry]:
    """Deductible costs of an income entry: the expenses paid for the same achievement by the
    same institution that no distribution has deducted yet."""
    if entry.achievement_id is None:
        return LedgerEntry.objects.none()
    return LedgerEntry.objects.filter(
        institution_id=entry.institution_id,
        achievement_id=entry.achievement_id,
        direction=LedgerDirection.EXPENSE,
        status=LedgerStatus.RECEIVED,
        reward_deduction__isnull=True,
    ).order_by("received_on", "pk")


def _check_source(entry: LedgerEntry) -> None:
    if entry.direction != LedgerDirection.INCOME or entry.status != LedgerStatus.RECEIVED:
        raise ValidationError({"entry": [_("Only received income can be shared as rewards.")]})


def _deductions(
    entry: LedgerEntry,
    expenses: Sequence[LedgerEntry] | None,
    deducted_fen: int | None,
    note: str,
    distribution: RewardDistribution | None,
) -> tuple[list[LedgerEntry], int]:
    """The expenses deducted and the amount, checked: each a paid expense of the entry's
    achievement not deducted by another distribution; an amount that differs from their sum
    needs a note."""
    if expenses is None:
        expenses = list(suggested_expenses(entry))
    errors: dict[str, list[str]] = {}
    for cost in expenses:
        taken = Deduction.objects.filter(entry=cost)
        if distribution is not None:
            taken = taken.exclude(distribution=distribution)
        if (
            cost.direction != LedgerDirection.EXPENSE
            or cost.status != LedgerStatus.RECEIVED
            or cost.institution_id != entry.institution_id
            or cost.achievement_id is None
            or cost.achievement_id != entry.achievement_id
            or taken.exists()
        ):
            errors.setdefault("expenses", []).append(
                _("Only paid costs of the same achievement not yet deducted may be chosen.")
            )
            break
    costs = sum(c.amount_fen for c in expenses)
    amount = costs if deducted_fen is None else deducted_fen
    if not isinstance(amount, int) or not 0 <= amount <= MAX_FEN:
        errors.setdefault("deducted_fen", []).append(_("Enter an amount of 0 or more."))
    elif amount != costs and not note.strip():
        errors.setdefault("deduction_note", []).append(
            _("Say why the deduction differs from the costs chosen.")
        )
    if errors:
        raise ValidationError(errors)
    return list(expenses), amount


def _apply(
    distribution: RewardDistribution,
    entry: LedgerEntry,
    expenses: list[LedgerEntry],
    deducted_fen: int,
) -> None:
    """Compute the split of `entry` into `distribution` (saved, lines replaced): the policy
    in force on the received day, copied; the contributors' current shares."""
    assert entry.received_on is not None
    policy = policy_in_force(entry.institution_id, entry.received_on)
    if policy is None:
        raise ValidationError(
            {"policy": [_("No reward policy of the institution is in force on the day received.")]}
        )
    if entry.achievement is None:
        raise ValidationError(
            {"achievement": [_("Link the income to its achievement in the ledger first.")]}
        )
    shares = shares_of(entry.achievement)
    if not shares:
        raise ValidationError(
            {"achievement": [_("Record the contributor shares of the achievement first.")]}
        )
    gross = entry.amount_fen
    base = max(0, gross - deducted_fen)
    rates = split.Rates(policy.team_bp, policy.main_bp, policy.institution_bp, policy.department_bp)
    members = [split.Member(s.person_id, s.share_bp, s.is_main) for s in shares]
    result = split.split(base, rates, members)
    for name in ("team_bp", "main_bp", "institution_bp", "department_bp", "department_name"):
        setattr(distribution, name, getattr(policy, name))
    distribution.policy = policy
    distribution.equity = entry.kind == LedgerKind.EQUITY
    distribution.gross_fen, distribution.deducted_fen, distribution.base_fen = (
        gross,
        deducted_fen,
        base,
    )
    distribution.save()
    distribution.lines.all().delete()
    distribution.deductions.all().delete()
    Deduction.objects.bulk_create(Deduction(distribution=distribution, entry=c) for c in expenses)
    people = {s.person_id: s for s in shares}
    names = {
        LineRole.INSTITUTION: entry.institution.display_name,
        LineRole.DEPARTMENT: policy.department_name,
    }
    RewardLine.objects.bulk_create(
        RewardLine(
            distribution=distribution,
            role=part.role,
            person_id=part.key,
            recipient=(str(people[part.key].person) if part.key else names[LineRole(part.role)])[
                :200
            ],
            agreed_bp=people[part.key].share_bp if part.key else None,
            share_ppm=round(part.share * 1_000_000),
            amount_fen=part.amount_fen,
            position=i,
        )
        for i, part in enumerate(result.parts)
    )


def _event(actor: User, distribution: RewardDistribution, from_state: str, note: str = "") -> None:
    DistributionEvent.objects.create(
        distribution=distribution,
        from_state=from_state,
        to_state=distribution.state,
        note=note,
        actor=actor if actor.pk else None,
    )


@transaction.atomic
def create_distribution(
    *,
    actor: User,
    entry: LedgerEntry,
    expenses: Sequence[LedgerEntry] | None = None,
    deducted_fen: int | None = None,
    deduction_note: str = "",
    is_demo: bool = False,
    ip: str | None = None,
) -> RewardDistribution:
    """A draft distribution of a received income entry (one per entry). Without `expenses`
    the suggested ones are deducted; without `deducted_fen`, their sum."""
    _check_source(entry)
    if RewardDistribution.objects.filter(entry=entry).exists():
        raise ValidationError({"entry": [_("This income already has a reward split.")]})
    chosen, amount = _deductions(entry, expenses, deducted_fen, deduction_note, None)
    distribution = RewardDistribution(
        entry=entry,
        institution_id=entry.institution_id,
        deduction_note=deduction_note,
        created_by=actor if actor.pk else None,
        is_demo=is_demo,
    )
    try:
        with transaction.atomic():
            _apply(distribution, entry, chosen, amount)
    except IntegrityError:
        raise ValidationError(
            {"entry": [_("This income already has a reward split, or a cost was just deducted.")]}
        ) from None
    _event(actor, distribution, "")
    audit.record(
        actor=actor,
        verb="rewarddistribution.create",
        target=distribution,
        changes={"entry": entry.pk, "base_fen": distribution.base_fen},
        ip=ip,
    )
    return distribution


def _claim(distribution: RewardDistribution, expected_version: int | None, to: State) -> str:
    """Claim the version (Conflict when stale), then check the state as stored now."""
    claim(distribution, expected_version)
    stored = RewardDistribution.objects.filter(pk=distribution.pk).values_list("state", flat=True)
    state = str(stored.first())
    if state not in FROM[to]:
        raise ValidationError(
            {
                "state": [
                    _("This is not possible while the distribution is %(state)s.")
                    % {"state": State(state).label}
                ]
            }
        )
    return state


@transaction.atomic
def recompute(
    *,
    actor: User,
    distribution: RewardDistribution,
    expenses: Sequence[LedgerEntry] | None = None,
    deducted_fen: int | None = None,
    deduction_note: str = "",
    expected_version: int | None = None,
    ip: str | None = None,
) -> RewardDistribution:
    """Compute a draft again: the entry's amount now, the policy in force and the shares now,
    the deduction given."""
    claim(distribution, expected_version)
    state = RewardDistribution.objects.filter(pk=distribution.pk).values_list("state", flat=True)
    if state.first() != State.DRAFT:
        raise ValidationError({"state": [_("Only a draft can be computed again.")]})
    entry = LedgerEntry.objects.select_related("institution", "achievement").get(
        pk=distribution.entry_id
    )
    _check_source(entry)
    chosen, amount = _deductions(entry, expenses, deducted_fen, deduction_note, distribution)
    before = distribution.base_fen
    distribution.deduction_note = deduction_note
    _apply(distribution, entry, chosen, amount)
    _event(actor, distribution, State.DRAFT, _("computed again"))
    audit.record(
        actor=actor,
        verb="rewarddistribution.recompute",
        target=distribution,
        changes={"base_fen": [before, distribution.base_fen]},
        ip=ip,
    )
    return distribution


def _move(
    *,
    actor: User,
    distribution: RewardDistribution,
    to: State,
    changes: dict[str, Any],
    note: str,
    expected_version: int | None,
    ip: str | None,
) -> RewardDistribution:
    was = _claim(distribution, expected_version, to)
    save_changes(
        actor=actor,
        instance=distribution,
        changes={**changes, "state": to},
        verb=f"rewarddistribution.{to}",
        claimed=True,
        ip=ip,
    )
    _event(actor, distribution, was, note)
    return distribution


def _required(**values: str) -> None:
    missing = {k: [_("This field is required.")] for k, v in values.items() if not v.strip()}
    if missing:
        raise ValidationError(missing)


@transaction.atomic
def approve(
    *,
    actor: User,
    distribution: RewardDistribution,
    body: str,
    reference: str,
    expected_version: int | None = None,
    ip: str | None = None,
) -> RewardDistribution:
    """A draft approved by `body` (the meeting or office) under `reference`."""
    _required(approval_body=body, approval_reference=reference)
    changes = {
        "approved_by": actor if actor.pk else None,
        "approved_at": timezone.now(),
        "approval_body": body.strip()[:200],
        "approval_reference": reference.strip()[:200],
    }
    return _move(
        actor=actor,
        distribution=distribution,
        to=State.APPROVED,
        changes=changes,
        note=f"{body} {reference}".strip(),
        expected_version=expected_version,
        ip=ip,
    )


def notice_end(starts_on: date, days: int) -> date:
    """The last day of a notice of `days` days starting on `starts_on` (15 days from the 1st
    end on the 15th)."""
    return starts_on + timedelta(days=days - 1)


@transaction.atomic
def start_notice(
    *,
    actor: User,
    distribution: RewardDistribution,
    starts_on: date | None,
    ends_on: date | None,
    where: str,
    expected_version: int | None = None,
    ip: str | None = None,
) -> RewardDistribution:
    """An approved split published for public notice from `starts_on` to `ends_on` (at least
    the policy's days) at `where`."""
    errors: dict[str, list[str]] = {}
    days = distribution.policy.notice_days
    if starts_on is None:
        errors["notice_starts_on"] = [_("Enter the first day of the notice.")]
    if ends_on is None:
        errors["notice_ends_on"] = [_("Enter the last day of the notice.")]
    elif starts_on is not None and ends_on < notice_end(starts_on, days):
        errors["notice_ends_on"] = [
            _("The notice lasts at least %(days)d days: until %(day)s or later.")
            % {"days": days, "day": notice_end(starts_on, days).isoformat()}
        ]
    if not where.strip():
        errors["notice_where"] = [_("Say where the split is published.")]
    if errors:
        raise ValidationError(errors)
    return _move(
        actor=actor,
        distribution=distribution,
        to=State.ON_NOTICE,
        changes={
            "notice_starts_on": starts_on,
            "notice_ends_on": ends_on,
            "notice_where": where.strip()[:200],
        },
        note=where.strip(),
        expected_version=expected_version,
        ip=ip,
    )


@transaction.atomic
def record_objection(
    *,
    actor: User,
    distribution: RewardDistribution,
    text: str,
    expected_version: int | None = None,
    ip: str | None = None,
) -> RewardDistribution:
    """An objection raised during the notice: recorded, and the split goes back to draft
    (to be computed, approved and noticed again)."""
    _required(objection=text)
    changes: dict[str, Any] = {
        "objection": text.strip(),
        "approved_by": None,
        "approved_at": None,
        "approval_body": "",
        "approval_reference": "",
        "notice_starts_on": None,
        "notice_ends_on": None,
        "notice_where": "",
    }
    return _move(
        actor=actor,
        distribution=distribution,
        to=State.DRAFT,
        changes=changes,
        note=text.strip(),
        expected_version=expected_version,
        ip=ip,
    )


@transaction.atomic
def finalize(
    *,
    actor: User,
    distribution: RewardDistribution,
    today: date | None = None,
    expected_version: int | None = None,
    ip: str | None = None,
) -> RewardDistribution:
    """Final once the notice has ended without objection (an objection would have sent it
    back to draft)."""
    today = today or timezone.localdate()
    ends = distribution.notice_ends_on
    if distribution.state == State.ON_NOTICE and ends is not None and today <= ends:
        raise ValidationError(
            {
                "notice_ends_on": [
                    _("The notice runs until %(day)s; final only after that day.")
                    % {"day": ends.isoformat()}
                ]
            }
        )
    return _move(
        actor=actor,
        distribution=distribution,
        to=State.FINAL,
        changes={"finalized_on": today},
        note="",
        expected_version=expected_version,
        ip=ip,
    )


@transaction.atomic
def mark_paid(
    *,
    actor: User,
    distribution: RewardDistribution,
    paid_on: date | None,
    expected_version: int | None = None,
    ip: str | None = None,
) -> RewardDistribution:
    """A final split paid (payroll run) on `paid_on`."""
    today = timezone.localdate()
    if paid_on is None:
        raise ValidationError({"paid_on": [_("Enter the day it was paid.")]})
    if paid_on > today:
        raise ValidationError({"paid_on": [_("This day cannot be in the future.")]})
    if distribution.finalized_on is not None and paid_on < distribution.finalized_on:
        raise ValidationError({"paid_on": [_("It cannot be paid before it was final.")]})
    return _move(
        actor=actor,
        distribution=distribution,
        to=State.PAID,
        changes={"paid_on": paid_on},
        note="",
        expected_version=expected_version,
        ip=ip,
    )
