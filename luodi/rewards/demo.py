"""Demo rewards for the hospitals whose demo ledgers have received income (runs after the
ledger demo): a policy (70 % to the research team, 60 % of that to the main contributors,
20 % to the hospital, 10 % to the department, 15 days of public notice), the contributor
shares of each achievement with received income (its inventors, else people of the
hospital), and distributions in three states — last year's upfront payment final, this
year's royalty on public notice, the equity contribution a draft — so every page has
content on a fresh `make run`. Dates are set from today.

Everything goes through the domain and carries the demo flag; an institution that already
has a policy, an achievement that already has shares, an entry that already has a split
are left as they are, so a second run adds nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Protocol

from django.utils import timezone

from luodi.accounts.models import Role, User
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.models import Achievement, Organization
from luodi.ledger.choices import LedgerDirection, LedgerKind, LedgerStatus
from luodi.ledger.models import LedgerEntry
from luodi.rewards import domain, policies
from luodi.rewards.models import ContributorTeam, RewardDistribution, RewardPolicy

# Shares by team size: the first ones are the main contributors.
SHARES = {1: [(10_000, True)], 2: [(6_000, True), (4_000, False)]}
SHARES_3 = [(5_000, True), (3_000, True), (2_000, False)]


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def _policy(actor: User, institution: Organization, today: date) -> int:
    if RewardPolicy.objects.filter(institution=institution).exists():
        return 0
    values = {
        "effective_from": date(today.year - 3, 1, 1),
        "team_bp": 7_000,
        "main_bp": 6_000,
        "institution_bp": 2_000,
        "department_bp": 1_000,
        "department_name": "科研部（成果转化办公室）",
        "notice_days": 15,
        "note": "依据本院促进科技成果转化管理办法",
    }
    policies.add_policy(actor=actor, institution=institution, values=values, is_demo=True)
    return 1


def _team(actor: User, achievement: Achievement) -> int:
    if ContributorTeam.objects.filter(achievement=achievement).exists():
        return 0
    people = list(policies.candidates(achievement)[:3])
    if not people:
        return 0
    plan = SHARES.get(len(people), SHARES_3)
    rows = [policies.ShareRow(p, bp, main) for p, (bp, main) in zip(people, plan, strict=True)]
    policies.save_shares(actor=actor, achievement=achievement, rows=rows, is_demo=True)
    return 1


def _distribute(actor: User, entries: list[LedgerEntry], today: date) -> int:
    """Final (the earliest cash income), on notice (the next), draft (equity, or the rest)."""
    made = 0
    cash = [e for e in entries if e.kind != LedgerKind.EQUITY]
    equity = [e for e in entries if e.kind == LedgerKind.EQUITY]
    for i, entry in enumerate([*cash[:2], *equity[:1]]):
        if RewardDistribution.objects.filter(entry=entry).exists():
            continue
        d = domain.create_distribution(actor=actor, entry=entry, is_demo=True)
        made += 1
        if entry.kind == LedgerKind.EQUITY:
            continue  # a draft
        domain.approve(
            actor=actor, distribution=d, body="院长办公会", reference="院办纪要〔2026〕12号"
        )
        received = entry.received_on or today
        if i == 0:  # final: noticed soon after it was received, long over
            start = min(received + timedelta(days=7), today - timedelta(days=30))
            domain.start_notice(
                actor=actor,
                distribution=d,
                starts_on=start,
                ends_on=domain.notice_end(start, 15),
                where="医院官网“通知公告”栏目",
            )
            domain.finalize(actor=actor, distribution=d, today=today)
        else:  # on notice: started three days ago
            start = today - timedelta(days=3)
            domain.start_notice(
                actor=actor,
                distribution=d,
                starts_on=start,
                ends_on=domain.notice_end(start, 15),
                where="医院内网公示栏",
            )
    return made


def load(out: Writer) -> None:
    actor = User.objects.filter(role=Role.STAFF, is_active=True).order_by("pk").first()
    if actor is None:
        out.write("  rewards demo skipped: no staff user\n")
        return
    today = timezone.localdate()
    received = (
        LedgerEntry.objects.filter(
            is_demo=True,
            direction=LedgerDirection.INCOME,
            status=LedgerStatus.RECEIVED,
            achievement__isnull=False,
            institution__kind=OrganizationKind.HOSPITAL,
        )
        .select_related("institution", "achievement")
        .order_by("institution_id", "received_on", "pk")
    )
    by_institution: dict[int, list[LedgerEntry]] = {}
    for entry in received:
        by_institution.setdefault(entry.institution_id, []).append(entry)
    counts = {"policies": 0, "teams": 0, "distributions": 0}
    for entries in by_institution.values():
        counts["policies"] += _policy(actor, entries[0].institution, today)
        ids = {e.achievement_id for e in entries if e.achievement_id is not None}
        for achievement in Achievement.objects.filter(pk__in=ids).order_by("pk"):
            counts["teams"] += _team(actor, achievement)
        teamed_ids = set(
            ContributorTeam.objects.filter(achievement_id__in=ids).values_list(
                "achievement_id", flat=True
            )
        )
        teamed = [e for e in entries if e.achievement_id in teamed_ids]
        counts["distributions"] += _distribute(actor, teamed, today)
    out.write(
        "  rewards demo: {policies} policies, {teams} contributor teams, "
        "{distributions} distributions\n".format(**counts)
    )
