"""Technology-contract registration (技术合同认定登记) in the pipeline API: read an agreement's
registration (whoever sees the agreement), fill it in or replace its fields (PUT, with the
version loaded), and move its status. Money is in fen with `currency`; errors use the shared
shape: 404 for an agreement not visible, 403 without the permission, 409 on a stale version
or a move the table does not allow, 422 keyed by field for what is missing or wrong."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.concurrency import Conflict, Row, conflict_error, expected_from
from luodi.errors import ApiError, require_perm
from luodi.pipeline.api import _raise_validation, router
from luodi.pipeline.domain import registration as domain
from luodi.pipeline.domain.projects import IllegalTransition
from luodi.pipeline.models import Agreement, ContractRegistration
from luodi.pipeline.rules import agreements_visible_to, registrations_visible_to
from luodi.pipeline.schemas import (
    ContractRegistrationIn,
    ContractRegistrationOut,
    RegistrationMoveIn,
)

PERM = "pipeline.register_contract"


def _agreement(request: HttpRequest, agreement_id: int) -> Agreement:
    return get_object_or_404(agreements_visible_to(request.user), pk=agreement_id)


def _registration(request: HttpRequest, agreement: Agreement) -> ContractRegistration:
    found = registrations_visible_to(request.user).filter(agreement=agreement).first()
    if found is None:
        raise ApiError(404, "not_found", "This agreement has no contract registration yet.")
    return found


@router.get("/agreements/{agreement_id}/registration", response=ContractRegistrationOut)
def get_registration(request: HttpRequest, agreement_id: int) -> ContractRegistration:
    """The agreement's contract registration (404 when none was started)."""
    return _registration(request, _agreement(request, agreement_id))


def _differing(fresh: ContractRegistration, sent: dict[str, Any]) -> list[Row]:
    """The fields the client sent that hold another value now (for the 409)."""
    return [
        Row(name, name, str(getattr(fresh, name)), str(value))
        for name, value in sent.items()
        if name in domain.REGISTRATION_FIELDS and getattr(fresh, name) != value
    ]


@router.put("/agreements/{agreement_id}/registration", response=ContractRegistrationOut)
def put_registration(
    request: HttpRequest, agreement_id: int, payload: ContractRegistrationIn
) -> ContractRegistration:
    """Start the registration (status `preparing`) or replace its fields. Only technology
    development, transfer, licence, service and consulting contracts can be registered
    (422 on `kind` otherwise)."""
    agreement = _agreement(request, agreement_id)
    require_perm(request, PERM, agreement, "You may not register this contract.")
    sent = payload.model_dump()
    expected = expected_from(request, sent)
    sent["checklist"] = [str(k) for k in sent["checklist"]]
    try:
        return domain.save_registration(
            actor=request_user(request),
            agreement=agreement,
            values=sent,
            expected_version=expected,
            ip=audit.client_ip(request),
        )
    except Conflict as exc:
        fresh = ContractRegistration.objects.get(agreement=agreement)
        raise conflict_error(exc, _differing(fresh, sent)) from None
    except ValidationError as exc:
        raise _raise_validation(exc) from None


@router.post(
    "/agreements/{agreement_id}/registration/transitions", response=ContractRegistrationOut
)
def move_registration(
    request: HttpRequest, agreement_id: int, payload: RegistrationMoveIn
) -> ContractRegistration:
    """Move the registration: preparing → submitted or registered; submitted → registered or
    returned (with the office's reason); returned → submitted or preparing. Submitted needs
    every checklist item; registered also the number, date, office and both amounts (422
    naming each missing field). A move the table does not allow is a 409."""
    agreement = _agreement(request, agreement_id)
    require_perm(request, PERM, agreement, "You may not register this contract.")
    registration = _registration(request, agreement)
    try:
        return domain.move_registration(
            actor=request_user(request),
            registration=registration,
            to=payload.to,
            reason=payload.reason,
            ip=audit.client_ip(request),
        )
    except IllegalTransition as exc:
        raise ApiError(409, "illegal_transition", exc.message) from None
    except ValidationError as exc:
        raise _raise_validation(exc) from None
