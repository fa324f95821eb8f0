"""Personal information of the people in the catalog (PIPL): the legal basis for holding a
person's record, an export of everything Luodi holds that names the person, and
anonymisation. Staff only; each action leaves one audit entry (without personal data).

What names a person: the Person row; the achievements and clinical needs linked to it; and,
through the person's email address, event registrations (with their category, fee, invoice
details, consent, answers, certificates and CME credits), account applications, user
accounts and notification deliveries. Participants, speakers and follow-ups hold a bare
name with no link, so they cannot be attributed to one person and are left out.

Anonymisation replaces the name and contact details and keeps every link and status, so
counts and charts (people per organization, inventors per achievement, registrations and
check-ins per event) stay as they were. Audit entries about the person keep who did what
when, but lose the personal values they recorded. User accounts are not touched: the page
says when one has the address, to be closed by staff separately.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from luodi import concurrency
from luodi.accounts import audit
from luodi.accounts.models import AccountApplication, AuditEntry, User
from luodi.catalog.models import LegalBasis, Person
from luodi.credentials.models import Certificate
from luodi.engagements.models import Registration, RegistrationAnswer
from luodi.notifications.models import Delivery

PERSONAL_FIELDS = ["name_zh", "name_en", "title", "email", "phone", "expertise"]
REMOVED = "[removed]"
ANONYMOUS_ZH = "（已匿名）"


def anonymous_names(person: Person) -> tuple[str, str]:
    return f"（已匿名 #{person.pk}）", f"(anonymised #{person.pk})"


def is_anonymised(person: Person) -> bool:
    return (person.name_zh, person.name_en) == anonymous_names(person)


def _by_email(email: str) -> Q:
    # An empty address matches nothing, not every row with an empty field.
    return Q(email__iexact=email) if email else Q(pk__in=[])


def _audit_about(person: Person) -> Any:
    return AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(Person), target_id=str(person.pk)
    )


def accounts_with_email(email: str) -> list[User]:
    return list(User.objects.filter(_by_email(email)))


@transaction.atomic
def set_legal_basis(
    *, actor: User, person: Person, legal_basis: str, ip: str | None = None
) -> Person:
    if legal_basis and legal_basis not in LegalBasis.values:
        raise ValueError(f"unknown legal basis {legal_basis!r}")
    before = audit.snapshot(person, ["legal_basis"])
    person.legal_basis = legal_basis
    person.save(update_fields=["legal_basis", "updated_at"])
    audit.record(
        actor=actor,
        verb="person.set_legal_basis",
        target=person,
        changes=audit.field_changes(before, person, ["legal_basis"]),
        ip=ip,
    )
    return person


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@transaction.atomic
def export_person(*, actor: User, person: Person, ip: str | None = None) -> dict[str, Any]:
    """Every record that names `person`, as JSON-ready data (a PIPL access request)."""
    email = person.email
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "person": {
            "id": person.pk,
            **{name: getattr(person, name) for name in PERSONAL_FIELDS},
            "consent_to_contact": person.consent_to_contact,
            "legal_basis": person.legal_basis,
            "organization": (
                {"id": person.organization_id, "name": str(person.organization)}
                if person.organization_id
                else None
            ),
            "status": person.status,
            "created_at": _iso(person.created_at),
            "updated_at": _iso(person.updated_at),
            "archived_at": _iso(person.archived_at),
        },
        "achievements": [
            {"id": a.pk, "title_zh": a.title_zh, "title_en": a.title_en, "role": "inventor"}
            for a in person.achievements.order_by("pk")
        ],
        "clinical_needs": [
            {"id": n.pk, "title_zh": n.title_zh, "title_en": n.title_en, "role": "clinician"}
            for n in person.clinical_needs.order_by("pk")
        ],
        "event_registrations": [
            {
                "id": r.pk,
                "event": str(r.event),
                "name": r.name,
                "email": r.email,
                "organization": r.organization_name,
                "position": r.position,
                "phone": r.phone,
                "status": r.status,
                "registered_at": _iso(r.created_at),
                "checked_in_at": _iso(r.checked_in_at),
                "category": r.category.name if r.category is not None else None,
                "fee_fen": r.fee_fen,
                "fee_received_at": _iso(r.paid_at),
                "invoice_title": r.invoice_title,
                "tax_id": r.tax_id,
                "consent_at": _iso(r.consent_at),
                "consent_version": r.consent_version,
                "answers": [
                    {"question": a.question.label, "answer": a.value} for a in r.answers.all()
                ],
                "certificates": [
                    {"kind": c.kind, "serial": c.serial, "issued_at": _iso(c.issued_at)}
                    for c in r.certificates.all()
                ],
                "cme_credits": [
                    {
                        "project_code": c.activity.project_code,
                        "credits": str(c.credits),
                        "awarded_at": _iso(c.awarded_at),
                    }
                    for c in r.cme_credits.all()
                ],
            }
            for r in Registration.objects.filter(_by_email(email))
            .select_related("event", "category")
            .prefetch_related("answers__question", "certificates", "cme_credits__activity")
            .order_by("pk")
        ],
        "account_applications": [
            {
                "id": a.pk,
                "name": a.name,
                "email": a.email,
                "phone": a.phone,
                "organization": a.organization_name,
                "position": a.position,
                "message": a.message,
                "status": a.status,
                "applied_at": _iso(a.created_at),
            }
            for a in AccountApplication.objects.filter(_by_email(email)).order_by("pk")
        ],
        "user_accounts": [
            {
                "username": u.get_username(),
                "display_name": u.display_name,
                "email": u.email,
                "role": u.role,
                "joined_at": _iso(u.date_joined),
                "last_login": _iso(u.last_login),
            }
            for u in accounts_with_email(email)
        ],
        "notifications": [
            {
                "subject": d.notification.subject,
                "channel": d.kind,
                "status": d.status,
                "sent_at": _iso(d.sent_at),
            }
            for d in Delivery.objects.filter(address__iexact=email)
            .select_related("notification")
            .order_by("pk")
        ]
        if email
        else [],
        "record_history": [
            {
                "action": e.verb,
                "by": e.actor_label,
                "at": _iso(e.created_at),
                "changes": e.changes,
            }
            for e in _audit_about(person).order_by("created_at", "id")
        ],
    }
    audit.record(
        actor=actor,
        verb="person.export",
        target=person,
        changes={k: len(v) for k, v in data.items() if isinstance(v, list)},
        ip=ip,
    )
    return data


@transaction.atomic
def anonymise_person(*, actor: User, person: Person, ip: str | None = None) -> dict[str, int]:
    """Remove who `person` was, keep what the record is linked to. Cannot be undone."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    email = person.email
    anonymised = f"anonymised-{person.pk}@anonymised.invalid"
    counts = {
        "event_registrations": 0,
        "account_applications": 0,
        "notification_deliveries": 0,
    }
    if email:
        # Registrations are unique per (event, email): one placeholder address per row.
        registrations = list(Registration.objects.filter(_by_email(email)))
        for r in registrations:
            r.name, r.phone, r.position = ANONYMOUS_ZH, "", ""
            r.invoice_title, r.tax_id = "", ""
            r.email = f"anonymised-r{r.pk}@anonymised.invalid"
        Registration.objects.bulk_update(
            registrations, ["name", "email", "phone", "position", "invoice_title", "tax_id"]
        )
        # What they answered and the name printed on their certificates go too; the
        # certificate keeps its serial, so a paper already handed out is still checked.
        RegistrationAnswer.objects.filter(registration__in=registrations).update(value="")
        Certificate.objects.filter(registration__in=registrations).update(
            name=ANONYMOUS_ZH, organization=""
        )
        counts["event_registrations"] = len(registrations)
        counts["account_applications"] = AccountApplication.objects.filter(_by_email(email)).update(
            name=ANONYMOUS_ZH, email=anonymised, phone="", position="", message=""
        )
        counts["notification_deliveries"] = Delivery.objects.filter(address__iexact=email).update(
            address="", label=ANONYMOUS_ZH
        )
    # An edit form opened before now must conflict, not write the old name back.
    concurrency.claim(person, None)
    person.name_zh, person.name_en = anonymous_names(person)
    person.title = person.email = person.phone = person.expertise = ""
    person.consent_to_contact = False
    person.save(update_fields=[*PERSONAL_FIELDS, "consent_to_contact", "updated_at"])
    entries = list(_audit_about(person))
    for entry in entries:
        entry.target_repr = str(person)
        entry.changes = {
            k: (REMOVED if k in PERSONAL_FIELDS else v) for k, v in (entry.changes or {}).items()
        }
    AuditEntry.objects.bulk_update(entries, ["target_repr", "changes"])
    counts["audit_entries"] = len(entries)
    counts["accounts_with_address"] = len(accounts_with_email(email))
    audit.record(actor=actor, verb="person.anonymise", target=person, changes=counts, ip=ip)
    return counts
