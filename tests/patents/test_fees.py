"""The annual-fee schedule and application numbers of Chinese patents (pure functions)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from luodi import money
from luodi.patents import fees, numbers
from luodi.patents.choices import FeeState, Office, PatentType


def _schedule(**kw: object) -> list[fees.FeeYear]:
    args: dict[str, object] = {
        "office": Office.CNIPA,
        "kind": PatentType.INVENTION,
        "filing_date": date(2020, 3, 15),
        "grant_date": date(2023, 6, 20),
        "reduction": 0,
        "paid": {},
        "today": date(2023, 7, 1),
    }
    return fees.schedule(**(args | kw))  # type: ignore[arg-type]


def test_an_invention_owes_from_its_grant_year_to_the_twentieth() -> None:
    rows = _schedule()
    # Filed 2020-03-15, granted 2023-06-20: in its 4th year (2023-03-15 – 2024-03-14).
    assert [r.year for r in rows] == list(range(4, 21))
    first, second = rows[0], rows[1]
    assert (first.state, first.paid_on, first.fee_fen) == (FeeState.PAID, date(2023, 6, 20), 120000)
    # The 5th year begins on 2024-03-15: its fee is due by the day before.
    assert (second.starts_on, second.due_on) == (date(2024, 3, 15), date(2024, 3, 14))
    assert second.grace_until == date(2024, 9, 14)
    assert second.state == FeeState.UPCOMING
    assert [r.full_fen // 100 for r in rows if r.year in (6, 7, 10, 13, 16, 20)] == [
        1200,
        2000,
        4000,
        6000,
        8000,
        8000,
    ]
    assert fees.expires_on(PatentType.INVENTION, date(2020, 3, 15)) == date(2040, 3, 14)


@pytest.mark.parametrize(
    ("kind", "filed", "years", "last_fee"),
    [
        (PatentType.UTILITY_MODEL, date(2020, 3, 15), 10, 2000),
        (PatentType.DESIGN, date(2021, 6, 1), 15, 3000),
        (PatentType.DESIGN, date(2021, 5, 31), 10, 2000),
    ],
)
def test_terms_and_fees_of_utility_models_and_designs(
    kind: str, filed: date, years: int, last_fee: int
) -> None:
    granted = filed.replace(year=filed.year + 1)
    rows = _schedule(kind=kind, filing_date=filed, grant_date=granted, today=granted)
    assert rows[-1].year == years
    assert rows[-1].full_fen == last_fee * 100
    assert fees.term_years(kind, filed) == years


def test_states_through_the_year_and_its_grace_period() -> None:
    due = date(2024, 3, 14)
    states = {
        day: _schedule(today=day)[1]
        for day in (
            date(2023, 12, 1),  # more than 60 days ahead
            date(2024, 1, 20),  # within 60 days
            date(2024, 3, 14),  # on the day
            date(2024, 4, 10),  # first month late: no late fee
            date(2024, 4, 20),  # second month: 5 %
            date(2024, 9, 14),  # last day of grace: 25 %
            date(2024, 9, 15),  # lapsed
        )
    }
    got = [(row.state, row.late_fee_fen) for row in states.values()]
    assert got == [
        (FeeState.UPCOMING, 0),
        (FeeState.DUE, 0),
        (FeeState.DUE, 0),
        (FeeState.GRACE, 0),
        (FeeState.GRACE, 6000),
        (FeeState.GRACE, 30000),
        (FeeState.MISSED, 0),
    ]
    assert states[date(2024, 9, 15)].due_on == due
    # The schedule ends at the missed year, and nothing is owed any more.
    lapsed = _schedule(today=date(2024, 9, 15))
    assert lapsed[-1].year == 5
    assert fees.next_unpaid(lapsed) is None


def test_a_payment_moves_the_next_fee_on() -> None:
    rows = _schedule(paid={5: date(2024, 3, 1)}, today=date(2024, 3, 2))
    assert rows[1].state == FeeState.PAID
    nxt = fees.next_unpaid(rows)
    assert nxt is not None and (nxt.year, nxt.due_on) == (6, date(2025, 3, 14))


def test_reductions_cover_ten_years_from_the_grant_year() -> None:
    rows = _schedule(reduction=85)
    reduced = [r.year for r in rows if r.reduced]
    assert reduced == list(range(4, 14))
    assert rows[0].fee_fen == 120000 * 15 // 100  # 180 yuan
    assert all(r.fee_fen == r.full_fen for r in rows if r.year >= 14)


def test_a_leap_day_filing_falls_due_on_the_28th() -> None:
    rows = _schedule(filing_date=date(2020, 2, 29), grant_date=date(2021, 5, 1))
    assert rows[1].starts_on == date(2022, 2, 28)


def test_no_schedule_for_other_offices_or_pending_patents() -> None:
    assert _schedule(office=Office.PCT) == []
    assert _schedule(office=Office.USPTO) == []
    assert _schedule(grant_date=None) == []


@pytest.mark.parametrize(
    ("given", "normal", "kind"),
    [
        ("CN 2023 1012 3456.?", "202310123456.?", PatentType.INVENTION),
        ("ZL202320123456.?", "202320123456.?", PatentType.UTILITY_MODEL),
        ("202330123456?", "202330123456.?", PatentType.DESIGN),
        ("98123456.?", "98123456.?", PatentType.INVENTION),
        ("202380123456.?", "202380123456.?", PatentType.INVENTION),
    ],
)
def test_application_numbers_are_normalised_and_checked(given: str, normal: str, kind: str) -> None:
    digits = normal.split(".")[0]
    check = numbers.check_character(digits)
    given, normal = given.replace("?", check), normal.replace("?", check)

    assert numbers.normalize(given) == normal
    assert numbers.problem(given) is None
    assert numbers.type_of(given) == kind


def test_a_typing_error_is_caught_by_the_check_character() -> None:
    good = "202310123456." + numbers.check_character("202310123456")
    swapped = "202310123465." + good[-1]  # two digits swapped

    assert numbers.problem(swapped) == "check"
    assert numbers.problem("2023101234") == "form"
    assert numbers.problem("202340123456." + numbers.check_character("202340123456")) == "type"


def test_every_single_digit_typing_error_is_caught() -> None:
    # The weights (2–9, 2–5) are all prime to 11, so changing any one digit changes the sum
    # modulo 11: no single mistyped digit passes.
    digits = "202310123456"
    good = numbers.check_character(digits)
    for position in range(len(digits)):
        for digit in "0123456789":
            if digit == digits[position]:
                continue
            typo = digits[:position] + digit + digits[position + 1 :]
            assert numbers.check_character(typo) != good, typo


def test_money_reads_in_yuan_without_rounding() -> None:
    assert [money.plain(f) for f in (120000, 18005, 5, 0)] == ["1,200.00", "180.05", "0.05", "0.00"]
    assert money.shown(120010) == "¥1,200.10" and money.shown(None) == ""
    assert money.to_fen(Decimal("1200.10")) == 120010
    assert money.to_yuan(120010) == Decimal("1200.10")
