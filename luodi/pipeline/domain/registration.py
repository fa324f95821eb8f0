"""Writes on technology-contract registrations (技术合同认定登记): fill in or edit one, and
move it along preparing → submitted → registered (or returned by the office, with its
reason). Each write is one transaction and one audit entry.

The rules a status needs (every checklist item before submitting; number, date, office, both
amounts and the checklist for registered) are checked against the row as stored after the
write has locked it, so two people saving and moving at once cannot leave a registered
contract without its number or an unticked item.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.concurrency import Conflict, claim, current_version
from luodi.pipeline.choices import (
    REGISTRABLE_KINDS,
    REGISTRATION_NEEDS_REASON,
    REGISTRATION_TRANSITIONS,
    AgreementKind,
    RegistrationCheck,
    RegistrationStatus,
)
from luodi.pipeline.domain.projects import IllegalTransition
from luodi.pipeline.models import Agreement, ContractRegistration
from luodi.text import join_items

REGISTRATION_FIELDS = [
    "registration_number",
    "registered_on",
    "office",
    "transaction_value_fen",
    "technical_income_fen",
    "checklist",
    "note",
]
# The largest amount accepted, in fen (one trillion yuan): far beyond any contract, and well
# inside the database's 64-bit integer.
MAX_FEN = 10**14
# What registered needs besides the checklist (the words for each are in `_need_label`).
_REGISTERED_NEEDS = [
    "registration_number",
    "registered_on",
    "office",
    "transaction_value_fen",
    "technical_income_fen",
]


def status_label(status: str) -> str:
    return str(RegistrationStatus(status).label) if status in RegistrationStatus.values else status


def is_registrable(agreement: Agreement) -> bool:
    return agreement.kind in REGISTRABLE_KINDS


def unticked(registration: ContractRegistration) -> list[str]:
    """The checklist items not ticked yet, as their keys, in the checklist's order."""
    done = set(registration.checklist or [])
    return [key for key in RegistrationCheck.values if key not in done]


def _need_label(name: str) -> str:
    labels = {
        "registration_number": _("the registration number"),
        "registered_on": _("the date of registration"),
        "office": _("the registration office"),
        "transaction_value_fen": _("the transaction value"),
        "technical_income_fen": _("the technical income"),
    }
    return labels[name]


def missing_for(registration: ContractRegistration, status: str) -> list[tuple[str, str]]:
    """What `registration` still lacks to be in `status`: (field name or checklist key, plain
    words) pairs, in the order a person fills them in; empty when nothing is missing."""
    missing: list[tuple[str, str]] = []
    if status == RegistrationStatus.REGISTERED:
        missing += [
            (name, _need_label(name))
            for name in _REGISTERED_NEEDS
            if getattr(registration, name) in (None, "")
        ]
    if status in (RegistrationStatus.SUBMITTED, RegistrationStatus.REGISTERED):
        missing += [(key, str(RegistrationCheck(key).label)) for key in unticked(registration)]
    return missing


def _requirement_errors(registration: ContractRegistration, status: str) -> dict[str, list[str]]:
    """Field errors for what `status` needs and `registration` lacks."""
    errors: dict[str, list[str]] = {}
    if status == RegistrationStatus.REGISTERED:
        for name in _REGISTERED_NEEDS:
            if getattr(registration, name) in (None, ""):
                errors[name] = [
                    _("Registered needs %(what)s.") % {"what": _need_label(name)},
                ]
    if status in (RegistrationStatus.SUBMITTED, RegistrationStatus.REGISTERED):
        missing = [str(RegistrationCheck(key).label) for key in unticked(registration)]
        if missing:
            errors["checklist"] = [
                _('"%(status)s" needs every checklist item ticked; still missing: %(items)s.')
                % {"status": status_label(status), "items": join_items(missing)}
            ]
    return errors


def _value_errors(registration: ContractRegistration) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if registration.registered_on and registration.registered_on > timezone.localdate():
        errors["registered_on"] = [_("The date of registration cannot be in the future.")]
    for name in ("transaction_value_fen", "technical_income_fen"):
        value = getattr(registration, name)
        if value is not None and not 0 <= value <= MAX_FEN:
            errors[name] = [_("Give an amount between 0 and one trillion yuan.")]
    value, income = registration.transaction_value_fen, registration.technical_income_fen
    if value is not None and income is not None and income > value:
        errors["technical_income_fen"] = [
            _("The technical income cannot be more than the transaction value.")
        ]
    number = registration.registration_number
    if (
        number
        and ContractRegistration.objects.filter(registration_number=number)
        .exclude(pk=registration.pk)
        .exists()
    ):
        errors["registration_number"] = [
            _("Another contract is registered under this number already.")
        ]
    return errors


def _normalized(values: dict[str, Any]) -> dict[str, Any]:
    """The editable values given, cleaned: text stripped, the checklist as known keys in the
    checklist's order (an unknown key is a field error, not silently dropped)."""
    out: dict[str, Any] = {}
    for name in REGISTRATION_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name in ("registration_number", "office", "note"):
            value = (value or "").strip()
        if name == "checklist":
            given = [str(v) for v in (value or [])]
            unknown = [v for v in given if v not in RegistrationCheck.values]
            if unknown:
                raise ValidationError(
                    {
                        "checklist": [
                            _("Unknown checklist items: %(k)s.") % {"k": join_items(unknown)}
                        ]
                    }
                )
            value = [key for key in RegistrationCheck.values if key in given]
        out[name] = value
    return out


def _refuse_kind(agreement: Agreement) -> None:
    if not is_registrable(agreement):
        kind = (
            AgreementKind(agreement.kind).label
            if agreement.kind in AgreementKind.values
            else agreement.kind
        )
        raise ValidationError(
            {
                "kind": [
                    _(
                        "Only technology development, transfer, licence, service and consulting "
                        'contracts can be registered; this agreement is a "%(kind)s".'
                    )
                    % {"kind": kind}
                ]
            }
        )


@transaction.atomic
def save_registration(
    *,
    actor: User,
    agreement: Agreement,
    values: dict[str, Any],
    expected_version: int | None = None,
    ip: str | None = None,
) -> ContractRegistration:
    """Start the agreement's registration (status "preparing") or edit it.

    Raises ValidationError keyed by field (nothing written) for an agreement of a kind that
    is not registered, an amount out of range, technical income above the transaction value,
    a date in the future, a number used already, or an edit that would take away what the
    current status needs; concurrency.Conflict when `expected_version` is not the stored one.
    """
    clean = _normalized(values)
    existing = ContractRegistration.objects.filter(agreement=agreement).first()
    if existing is None:
        _refuse_kind(agreement)
        registration = ContractRegistration(agreement=agreement, recorded_by=actor, **clean)
        _raise(_value_errors(registration))
        try:
            # A savepoint: a second create racing this one (or the same number) is refused
            # as a conflict or a field error, never a 500.
            with transaction.atomic():
                registration.save()
        except IntegrityError:
            other = ContractRegistration.objects.filter(agreement=agreement)
            if other.exists():
                raise Conflict(current_version(other)) from None
            raise ValidationError(
                {"registration_number": [_("Another contract is registered under this number.")]}
            ) from None
        audit.record(
            actor=actor,
            verb="registration.create",
            target=registration,
            changes={"agreement": agreement.pk, **{k: audit.jsonable(v) for k, v in clean.items()}},
            ip=ip,
        )
        return registration
    # Claim first: the row is locked from here, so the status read below is the one the
    # save is checked against.
    claim(existing, expected_version)
    registration = ContractRegistration.objects.get(pk=existing.pk)
    names = list(clean)
    before = audit.snapshot(registration, names)
    for name, value in clean.items():
        setattr(registration, name, value)
    _raise(_value_errors(registration) | _requirement_errors(registration, registration.status))
    registration.recorded_by = actor
    registration.save(update_fields=[*names, "recorded_by", "updated_at"])
    audit.record(
        actor=actor,
        verb="registration.update",
        target=registration,
        changes=audit.field_changes(before, registration, names),
        ip=ip,
    )
    return registration


@transaction.atomic
def move_registration(
    *,
    actor: User,
    registration: ContractRegistration,
    to: str,
    reason: str = "",
    ip: str | None = None,
) -> ContractRegistration:
    """Move the registration to `to` if the transition table allows it from its stored status.

    The move is claimed by a conditional UPDATE (`WHERE status = <the status decided from>`)
    on the locked row: of two people moving it at once only the first succeeds, the other
    gets IllegalTransition from the status it finds. ValidationError (keyed by field, nothing
    changed) when `to` needs something the registration lacks, or "returned" has no reason.
    """
    rows = ContractRegistration.objects.filter(pk=registration.pk)
    # Lock the row (PostgreSQL) and read it as stored: the checks below see what an edit
    # saved meanwhile, and an edit waits for this move.
    current = rows.select_for_update().get()
    old = current.status
    if to not in RegistrationStatus.values:
        raise IllegalTransition(_("Unknown status: %(status)s.") % {"status": to})
    allowed = REGISTRATION_TRANSITIONS.get(old, ())
    if to not in allowed:
        raise IllegalTransition(
            _('A registration cannot go from "%(from)s" to "%(to)s".')
            % {"from": status_label(old), "to": status_label(to)}
        )
    reason = reason.strip()
    if to in REGISTRATION_NEEDS_REASON and not reason:
        raise ValidationError({"reason": [_("Say why the office returned the contract.")]})
    _raise(_requirement_errors(current, to))
    update: dict[str, Any] = {"status": to, "updated_at": timezone.now()}
    if to in REGISTRATION_NEEDS_REASON:
        update["return_reason"] = reason
    # The claim: on a database without row locks (SQLite) a move made meanwhile from the same
    # status is still caught here.
    if not rows.filter(status=old).update(**update):
        now = str(rows.values_list("status", flat=True).get())
        raise IllegalTransition(
            _('The registration is "%(status)s" now; reload the page.')
            % {"status": status_label(now)}
        )
    moved = rows.get()
    audit.record(
        actor=actor,
        verb="registration.move",
        target=moved,
        changes={"status": [old, to], **({"reason": reason} if reason else {})},
        ip=ip,
    )
    return moved


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)
