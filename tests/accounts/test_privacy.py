"""Personal information (PIPL): legal basis, export of one person's data, anonymisation that
keeps links and counts; staff only, each with an audit entry."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from luodi.accounts import audit
from luodi.accounts.models import AccountApplication, AuditEntry
from luodi.catalog.models import Person
from luodi.engagements.models import Registration
from tests.accounts.conftest import code_for, enrolled
from tests.conftest import Personas, client_for
from tests.engagements.factories import RegistrationFactory
from tests.factories import (
    PASSWORD,
    AchievementFactory,
    ClinicalNeedFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(personas: Personas) -> Client:
    """A staff session that passed the second factor."""
    device = enrolled(personas.staff)
    client = Client()
    client.post("/accounts/login/", {"username": "staff_user", "password": PASSWORD})
    client.post("/accounts/login/code/", {"code": code_for(device)})
    return client


@pytest.fixture
def person(personas: Personas) -> Person:
    person = PersonFactory(
        name_zh="李娜", name_en="Li Na", email="li.na@example.org", organization=personas.org_a
    )
    AchievementFactory(owner=personas.org_a).inventors.add(person)
    ClinicalNeedFactory(clinician=person)
    RegistrationFactory(email="li.na@example.org", name="李娜", checked_in_at=timezone.now())
    RegistrationFactory(email="someone.else@example.org")
    AccountApplication.objects.create(
        name="李娜",
        email="li.na@example.org",
        organization_name="甲机构",
        organization_kind="hospital",
        message="我的手机 138…",
    )
    audit.record(
        actor=personas.staff,
        verb="person.update",
        target=person,
        changes={"email": ["old@example.org", "li.na@example.org"], "status": ["a", "b"]},
    )
    return person


def test_staff_records_the_legal_basis(staff: Client, person: Person) -> None:
    response = staff.post(f"/accounts/privacy/people/{person.pk}/", {"legal_basis": "consent"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.legal_basis == "consent"
    entry = AuditEntry.objects.get(verb="person.set_legal_basis")
    assert entry.changes == {"legal_basis": ["", "consent"]}


def test_export_holds_every_record_naming_the_person(staff: Client, person: Person) -> None:
    response = staff.get(f"/accounts/privacy/people/{person.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="person-{person.pk}.json"'
    data = json.loads(response.content)

    assert data["person"]["email"] == "li.na@example.org"
    assert [a["role"] for a in data["achievements"]] == ["inventor"]
    assert [n["role"] for n in data["clinical_needs"]] == ["clinician"]
    assert [r["email"] for r in data["event_registrations"]] == ["li.na@example.org"]
    assert [a["name"] for a in data["account_applications"]] == ["李娜"]
    assert [h["action"] for h in data["record_history"]] == ["person.update"]
    entry = AuditEntry.objects.get(verb="person.export")
    assert entry.changes["event_registrations"] == 1
    assert "li.na" not in json.dumps(entry.changes)


def test_anonymise_removes_who_but_keeps_links_and_counts(
    staff: Client, person: Person, personas: Personas
) -> None:
    people_before = personas.org_a.people.count()

    response = staff.post(f"/accounts/privacy/people/{person.pk}/anonymise/", {"confirm": "on"})

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name_zh, person.email, person.phone) == (f"（已匿名 #{person.pk}）", "", "")
    assert personas.org_a.people.count() == people_before
    assert person.achievements.count() == 1 and person.clinical_needs.count() == 1
    mine = Registration.objects.exclude(email="someone.else@example.org").get()
    assert mine.name == "（已匿名）" and "li.na" not in mine.email
    assert mine.checked_in_at is not None  # attendance still counts
    assert Registration.objects.count() == 2
    application = AccountApplication.objects.get()
    assert (application.name, application.message) == ("（已匿名）", "")
    history = AuditEntry.objects.get(verb="person.update")
    assert history.changes == {"email": "[removed]", "status": ["a", "b"]}
    assert "李娜" not in history.target_repr
    entry = AuditEntry.objects.get(verb="person.anonymise")
    assert entry.changes["event_registrations"] == 1
    assert "李娜" not in json.dumps(entry.changes, ensure_ascii=False)


def test_anonymise_needs_the_confirmation(staff: Client, person: Person) -> None:
    response = staff.post(f"/accounts/privacy/people/{person.pk}/anonymise/", {})
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.name_zh == "李娜"


def test_partners_may_not_see_or_use_the_privacy_pages(personas: Personas, person: Person) -> None:
    client = client_for(personas.partner_a)
    assert client.get(f"/accounts/privacy/people/{person.pk}/").status_code == 403
    assert client.get(f"/accounts/privacy/people/{person.pk}/export/").status_code == 403
    assert client.post(f"/api/privacy/people/{person.pk}/anonymise").status_code == 403
    detail = client.get(f"/catalog/people/{person.pk}/").content.decode()
    assert "person-privacy-link" not in detail
    assert not AuditEntry.objects.filter(verb__startswith="person.export").exists()


def test_person_page_links_to_privacy_for_staff(staff: Client, person: Person) -> None:
    page = staff.get(f"/catalog/people/{person.pk}/").content.decode()
    assert f'href="/accounts/privacy/people/{person.pk}/"' in page


def test_privacy_api(staff: Client, person: Person) -> None:
    url = f"/api/privacy/people/{person.pk}"
    put = staff.put(
        f"{url}/legal-basis", {"legal_basis": "contract"}, content_type="application/json"
    )
    assert put.status_code == 200 and put.json()["legal_basis"] == "contract"
    bad = staff.put(f"{url}/legal-basis", {"legal_basis": "whim"}, content_type="application/json")
    assert bad.status_code == 422
    exported = staff.get(f"{url}/export")
    assert exported.json()["person"]["name_zh"] == "李娜"
    done = staff.post(f"{url}/anonymise")
    assert done.status_code == 200
    assert done.json()["person"]["anonymised"] is True
    assert done.json()["event_registrations"] == 1
    assert [
        e.verb for e in AuditEntry.objects.filter(verb__startswith="person.").order_by("id")
    ] == [
        "person.update",
        "person.set_legal_basis",
        "person.export",
        "person.anonymise",
    ]


def test_invoice_answers_and_certificates_are_exported_and_anonymised(
    staff: Client, person: Person
) -> None:
    """Registration options and credentials copy a person too: the export lists them and
    anonymisation clears them (the certificate keeps its serial)."""
    from luodi.credentials import domain as credentials
    from luodi.engagements.models import RegistrationAnswer, RegistrationQuestion

    mine = Registration.objects.get(email="li.na@example.org")
    mine.invoice_title, mine.tax_id = "锦江虚构医疗科技有限公司", "91510100MA6XYZ1234"
    mine.save(update_fields=["invoice_title", "tax_id"])
    question = RegistrationQuestion.objects.create(event=mine.event, label_zh="饮食要求")
    RegistrationAnswer.objects.create(registration=mine, question=question, value="清真餐")
    certificate = credentials.own_attendance_certificate(registration=mine)

    data = json.loads(staff.get(f"/accounts/privacy/people/{person.pk}/export/").content)
    [exported] = data["event_registrations"]
    assert exported["tax_id"] == "91510100MA6XYZ1234"
    assert exported["answers"] == [{"question": "饮食要求", "answer": "清真餐"}]
    assert [c["serial"] for c in exported["certificates"]] == [certificate.serial]

    staff.post(f"/accounts/privacy/people/{person.pk}/anonymise/", {"confirm": "on"})
    mine.refresh_from_db()
    certificate.refresh_from_db()
    assert (mine.invoice_title, mine.tax_id) == ("", "")
    assert RegistrationAnswer.objects.get(registration=mine).value == ""
    assert certificate.name == "（已匿名）" and certificate.serial
