"""Pages and downloads: what organisers get (badge sheet and certificate PDFs with the
Chinese names extractable, the XLSX for filing, the ZIP), what everybody else gets (404 or
403), the public verification page (name, event, kind, date — nothing else) and the
registrant's own certificate from the ticket link."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from luodi.credentials import domain
from luodi.credentials.models import BadgePrint, Certificate, SessionAttendance
from luodi.engagements.models import EventStatus
from tests.conftest import Personas, client_for
from tests.credentials.helpers import NAMES, setup

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_badge_sheet_has_every_name_and_marks_them_printed(personas: Personas) -> None:
    s = setup(personas)
    client = client_for(personas.partner_a)
    response = client.post(f"/credentials/events/{s.event.pk}/badges/", {})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _text(_body(response))
    for name in NAMES:
        assert name in text
    assert "心血管转化医学大会" in text and "医生代表" in text and s.regs[0].code in text
    assert "退会者" not in text  # cancelled
    assert BadgePrint.objects.count() == 3
    again = client.post(f"/credentials/events/{s.event.pk}/badges/", {"only_unprinted": "on"})
    assert NAMES[0] not in _text(_body(again))


def test_badge_sheet_filters_by_category(personas: Personas) -> None:
    s = setup(personas)
    response = client_for(personas.partner_a).post(
        f"/credentials/events/{s.event.pk}/badges/", {"category": s.category.pk}
    )
    text = _text(_body(response))
    assert NAMES[0] in text and NAMES[1] in text and NAMES[2] not in text


def test_badge_sheet_of_many_people_fills_several_pages(personas: Personas) -> None:
    from luodi.credentials.documents import badge_sheet

    s = setup(personas)
    content = badge_sheet(s.event, [s.regs[0]] * 17)
    assert len(PdfReader(io.BytesIO(content)).pages) == 3


def test_certificate_pdf_zip_and_verification(personas: Personas) -> None:
    s = setup(personas)
    domain.check_in_session(actor=personas.staff, session=s.morning, code=s.regs[0].code)
    client = client_for(personas.partner_a)
    client.post(
        f"/credentials/events/{s.event.pk}/certificates/issue/",
        {"kinds": ["attendance", "presentation"]},
    )
    cert = Certificate.objects.get(kind="attendance")
    response = client.get(f"/credentials/certificates/{cert.pk}.pdf?lang=zh-hans")
    assert response.status_code == 200
    content = _body(response)
    text = _text(content)
    assert NAMES[0] in text and cert.serial in text and "心血管转化医学大会" in text
    reader = PdfReader(io.BytesIO(content))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # landscape
    archive = client.get(f"/credentials/events/{s.event.pk}/certificates.zip")
    names = zipfile.ZipFile(io.BytesIO(_body(archive))).namelist()
    assert len(names) == 2 and all(n.endswith(".pdf") for n in names)
    page = client_for(None).get(f"/credentials/verify/{cert.serial}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert NAMES[0] in html and "心血管转化医学大会" in html
    for private in (s.regs[0].email, s.regs[0].code, s.regs[0].phone, "四川大学华西医院"):
        assert private not in html
    assert client_for(None).get("/credentials/verify/NOSUCHSERIAL/").status_code == 404


def test_revoked_certificate_shows_revoked_on_verification(personas: Personas) -> None:
    s = setup(personas)
    domain.issue_certificates(actor=personas.staff, event=s.event, kinds=["presentation"])
    cert = Certificate.objects.get()
    domain.revoke_certificate(actor=personas.staff, certificate=cert, reason="错误签发")
    html = client_for(None).get(f"/credentials/verify/{cert.serial}/").content.decode()
    assert 'data-testid="verify-revoked"' in html and "错误签发" not in html

    # A second revoke (a stale page, two organisers at once) is refused: the first one's
    # time and reason stay.
    stale = Certificate.objects.get()
    stale.revoked_at = None
    with pytest.raises(ValidationError, match=r"Already revoked|已"):
        domain.revoke_certificate(actor=personas.staff, certificate=stale, reason="另一个理由")
    assert Certificate.objects.get().revoke_reason == "错误签发"


def test_registrant_gets_their_own_certificate_from_the_ticket_code(personas: Personas) -> None:
    s = setup(personas)
    reg = s.regs[1]
    url = f"/credentials/ticket/{s.event.pk}/{reg.code}/certificate.pdf"
    assert client_for(None).get(url).status_code == 404  # not checked in yet
    domain.check_in_session(actor=personas.staff, session=s.morning, code=reg.code)
    first = client_for(None).get(url)
    assert first.status_code == 200 and NAMES[1] in _text(_body(first))
    client_for(None).get(url)
    assert Certificate.objects.filter(registration=reg).count() == 1
    assert (
        client_for(None)
        .get(f"/credentials/ticket/{s.event.pk + 1}/{reg.code}/certificate.pdf")
        .status_code
        == 404
    )
    cancelled = f"/credentials/ticket/{s.event.pk}/{s.cancelled.code}/certificate.pdf"
    assert client_for(None).get(cancelled).status_code == 404


def test_cme_export_lists_live_credits_for_filing(personas: Personas) -> None:
    s = setup(personas)
    activity = domain.save_activity(
        actor=personas.partner_a,
        event=s.event,
        values={
            "project_code": "2025-9-9（省）",
            "credit_type": "II",
            "credits": Decimal("1.5"),
            "hours": Decimal("3"),
        },
        sessions=[s.morning],
    )
    for reg in s.regs[:2]:
        domain.check_in_session(actor=personas.staff, session=s.morning, code=reg.code)
    domain.award(actor=personas.partner_a, activity=activity)
    revoked = activity.credits_awarded.get(registration=s.regs[1])
    domain.revoke_credit(actor=personas.partner_a, credit=revoked, reason="重复")
    response = client_for(personas.partner_a).get(
        f"/credentials/events/{s.event.pk}/cme/credits.xlsx"
    )
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    assert len(rows) == 2
    name, org, position, phone, email, code, _type, credits, hours, _date = rows[1]
    assert (name, org, position, phone, email, code) == (
        NAMES[0],
        "四川大学华西医院",
        "主治医师",
        "13800000000",
        "p0@example.org",
        "2025-9-9（省）",
    )
    assert (credits, hours) == (1.5, 3)
    page = client_for(personas.partner_a).get(f"/credentials/cme/{activity.pk}/")
    assert page.status_code == 200
    assert f'data-testid="cme-row-{s.regs[2].pk}" data-eligible="no"' in page.content.decode()


def _urls(s) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    e = s.event.pk
    cert = Certificate.objects.get(kind="presentation")
    activity = s.event.cme_activities.get()
    return [
        ("get", f"/credentials/events/{e}/"),
        ("get", f"/credentials/events/{e}/session-checkin/"),
        ("post", f"/credentials/events/{e}/badges/"),
        ("get", f"/credentials/events/{e}/certificates/"),
        ("get", f"/credentials/events/{e}/certificates.zip"),
        ("get", f"/credentials/certificates/{cert.pk}.pdf"),
        ("get", f"/credentials/events/{e}/cme/"),
        ("get", f"/credentials/events/{e}/cme/credits.xlsx"),
        ("get", f"/credentials/cme/{activity.pk}/"),
        ("get", f"/credentials/cme/{activity.pk}/credits.xlsx"),
        ("post", f"/credentials/cme/{activity.pk}/award/"),
    ]


def _prepared(personas: Personas, published: bool):  # type: ignore[no-untyped-def]
    s = setup(personas)
    if not published:
        s.event.status = EventStatus.DRAFT
        s.event.save(update_fields=["status"])
    domain.issue_certificates(actor=personas.staff, event=s.event, kinds=["presentation"])
    domain.save_activity(
        actor=personas.staff,
        event=s.event,
        values={"project_code": "X-1", "credits": Decimal("1"), "hours": Decimal("1")},
        sessions=[],
    )
    return s


@pytest.mark.parametrize("who", ["partner_b", "viewer"])
def test_others_get_403_on_a_published_event(personas: Personas, who: str) -> None:
    s = _prepared(personas, published=True)
    client = client_for(getattr(personas, who))
    for method, url in _urls(s):
        response = getattr(client, method)(url)
        assert response.status_code in (403, 404), url
        assert NAMES[0].encode() not in _body(response)
    assert BadgePrint.objects.count() == 0


def test_another_organisation_gets_404_on_a_draft_event(personas: Personas) -> None:
    s = _prepared(personas, published=False)
    client = client_for(personas.partner_b)
    for method, url in _urls(s):
        assert getattr(client, method)(url).status_code == 404, url


def test_anonymous_is_sent_to_sign_in(personas: Personas) -> None:
    s = _prepared(personas, published=True)
    for method, url in _urls(s):
        response = getattr(client_for(None), method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_session_check_in_page_shows_the_error_for_a_wrong_code(personas: Personas) -> None:
    s = setup(personas)
    client = client_for(personas.partner_a)
    url = f"/credentials/events/{s.event.pk}/session-checkin/"
    wrong = client.post(url, {"session": s.morning.pk, "code": "NOPE123"})
    assert wrong.status_code == 404 and b'data-testid="code-error"' in wrong.content
    cancelled = client.post(url, {"session": s.morning.pk, "code": s.cancelled.code})
    assert cancelled.status_code == 409
    ok = client.post(url, {"session": s.morning.pk, "code": s.regs[0].code})
    assert ok.status_code == 302
    page = client.get(ok["Location"])
    assert NAMES[0] in page.content.decode()
    assert SessionAttendance.objects.count() == 1


def test_credentials_link_only_for_organisers(personas: Personas) -> None:
    from django.template import Context, Template
    from django.test import RequestFactory

    s = setup(personas)
    template = Template("{% load credentials_tags %}{% credentials_link event %}")
    for user, shown in [
        (personas.partner_a, True),
        (personas.partner_b, False),
        (personas.staff, True),
    ]:
        request = RequestFactory().get("/")
        request.user = user
        html = template.render(Context({"request": request, "event": s.event}))
        assert ('data-testid="credentials-link"' in html) is shown


def test_ticket_certificate_link_appears_once_checked_in(personas: Personas) -> None:
    from django.template import Context, Template

    s = setup(personas)
    reg = s.regs[0]
    template = Template("{% load credentials_tags %}{% ticket_certificate_link reg %}")
    assert "certificate.pdf" not in template.render(Context({"reg": reg}))
    domain.check_in_session(actor=personas.staff, session=s.morning, code=reg.code)
    reg.refresh_from_db()
    html = template.render(Context({"reg": reg}))
    assert f"/credentials/ticket/{s.event.pk}/{reg.code}/certificate.pdf" in html
