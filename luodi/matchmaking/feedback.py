"""What matchmaking learns from outcomes, per counterparty organization.

A decline records the counterparty's answer (given by its own members, or relayed by the
owner or staff) with a reason from a fixed list; the item's features at that moment are kept
on the record. From those rows, per organization:

- too early   → items at or below the most mature stage it declined as too early lose score;
- wrong field → items only in fields it declined (and never accepted) lose score;
- no capacity → for a park, the carrier types the declined item needed count as full (a hard
                constraint: a park whose GMP space is full stops receiving GMP-dependent
                matches until it accepts one again); for others a small penalty;
- terms       → items offering only the transfer modes it declined on terms lose score;
- accepted (shortlisted, introduced, in discussion, converted) → shared fields gain a little.

Rules are recomputed from the rows on each query (one query for all candidates), so they
always follow the latest feedback and can be shown as "what was learned".

Beside the rules, outcomes are labelled history (`outcomes_for`): an achievement an
organization accepted or declined becomes, through its stored vector, memory for that
organization (luodi.matching.outcomes, the learning `luodi eval retrieval --train` measures).
The next achievement close to one it accepted gains ("similar to X, accepted before"), one
close to one it declined loses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser
from luodi.catalog import rules as catalog_rules
from luodi.catalog.choices import CarrierType, Stage, TransferMode, maturity
from luodi.catalog.models import Organization
from luodi.matching.outcomes import OutcomeMemory, Recall
from luodi.matchmaking.adapters import ItemProfile
from luodi.matchmaking.models import DeclineReason, MatchRecord, MatchStatus
from luodi.matchmaking.scoring import Reason
from luodi.text import join_items

ACCEPTED = (
    MatchStatus.SHORTLISTED,
    MatchStatus.INTRODUCED,
    MatchStatus.IN_DISCUSSION,
    MatchStatus.CONVERTED,
)


@dataclass
class Learned:
    org_id: int
    too_early_upto: float | None = None  # maturity at or below which items are too early
    too_early_stage: str = ""
    wrong_fields: set[str] = field(default_factory=set)
    liked_fields: set[str] = field(default_factory=set)
    full_carriers: set[str] = field(default_factory=set)
    terms_modes: set[str] = field(default_factory=set)
    no_capacity: bool = False
    reasons: Counter[str] = field(default_factory=Counter)
    accepted: int = 0

    def add(self, status: str, reason: str, f: Mapping[str, Any]) -> None:
        fields = set(f.get("areas", [])) | set(f.get("tech", []))
        if status in ACCEPTED:
            self.accepted += 1
            self.liked_fields |= fields
            # Accepting a GMP-dependent item again means the space is there after all.
            self.full_carriers -= set(f.get("carrier_needs", [])[:1])
            return
        if status != MatchStatus.DECLINED:
            return
        self.reasons[reason] += 1
        if reason == DeclineReason.TOO_EARLY:
            m = float(f.get("maturity", maturity(str(f.get("stage", "")))))
            if self.too_early_upto is None or m > self.too_early_upto:
                self.too_early_upto, self.too_early_stage = m, str(f.get("stage", ""))
        elif reason == DeclineReason.WRONG_FIELD:
            self.wrong_fields |= fields
        elif reason == DeclineReason.NO_CAPACITY:
            self.no_capacity = True
            self.full_carriers |= set(f.get("carrier_needs", [])[:1])
        elif reason == DeclineReason.TERMS:
            self.terms_modes |= set(f.get("transfer_modes", []))


def learned_for(org_ids: Collection[int]) -> dict[int, Learned]:
    """Learned rules of each organization, from its match records (oldest first)."""
    out: dict[int, Learned] = {}
    rows = (
        MatchRecord.objects.filter(counterparty_id__in=list(org_ids))
        .exclude(status=MatchStatus.SUGGESTED)
        .order_by("updated_at", "id")
        .values_list("counterparty_id", "status", "decline_reason", "features")
    )
    for org_id, status, reason, features in rows:
        out.setdefault(org_id, Learned(org_id)).add(status, reason, features or {})
    return out


# Score change at full strength (a near-duplicate of an accepted achievement): as much as a
# strong field fit (scoring.field_fit caps at 0.25) and a bit more, since the organization
# itself said yes to this kind of item.
OUTCOME_WEIGHT = 0.3


def _answered(org_ids: Collection[int]) -> QuerySet[MatchRecord]:
    """The organizations' accepted and declined achievements: what `outcomes_for` remembers
    and the "what was learned" page lists."""
    return MatchRecord.objects.filter(
        counterparty_id__in=list(org_ids),
        achievement_id__isnull=False,
        status__in=[*ACCEPTED, MatchStatus.DECLINED],
    ).exclude(
        # A record whose counterparty owns the achievement (a need matched to it) is the
        # owner answering, not an organization choosing achievements.
        counterparty_id=F("achievement__owner_id")
    )


@dataclass
class Answered:
    """One achievement the organization accepted or declined, as its viewer may see it: the
    title only when the viewer may see the achievement (`achievement_id` is None then too)."""

    achievement_id: int | None
    title: str
    status: str
    reason: str
    at: datetime

    @property
    def accepted(self) -> bool:
        return self.status in ACCEPTED

    @property
    def reason_label(self) -> str:
        return str(DeclineReason(self.reason).label) if self.reason in DeclineReason.values else ""


def answered(user: AnyUser, org_id: int, limit: int = 50) -> list[Answered]:
    """The organization's latest answers that matchmaking remembers, newest first."""
    rows = list(
        _answered([org_id])
        .order_by("-updated_at", "-id")
        .values_list("achievement_id", "status", "decline_reason", "updated_at")[:limit]
    )
    titles = visible_titles(user, [r[0] for r in rows])
    return [
        Answered(
            achievement_id=pk if pk in titles else None,
            title=titles.get(pk, ""),
            status=status,
            reason=reason if status == MatchStatus.DECLINED else "",
            at=at,
        )
        for pk, status, reason, at in rows
    ]


@dataclass
class LearnedReport:
    """What the "what was learned" page and API show about one organization."""

    org: Organization
    learned: Learned | None
    lines: list[str]
    answered: list[Answered]


def learned_report(user: AnyUser, org_pk: int) -> LearnedReport:
    """Http404 when `user` may not see the organization, PermissionDenied when they may see
    it but not what its rankings learned (`matchmaking.see_learned`)."""
    org = get_object_or_404(catalog_rules.organizations_visible_to(user), pk=org_pk)
    if not user.has_perm("matchmaking.see_learned", org):
        raise PermissionDenied
    learned = learned_for([org.pk]).get(org.pk)
    return LearnedReport(org, learned, describe(learned), answered(user, org.pk))


def visible_titles(user: AnyUser, pks: list[int]) -> dict[int, str]:
    """Titles of the achievements `user` may see among `pks`: an explanation or a history
    names no other."""
    if not pks:
        return {}
    rows = catalog_rules.achievements_visible_to(user).filter(pk__in=set(pks))
    return {a.pk: a.title for a in rows}


def outcomes_for(
    org_ids: Collection[int], vector_of: Callable[[int], np.ndarray | None]
) -> OutcomeMemory | None:
    """The organizations' accepted and declined achievements as outcome memory (side: the
    organization's id as text; item: the achievement's). Achievements without a stored
    vector are left out; None when nothing is remembered."""
    rows = (
        _answered(org_ids)
        .order_by("updated_at", "id")
        .values_list("counterparty_id", "achievement_id", "status")
    )
    memory: OutcomeMemory | None = None
    vectors: dict[int, np.ndarray | None] = {}
    for org_id, achievement_id, status in rows:
        if achievement_id not in vectors:
            vectors[achievement_id] = vector_of(achievement_id)
        v = vectors[achievement_id]
        if v is None:
            continue
        if memory is None:
            memory = OutcomeMemory(int(np.asarray(v).shape[-1]))
        memory.add(str(org_id), str(achievement_id), v, accepted=status in ACCEPTED)
    return memory


def outcome_reason(recall: Recall | None, titles: Mapping[int, str]) -> list[Reason]:
    """The score change from a side's history, naming the similar achievement only when the
    viewer may see it (`titles` holds the visible ones)."""
    if recall is None:
        return []
    title = titles.get(int(recall.item), "")
    if recall.accepted:
        text = (
            _("Similar to “%(t)s”, which was accepted before") % {"t": title}
            if title
            else _("Similar to an achievement accepted before")
        )
    else:
        text = (
            _("Similar to “%(t)s”, which was declined before") % {"t": title}
            if title
            else _("Similar to an achievement declined before")
        )
    return [Reason("similar", text, recall.accepted, round(OUTCOME_WEIGHT * recall.gain, 4))]


def adjustments(item: ItemProfile, learned: Learned | None, is_park: bool) -> list[Reason]:
    """Score changes for `item` from what was learned about one counterparty. (A park's full
    carriers are applied by `scoring.carrier_fit` as a hard constraint.)"""
    if learned is None:
        return []
    out: list[Reason] = []
    if learned.too_early_upto is not None and item.maturity <= learned.too_early_upto:
        out.append(
            Reason(
                "learned",
                _("Declined stage %(s)s and earlier as too early")
                % {"s": _stage(learned.too_early_stage)},
                False,
                -0.3,
            )
        )
    fields = item.areas | item.tech
    if fields and learned.wrong_fields & fields and not learned.liked_fields & fields:
        out.append(
            Reason("learned", _("Declined items in these fields as the wrong field"), False, -0.2)
        )
    if learned.liked_fields & fields:
        out.append(Reason("learned", _("Accepted items in these fields before"), True, 0.05))
    if learned.no_capacity and not is_park:
        out.append(Reason("learned", _("Reported no capacity recently"), False, -0.15))
    modes = set(item.transfer_modes)
    if modes and modes <= learned.terms_modes:
        out.append(Reason("learned", _("Declined these deal terms before"), False, -0.1))
    return out


def _stage(code: str) -> str:
    return str(Stage(code).label) if code in Stage.values else code


def _mode_label(code: str) -> str:
    return str(TransferMode(code).label) if code in TransferMode.values else code


def describe(learned: Learned | None) -> list[str]:
    """The learned rules in words, for the "what was learned" page. No item is named, so
    nothing about a confidential achievement can show."""
    if learned is None:
        return []
    out = []
    if learned.too_early_upto is not None:
        out.append(
            _("Items at stage %(s)s or earlier rank lower (declined as too early).")
            % {"s": _stage(learned.too_early_stage)}
        )
    if learned.wrong_fields:
        out.append(
            _("Items only in %(n)s declined fields rank lower (wrong field).")
            % {"n": len(learned.wrong_fields - learned.liked_fields)}
        )
    for c in sorted(learned.full_carriers):
        label = CarrierType(c).label if c in CarrierType.values else c
        out.append(
            _("%(t)s counts as full: items that need it are shown as not hostable.") % {"t": label}
        )
    if learned.no_capacity and not learned.full_carriers:
        out.append(_("Reported no capacity: suggestions rank lower."))
    if learned.terms_modes:
        out.append(
            _("Items offering only these deal terms rank lower: %(m)s.")
            % {"m": join_items(sorted(_mode_label(m) for m in learned.terms_modes))}
        )
    if learned.liked_fields:
        out.append(
            _("Items in %(n)s fields it accepted before rank a little higher.")
            % {"n": len(learned.liked_fields)}
        )
    return out
