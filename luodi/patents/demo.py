"""Demo patents for hospital achievements: one fee due within weeks, one overdue in its
grace period, one paid ahead, a utility model whose licensee pays the fees, a pending
application and a PCT filing — so the list, the schedules and the reminders have content
on a fresh `make run`. Dates are set from today, so the demo never goes stale.

The patents back the demo's fictional achievements of real hospitals (West China first,
the demo hospital user's own); numbers have valid check characters and a high serial
range, and every record carries the demo flag. Everything goes through the domain.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Protocol

from django.db.models import Q
from django.utils import timezone

from luodi.accounts.models import Role, User
from luodi.catalog.choices import AchievementKind, OrganizationKind
from luodi.catalog.models import Achievement, Organization
from luodi.patents import domain, numbers
from luodi.patents.choices import LegalStatus, Office, PatentType, Reduction
from luodi.patents.fees import add_years
from luodi.patents.models import Patent
from luodi.pipeline.models import Agreement

DAY = timedelta(days=1)
OWN_HOSPITAL = "四川大学华西医院"


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def _number(year: int, kind_digit: str, serial: int) -> str:
    digits = f"{year}{kind_digit}{serial:07d}"
    return f"{digits}.{numbers.check_character(digits)}"


def _granted(today: date, next_year: int, starts_in: int, granted_in: int) -> tuple[date, date]:
    """Filing and grant dates such that patent year `next_year` begins `starts_in` days
    from today and the grant fell in year `granted_in`."""
    filed = add_years(today + timedelta(days=starts_in), -(next_year - 1))
    return filed, add_years(filed, granted_in - 1) + timedelta(days=75)


def _achievements() -> list[Achievement]:
    # Software is protected by copyright registration (软著), not by patents.
    hospital = Q(owner__kind=OrganizationKind.HOSPITAL, is_demo=True) & ~Q(
        kind=AchievementKind.SOFTWARE
    )
    own = Achievement.objects.filter(hospital, owner__name_zh=OWN_HOSPITAL).order_by("pk")
    rest = Achievement.objects.filter(hospital).exclude(owner__name_zh=OWN_HOSPITAL)
    return [*own[:4], *rest.order_by("pk")[:4]]


def load(out: Writer) -> None:
    if Patent.objects.filter(is_demo=True).exists():
        return
    actor = User.objects.filter(role=Role.STAFF, is_active=True).order_by("pk").first()
    found = _achievements()
    if actor is None or len(found) < 6:
        out.write("  patents demo skipped: no staff user or too few hospital achievements\n")
        return
    today = timezone.localdate()
    licensee = (
        Organization.objects.filter(kind=OrganizationKind.COMPANY, is_demo=True)
        .order_by("pk")
        .first()
    )
    # (type digit, kind, next unpaid year, it begins in days, granted in year, paid years,
    #  reduction, status, office, fee payer)
    plans: list[tuple[str, str, int, int, int, list[int], int, str, str, Any]] = [
        ("1", PatentType.INVENTION, 4, 26, 3, [], Reduction.SINGLE, "granted", "cnipa", None),
        ("1", PatentType.INVENTION, 5, -39, 3, [4], Reduction.SINGLE, "granted", "cnipa", None),
        ("1", PatentType.INVENTION, 6, 201, 3, [4, 5], Reduction.SINGLE, "granted", "cnipa", None),
        ("2", PatentType.UTILITY_MODEL, 3, 51, 2, [], Reduction.NONE, "granted", "cnipa", licensee),
        ("1", PatentType.INVENTION, 2, 0, 0, [], Reduction.SINGLE, "pending", "cnipa", None),
        ("1", PatentType.INVENTION, 2, 0, 0, [], Reduction.NONE, "pending", "pct", None),
    ]
    made = 0
    for i, (
        digit,
        kind,
        nxt,
        starts_in,
        granted_in,
        paid,
        reduction,
        status,
        office,
        payer,
    ) in enumerate(plans):
        achievement = found[i]
        if status == LegalStatus.GRANTED:
            filed, granted = _granted(today, nxt, starts_in, granted_in)
        else:
            filed, granted = today - timedelta(days=200 + 90 * i), None
        if office == Office.PCT:
            number = f"PCT/CN{filed.year}/{95000 + i:06d}"
        else:
            number = _number(filed.year, digit, 9_800_000 + 37 * i)
        patent = domain.save_patent(
            actor=actor,
            patent=None,
            values={
                "office": office,
                "kind": kind,
                "application_number": number,
                "title_zh": achievement.title_zh,
                "title_en": achievement.title_en,
                "filing_date": filed,
                "grant_date": granted,
                "status": status,
                "reduction": reduction,
                "fee_payer": payer,
                "grant_number": f"ZL{number}" if granted else "",
            },
            owners=[achievement.owner],
            inventors=list(achievement.inventors.all()[:3]),
            achievements=[achievement],
            agreements=list(Agreement.objects.filter(project__achievement=achievement)[:2]),
            is_demo=True,
        )
        for year in paid:
            row = next(r for r in patent.fee_schedule(today) if r.year == year)
            on = row.due_on - 12 * DAY
            domain.record_payment(
                actor=actor, patent=patent, year=year, paid_on=on, amount_fen=row.fee_fen, today=on
            )
        made += 1
    out.write(f"  patents demo: {made} patents with their fee schedules\n")
