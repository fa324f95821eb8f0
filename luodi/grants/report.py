"""Grants (赋权) for the annual report: one line per grant of an institution in a period,
as the requesting user may see it. The interface other reports are written against:

    grants_in(user, institution, start, end) -> list[GrantLine]

A grant counts in [start, end] by the day it was decided (the meeting date), or, while no
decision is recorded, the day it was created. Empty when the user may not see the
institution's grants (rules.institutions_visible_to); the achievement is named only if the
user may see it (rules.visible_links)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser
from luodi.catalog.models import Organization
from luodi.grants import rules
from luodi.grants.domain import percent


@dataclass(frozen=True)
class GrantLine:
    achievement: str  # achievement title as the user may see it
    kind: str  # display label (ownership share / long-term use right)
    team_share: str  # e.g. "70%"
    valuation_fen: int | None
    decided_on: date | None
    notice: str  # "2026-03-01 – 2026-03-15" or ""
    status: str  # display label


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def grants_in(user: AnyUser, institution: Organization, start: date, end: date) -> list[GrantLine]:
    if not rules.sees_grants_of(user, institution) or end < start:
        return []
    since, until = _bounds(start, end)
    decided = Q(decided_on__gte=start, decided_on__lte=end)
    created = Q(decided_on__isnull=True, created_at__gte=since, created_at__lt=until)
    grants = list(
        rules.grants_visible_to(user)
        .filter(institution=institution)
        .filter(decided | created)
        .select_related("institution")
    )
    grants.sort(key=lambda g: (g.day, g.pk))
    links = rules.visible_links(user, grants)
    lines = []
    for g in grants:
        link = links[g.pk].achievement
        notice = ""
        if g.notice_starts_on and g.notice_ends_on:
            notice = f"{g.notice_starts_on:%Y-%m-%d} – {g.notice_ends_on:%Y-%m-%d}"
        lines.append(
            GrantLine(
                achievement=link.title if link else _("(an achievement you may not see)"),
                kind=g.get_kind_display(),
                team_share=percent(g.team_share_bp),
                valuation_fen=g.valuation_fen,
                decided_on=g.decided_on,
                notice=notice,
                status=g.get_status_display(),
            )
        )
    return lines
