"""Writes of patents and their fee payments. Each is one transaction and one audit entry;
`actor` is keyword-only and explicit. Permission checks are the callers' (rules.py); the
checks here are of the data, the same for a form, the API and an import."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.models import Achievement, Organization, Person
from luodi.concurrency import save_recorded
from luodi.patents import numbers
from luodi.patents.choices import FeeState, LegalStatus, Office, PatentType
from luodi.patents.models import FeePayment, Patent
from luodi.pipeline.models import Agreement

FIELDS = (
    "office",
    "kind",
    "application_number",
    "grant_number",
    "title_zh",
    "title_en",
    "filing_date",
    "priority_date",
    "grant_date",
    "status",
    "fee_payer",
    "reduction",
    "note",
)
# A fee larger than this is a typing error (the largest CNIPA annual fee is 8,000 yuan).
MAX_FEE_FEN = 100_000_000


def number_errors(office: str, kind: str, number: str) -> list[str]:
    """Why `number` cannot be a `kind` patent's application number at `office`."""
    if not number.strip():
        return [_("Enter the application number.")]
    if office != Office.CNIPA:
        return []
    problem = numbers.problem(number)
    if problem == "form":
        return [
            _(
                "A CNIPA application number has 12 digits, a dot and a check character "
                "(2023101234567 → 202310123456.7), or 8 before 2003."
            )
        ]
    if problem == "check":
        return [_("The check character after the dot does not match the digits: a typing error?")]
    if problem == "type":
        return [_("The fifth digit (the third before 2003) is not a patent type: 1, 2, 3, 8 or 9.")]
    given = numbers.type_of(number)
    if given is not None and given != kind:
        return [
            _("By its number, this patent is of the type “%(type)s”.")
            % {"type": PatentType(given).label}
        ]
    return []


def check(values: Mapping[str, Any], today: date | None = None) -> None:
    """Raise ValidationError (by field) when the values cannot describe a patent."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    office, kind = values.get("office") or "", values.get("kind") or ""
    filing, grant = values.get("filing_date"), values.get("grant_date")
    priority, status = values.get("priority_date"), values.get("status")
    for name, message in (
        ("office", _("Choose the office.")),
        ("kind", _("Choose the type of patent.")),
        ("filing_date", _("Enter the filing date.")),
    ):
        if not values.get(name):
            errors[name] = [message]
    if found := number_errors(office, kind, values.get("application_number") or ""):
        errors["application_number"] = found
    if filing and filing > today:
        errors["filing_date"] = [_("The filing date cannot be in the future.")]
    if priority and filing and priority > filing:
        errors["priority_date"] = [_("The priority date comes before the filing date.")]
    if grant and filing and grant < filing:
        errors["grant_date"] = [_("A patent is granted after it is filed.")]
    elif grant and grant > today:
        errors["grant_date"] = [_("The grant date cannot be in the future.")]
    needs_grant = (LegalStatus.GRANTED, LegalStatus.LAPSED, LegalStatus.EXPIRED)
    if status in needs_grant and not grant:
        errors["grant_date"] = [_("A granted patent needs its grant date: the fees start there.")]
    if status == LegalStatus.PENDING and grant:
        errors["status"] = [_("It has a grant date: choose granted, lapsed or expired.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_patent(
    *,
    actor: User,
    patent: Patent | None,
    values: Mapping[str, Any],
    owners: Iterable[Organization],
    inventors: Iterable[Person] = (),
    achievements: Iterable[Achievement] = (),
    agreements: Iterable[Agreement] = (),
    expected_version: int | None = None,
    is_demo: bool = False,
    ip: str | None = None,
) -> Patent:
    """Create or change a patent. The application number is stored in its normal form, so
    "CN 2023 1012 3456.7" and "202310123456.7" are one patent; a second record of the same
    number at the same office is refused on the field."""
    owners = list(owners)
    if not owners:
        raise ValidationError({"owners": [_("Name at least one owner.")]})
    clean = {name: values[name] for name in FIELDS if name in values}
    check({**audit.snapshot(patent, FIELDS), **clean})
    if "application_number" in clean:
        clean["application_number"] = numbers.normalize(clean["application_number"])
    is_new = patent is None
    target = patent or Patent(created_by=actor, is_demo=is_demo)
    before = audit.snapshot(target, FIELDS) if not is_new else None
    for name, value in clean.items():
        setattr(target, name, value)
    duplicate = Patent.objects.filter(
        office=target.office, application_number=target.application_number
    ).exclude(pk=target.pk)
    if duplicate.exists():
        raise ValidationError(
            {"application_number": [_("This number is already recorded at this office.")]}
        )
    try:
        with transaction.atomic():
            save_recorded(
                actor=actor,
                instance=target,
                fields=FIELDS,
                m2m={
                    "owners": owners,
                    "inventors": list(inventors),
                    "achievements": list(achievements),
                    "agreements": list(agreements),
                },
                before=before,
                expected_version=expected_version,
                ip=ip,
            )
    except IntegrityError as exc:  # a concurrent save of the same number won the race
        raise ValidationError(
            {"application_number": [_("This number is already recorded at this office.")]}
        ) from exc
    return target


@transaction.atomic
def record_payment(
    *,
    actor: User,
    patent: Patent,
    year: int,
    paid_on: date,
    amount_fen: int,
    late_fee_fen: int = 0,
    note: str = "",
    today: date | None = None,
    ip: str | None = None,
) -> FeePayment:
    """Record that the fee of patent year `year` was paid. The year must be one the schedule
    still owes (due, in grace or upcoming); a missed year cannot be paid any more."""
    today = today or timezone.localdate()
    rows = {row.year: row for row in patent.fee_schedule(today)}
    row = rows.get(year)
    errors: dict[str, list[str]] = {}
    if row is None:
        errors["year"] = [_("This patent owes no annual fee for that year.")]
    elif row.state == FeeState.PAID:
        errors["year"] = [_("The fee of that year is already recorded as paid.")]
    elif row.state == FeeState.MISSED:
        errors["year"] = [_("Its grace period is over: the right lapsed; record the status.")]
    if paid_on > today:
        errors["paid_on"] = [_("A payment cannot be dated in the future.")]
    if not 0 < amount_fen <= MAX_FEE_FEN:
        errors["amount_fen"] = [_("Enter the amount paid, more than zero.")]
    if not 0 <= late_fee_fen <= MAX_FEE_FEN:
        errors["late_fee_fen"] = [_("Enter the late fee, zero or more.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            payment = FeePayment.objects.create(
                patent=patent,
                year=year,
                paid_on=paid_on,
                amount_fen=amount_fen,
                late_fee_fen=late_fee_fen,
                note=note,
                recorded_by=actor,
            )
    except IntegrityError as exc:  # recorded by someone else a moment ago
        raise ValidationError(
            {"year": [_("The fee of that year is already recorded as paid.")]}
        ) from exc
    audit.record(
        actor=actor,
        verb="patent.record_fee",
        target=patent,
        changes={
            "year": year,
            "paid_on": paid_on.isoformat(),
            "amount_fen": amount_fen,
            "late_fee_fen": late_fee_fen,
        },
        ip=ip,
    )
    return payment


@transaction.atomic
def remove_payment(*, actor: User, payment: FeePayment, ip: str | None = None) -> None:
    """Take back a payment recorded by mistake (the audit log keeps what it said)."""
    patent = payment.patent
    audit.record(
        actor=actor,
        verb="patent.remove_fee",
        target=patent,
        changes={
            "year": payment.year,
            "paid_on": payment.paid_on.isoformat(),
            "amount_fen": payment.amount_fen,
        },
        ip=ip,
    )
    payment.delete()
