"""Reward distributions for the annual report: one line per distribution of an institution's
income received in a period, and what each person received. The interface the report is
coded against; it reads through rules.py like every page (empty lists for a user who may
not see the institution's rewards, links named only as far as the user may see them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Organization
from luodi.rewards import rules
from luodi.rewards.choices import PERSON_ROLES, SETTLED_STATES, LineRole
from luodi.rewards.models import RewardDistribution, RewardLine


@dataclass(frozen=True)
class DistributionLine:
    income_on: date  # day the income was received
    income: str  # kind label + agreement title as the user may see it
    achievement: str  # achievement title as the user may see it; "" if none or hidden
    base_fen: int  # the net base the policy was applied to
    team_fen: int
    main_contributors_fen: int  # part of team_fen
    institution_fen: int
    department_fen: int
    status: str  # display label of the distribution's state
    approved_on: date | None
    notice_ends_on: date | None
    equity: bool  # True: the income is equity (amounts are valuation, not cash)


@dataclass(frozen=True)
class PersonReward:
    person: str  # the person's display name
    amount_fen: int  # cash (not equity) of approved-or-later distributions in the period
    distributions: int  # how many distributions contributed


def _of(
    user: AnyUser, institution: Organization, start: date, end: date
) -> QuerySet[RewardDistribution]:
    return rules.distributions_visible_to(user).filter(
        institution=institution,
        entry__received_on__gte=start,
        entry__received_on__lte=end,
    )


def income_label(kind_label: str, agreement_title: str | None) -> str:
    """ "Royalty or licence fee · <agreement>" (the kind alone when none may be named)."""
    return f"{kind_label} · {agreement_title}" if agreement_title else kind_label


def distributions_in(
    user: AnyUser, institution: Organization, start: date, end: date
) -> list[DistributionLine]:
    found = list(
        _of(user, institution, start, end)
        .select_related("entry")
        .prefetch_related("lines")
        .order_by("entry__received_on", "pk")
    )
    links = rules.visible_links(user, [d.entry for d in found])
    out = []
    for d in found:
        link = links[d.entry_id]
        totals: dict[str, int] = {role: 0 for role in LineRole.values}
        for line in d.lines.all():
            totals[line.role] += line.amount_fen
        assert d.entry.received_on is not None
        out.append(
            DistributionLine(
                income_on=d.entry.received_on,
                income=income_label(
                    d.entry.get_kind_display(), link.agreement.title if link.agreement else None
                ),
                achievement=link.achievement.title if link.achievement else "",
                base_fen=d.base_fen,
                team_fen=totals[LineRole.MAIN] + totals[LineRole.CONTRIBUTOR],
                main_contributors_fen=totals[LineRole.MAIN],
                institution_fen=totals[LineRole.INSTITUTION],
                department_fen=totals[LineRole.DEPARTMENT],
                status=d.get_state_display(),
                approved_on=timezone.localdate(d.approved_at) if d.approved_at else None,
                notice_ends_on=d.notice_ends_on,
                equity=d.equity,
            )
        )
    return out


def rewards_in(
    user: AnyUser, institution: Organization, start: date, end: date
) -> list[PersonReward]:
    """Cash each person received from approved-or-later distributions of income received in
    the period, the largest first."""
    settled = _of(user, institution, start, end).filter(state__in=SETTLED_STATES, equity=False)
    lines = RewardLine.objects.filter(
        distribution__in=settled, role__in=PERSON_ROLES
    ).select_related("person")
    amounts: dict[int, int] = {}
    names: dict[int, str] = {}
    counted: dict[int, set[int]] = {}
    for line in lines:
        key = line.person_id or -line.pk
        names[key] = str(line.person) if line.person is not None else line.recipient
        amounts[key] = amounts.get(key, 0) + line.amount_fen
        counted.setdefault(key, set()).add(line.distribution_id)
    rows = [PersonReward(names[k] or _("(unnamed)"), amounts[k], len(counted[k])) for k in amounts]
    return sorted(rows, key=lambda r: (-r.amount_fen, r.person))
