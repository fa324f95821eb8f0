"""Session check-in, certificates and CME credit, through the domain."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from luodi.accounts.models import AuditEntry
from luodi.credentials import domain, queries
from luodi.credentials.models import Certificate, CmeCredit, SessionAttendance
from tests.conftest import Personas
from tests.credentials.helpers import setup

pytestmark = pytest.mark.django_db


def test_session_check_in_also_checks_in_to_the_event_and_is_idempotent(
    personas: Personas,
) -> None:
    s = setup(personas)
    reg = s.regs[0]
    url = f"https://luodi.example.org/public/events/{s.event.pk}/ticket/{reg.code.lower()}/"
    attendance, created = domain.check_in_session(
        actor=personas.partner_a, session=s.morning, code=url
    )
    again, created_again = domain.check_in_session(
        actor=personas.partner_a, session=s.morning, code=reg.code
    )
    reg.refresh_from_db()
    assert (created, created_again) == (True, False)
    assert again.pk == attendance.pk
    assert reg.checked_in_at is not None
    assert SessionAttendance.objects.filter(registration=reg).count() == 1
    assert AuditEntry.objects.filter(verb="credentials.session_check_in").count() == 1


@pytest.mark.parametrize(
    ("which", "reason"),
    [("unknown", "unknown_code"), ("other", "other_event"), ("cancelled", "not_confirmed")],
)
def test_session_check_in_refuses_with_a_reason(
    personas: Personas, which: str, reason: str
) -> None:
    s = setup(personas)
    other = setup(personas, title="另一场会议")
    code = {
        "unknown": "ZZZZZZZZZZ",
        "other": other.regs[0].code,
        "cancelled": s.cancelled.code,
    }[which]
    with pytest.raises(domain.CheckInRefused) as refused:
        domain.check_in_session(actor=personas.partner_a, session=s.morning, code=code)
    assert refused.value.reason == reason
    assert SessionAttendance.objects.count() == 0


def test_certificates_issue_once_with_stable_serials(personas: Personas) -> None:
    s = setup(personas)
    domain.check_in_session(actor=personas.staff, session=s.morning, code=s.regs[0].code)
    first = domain.issue_certificates(actor=personas.staff, event=s.event)
    serials = dict(Certificate.objects.values_list("name", "serial"))
    domain.check_in_session(actor=personas.staff, session=s.morning, code=s.regs[1].code)
    second = domain.issue_certificates(actor=personas.staff, event=s.event)
    assert (first, second) == (2, 1)  # attendance of regs[0] + presentation; then regs[1]
    assert {k: v for k, v in Certificate.objects.values_list("name", "serial") if k in serials} == (
        serials
    )
    presentation = Certificate.objects.get(kind="presentation")
    assert (presentation.name, presentation.title_list) == ("钟南山", ["上午专题：心衰管理"])


def test_revoking_a_certificate_needs_a_reason(personas: Personas) -> None:
    s = setup(personas)
    domain.issue_certificates(actor=personas.staff, event=s.event, kinds=["presentation"])
    cert = Certificate.objects.get()
    with pytest.raises(ValidationError):
        domain.revoke_certificate(actor=personas.staff, certificate=cert, reason="  ")
    domain.revoke_certificate(actor=personas.staff, certificate=cert, reason="冒名")
    cert.refresh_from_db()
    assert cert.revoked_at is not None and cert.revoke_reason == "冒名"


def _activity(s, personas: Personas, sessions=None):  # type: ignore[no-untyped-def]
    return domain.save_activity(
        actor=personas.partner_a,
        event=s.event,
        values={
            "project_code": "2025-01-01-001（国）",
            "credit_type": "I",
            "credits": Decimal("2.0"),
            "hours": Decimal("6.0"),
        },
        sessions=[s.morning, s.afternoon] if sessions is None else sessions,
    )


def test_eligibility_names_the_missed_sessions(personas: Personas) -> None:
    s = setup(personas)
    activity = _activity(s, personas)
    for session in (s.morning, s.afternoon):
        domain.check_in_session(actor=personas.staff, session=session, code=s.regs[0].code)
    domain.check_in_session(actor=personas.staff, session=s.morning, code=s.regs[1].code)
    rows = {r.registration.pk: r for r in queries.eligibility(activity)}
    assert rows[s.regs[0].pk].eligible
    assert [x.pk for x in rows[s.regs[1].pk].missed] == [s.afternoon.pk]
    assert not rows[s.regs[2].pk].checked_in
    assert s.cancelled.pk not in rows


def test_no_required_sessions_means_checked_in_to_the_event(personas: Personas) -> None:
    s = setup(personas)
    activity = _activity(s, personas, sessions=[])
    domain.check_in_session(actor=personas.staff, session=s.afternoon, code=s.regs[2].code)
    eligible = [r.registration.pk for r in queries.eligibility(activity) if r.eligible]
    assert eligible == [s.regs[2].pk]


def test_award_is_idempotent_adds_newcomers_and_never_re_awards_a_revoked_credit(
    personas: Personas,
) -> None:
    s = setup(personas)
    activity = _activity(s, personas, sessions=[s.morning])
    domain.check_in_session(actor=personas.staff, session=s.morning, code=s.regs[0].code)
    assert domain.award(actor=personas.partner_a, activity=activity) == 1
    assert domain.award(actor=personas.partner_a, activity=activity) == 0
    credit = CmeCredit.objects.get()
    domain.revoke_credit(actor=personas.partner_a, credit=credit, reason="未签退")
    domain.check_in_session(actor=personas.staff, session=s.morning, code=s.regs[1].code)
    assert domain.award(actor=personas.partner_a, activity=activity) == 1
    assert CmeCredit.objects.filter(registration=s.regs[0]).count() == 1
    assert CmeCredit.objects.filter(revoked_at__isnull=True).get().registration == s.regs[1]
    assert CmeCredit.objects.get(registration=s.regs[1]).credits == Decimal("2.0")


def test_activity_refuses_a_duplicate_code_and_foreign_sessions(personas: Personas) -> None:
    s = setup(personas)
    other = setup(personas, title="另一场会议")
    _activity(s, personas)
    with pytest.raises(ValidationError) as dup:
        _activity(s, personas)
    assert "project_code" in dup.value.message_dict
    with pytest.raises(ValidationError) as foreign:
        _activity(s, personas, sessions=[other.morning])
    assert "required_sessions" in foreign.value.message_dict


def test_stale_version_conflicts(personas: Personas) -> None:
    s = setup(personas)
    activity = _activity(s, personas)
    values = {"project_code": activity.project_code, "credits": Decimal("3.0")}
    domain.save_activity(
        actor=personas.partner_a,
        event=s.event,
        values=values,
        sessions=[],
        activity=activity,
        expected_version=1,
    )
    with pytest.raises(domain.Conflict):
        domain.save_activity(
            actor=personas.partner_a,
            event=s.event,
            values=values,
            sessions=[],
            activity=activity,
            expected_version=1,
        )
