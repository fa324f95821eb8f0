"""Privacy API (staff): a person's legal basis, export and anonymisation (privacy.py)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import Field

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.models import Person
from luodi.catalog.rules import people_visible_to
from luodi.control_chars import InputSchema
from luodi.errors import ApiError
from luodi.privacy import domain as privacy

# operation_id: the ids API clients generated before this module moved out of accounts.
router = Router(tags=["privacy"])


class LegalBasisIn(InputSchema):
    legal_basis: Literal["", "consent", "contract", "public_interest", "published"] = Field(
        description="consent | contract | public_interest | published; empty: not recorded"
    )


class PersonPrivacyOut(Schema):
    id: int
    name: str
    legal_basis: str
    anonymised: bool
    accounts_with_address: int = Field(description="user accounts sharing the address")


class AnonymisedOut(Schema):
    person: PersonPrivacyOut
    event_registrations: int
    account_applications: int
    notification_deliveries: int
    audit_entries: int


def _person(request: HttpRequest, person_id: int) -> tuple[User, Person]:
    if not request.user.has_perm("accounts.manage_personal_data"):
        raise ApiError(403, "forbidden", "Only association staff manage personal information.")
    assert isinstance(request.user, User)
    return request.user, get_object_or_404(people_visible_to(request.user), pk=person_id)


def _out(person: Person) -> PersonPrivacyOut:
    return PersonPrivacyOut(
        id=person.pk,
        name=str(person),
        legal_basis=person.legal_basis,
        anonymised=privacy.is_anonymised(person),
        accounts_with_address=len(privacy.accounts_with_email(person.email)),
    )


@router.get(
    "/people/{person_id}",
    response=PersonPrivacyOut,
    operation_id="luodi_accounts_privacy_api_get_person",
)
def get_person(request: HttpRequest, person_id: int) -> PersonPrivacyOut:
    return _out(_person(request, person_id)[1])


@router.put(
    "/people/{person_id}/legal-basis",
    response=PersonPrivacyOut,
    operation_id="luodi_accounts_privacy_api_put_legal_basis",
)
def put_legal_basis(
    request: HttpRequest, person_id: int, payload: LegalBasisIn
) -> PersonPrivacyOut:
    actor, person = _person(request, person_id)
    privacy.set_legal_basis(
        actor=actor, person=person, legal_basis=payload.legal_basis, ip=audit.client_ip(request)
    )
    return _out(person)


@router.get(
    "/people/{person_id}/export",
    response=dict[str, Any],
    summary="Everything Luodi holds that names the person (audited)",
    operation_id="luodi_accounts_privacy_api_export",
)
def export(request: HttpRequest, person_id: int) -> dict[str, Any]:
    actor, person = _person(request, person_id)
    return privacy.export_person(actor=actor, person=person, ip=audit.client_ip(request))


@router.post(
    "/people/{person_id}/anonymise",
    response=AnonymisedOut,
    summary="Replace name and contact details; links and counts stay (cannot be undone)",
    operation_id="luodi_accounts_privacy_api_anonymise",
)
def anonymise(request: HttpRequest, person_id: int) -> AnonymisedOut:
    actor, person = _person(request, person_id)
    counts = privacy.anonymise_person(actor=actor, person=person, ip=audit.client_ip(request))
    person.refresh_from_db()
    return AnonymisedOut(
        person=_out(person),
        event_registrations=counts["event_registrations"],
        account_applications=counts["account_applications"],
        notification_deliveries=counts["notification_deliveries"],
        audit_entries=counts["audit_entries"],
    )
