"""The annual-fee schedule of a Chinese patent (专利年费), computed from its dates.

Pure: dates in, rows out, nothing read from the database. The rules (Patent Law art. 42–43,
Implementing Regulations rr. 94–98, and CNIPA's fee schedule in force since 2018):

- Term counted from the filing date: invention 20 years, utility model 10, design 15 (10 for
  designs filed before 2021-06-01, when the 2020 amendment took effect).
- Patent year k runs from the k-th anniversary-minus-one of the filing date. The fee of the
  year in which the grant is made is paid with the registration formalities, so that year is
  paid by definition; each later year's fee is due before that year begins, i.e. by the day
  before the filing-date anniversary.
- A fee not paid on time may be paid within six months with a late fee: nothing in the first
  month, then 5 % of the full fee for each month begun, up to 25 %. After that the right
  lapses from the end of the last paid year.
- Reductions (85 % or 70 %) apply to the first ten years' fees counted from the year of
  grant.

Money is in fen (分), integers. Other offices' fees are not computed (an empty schedule):
their rules and currencies differ, and the PCT international phase has no annual fees.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from luodi.patents.choices import FeeState, Office, PatentType

YUAN = 100  # fen
DAY = timedelta(days=1)

# (last patent year of the band, fee in yuan), ascending.
BANDS: dict[str, tuple[tuple[int, int], ...]] = {
    PatentType.INVENTION: ((3, 900), (6, 1200), (9, 2000), (12, 4000), (15, 6000), (20, 8000)),
    PatentType.UTILITY_MODEL: ((3, 600), (5, 900), (8, 1200), (10, 2000)),
    PatentType.DESIGN: ((3, 600), (5, 900), (8, 1200), (10, 2000), (15, 3000)),
}
DESIGN_15_YEARS_FROM = date(2021, 6, 1)
GRACE_MONTHS = 6
REDUCED_YEARS = 10
# Reminders go out this many days before a fee falls due, and once more in its grace period.
REMIND_DAYS = (60, 30, 7)
DUE_SOON_DAYS = REMIND_DAYS[0]


@dataclass(frozen=True)
class FeeYear:
    year: int  # 1 = the first year from the filing date
    starts_on: date
    due_on: date
    grace_until: date  # the last day it may still be paid, with the late fee
    full_fen: int  # the standard fee
    fee_fen: int  # after the reduction
    state: FeeState
    paid_on: date | None = None
    late_fee_fen: int = 0  # what paying on the given day adds

    @property
    def reduced(self) -> bool:
        return self.fee_fen < self.full_fen


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: 28 exists in every month


def term_years(kind: str, filing_date: date) -> int:
    if kind == PatentType.INVENTION:
        return 20
    if kind == PatentType.UTILITY_MODEL:
        return 10
    return 15 if filing_date >= DESIGN_15_YEARS_FROM else 10


def expires_on(kind: str, filing_date: date) -> date:
    """The last day of the term."""
    return add_years(filing_date, term_years(kind, filing_date)) - DAY


def full_fee_fen(kind: str, year: int) -> int:
    for last, yuan in BANDS[kind]:
        if year <= last:
            return yuan * YUAN
    return BANDS[kind][-1][1] * YUAN


def patent_year(filing_date: date, day: date) -> int:
    """Which patent year `day` falls in (1 from the filing date)."""
    year = day.year - filing_date.year
    return year + 1 if day >= add_years(filing_date, year) else year


def late_fee_fen(full_fen: int, due_on: date, day: date) -> int:
    """The late fee for paying on `day` a fee due on `due_on`: 5 % per month begun after the
    first month, at most 25 %."""
    if day <= due_on:
        return 0
    month = 1  # the month of lateness `day` falls in
    while month < GRACE_MONTHS and day > add_months(due_on, month):
        month += 1
    return full_fen * 5 * (month - 1) // 100


def schedule(
    *,
    office: str,
    kind: str,
    filing_date: date | None,
    grant_date: date | None,
    reduction: int,
    paid: Mapping[int, date],
    today: date,
) -> list[FeeYear]:
    """Every annual fee from the year of grant to the end of the term, with where each
    stands on `today`; it ends at the first missed year (the right lapsed then). Empty for
    other offices and for patents not granted."""
    if office != Office.CNIPA or filing_date is None or grant_date is None:
        return []
    first = patent_year(filing_date, grant_date)
    last = term_years(kind, filing_date)
    rows: list[FeeYear] = []
    for year in range(max(first, 1), last + 1):
        starts_on = add_years(filing_date, year - 1)
        due_on = grant_date if year == first else starts_on - DAY
        grace_until = add_months(due_on, GRACE_MONTHS)
        full = full_fee_fen(kind, year)
        fee = full * (100 - reduction) // 100 if year < first + REDUCED_YEARS else full
        paid_on = paid.get(year) or (grant_date if year == first else None)
        if paid_on is not None:
            state, late = FeeState.PAID, 0
        elif today > grace_until:
            state, late = FeeState.MISSED, 0
        elif today > due_on:
            state, late = FeeState.GRACE, late_fee_fen(full, due_on, today)
        elif (due_on - today).days <= DUE_SOON_DAYS:
            state, late = FeeState.DUE, 0
        else:
            state, late = FeeState.UPCOMING, 0
        rows.append(FeeYear(year, starts_on, due_on, grace_until, full, fee, state, paid_on, late))
        if state == FeeState.MISSED:
            break
    return rows


def next_unpaid(rows: list[FeeYear]) -> FeeYear | None:
    """The first fee still to pay (due, in grace or upcoming); None when all are paid or one
    was missed."""
    for row in rows:
        if row.state == FeeState.MISSED:
            return None
        if row.state != FeeState.PAID:
            return row
    return None
