"""Credentials in the browser, on a phone-sized screen: an organiser checks people into a
session (a wrong code shows the error, nothing recorded), prints a badge sheet (the PDF has
the Chinese names) and downloads a certificate."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from luodi.credentials import domain
from luodi.credentials.models import Certificate, SessionAttendance
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.credentials.helpers import NAMES, setup
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def _pdf_text(path: str) -> str:
    with open(path, "rb") as f:
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(f.read())).pages)


def test_session_check_in_with_a_wrong_code_shows_the_error(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    s = setup(personas)
    page.set_viewport_size(PHONE)
    sign_in(page, "partner_a", PASSWORD)
    page.goto(f"/credentials/events/{s.event.pk}/session-checkin/")
    page.select_option("select[name=session]", str(s.morning.pk))
    page.fill("[data-testid=session-code]", "WRONG-CODE")
    page.click("[data-testid=session-checkin]")
    expect(page.get_by_test_id("code-error")).to_be_visible()
    assert SessionAttendance.objects.count() == 0
    assert _fits(page)
    page.select_option("select[name=session]", str(s.morning.pk))
    page.fill("[data-testid=session-code]", s.regs[0].code)
    page.click("[data-testid=session-checkin]")
    expect(page.get_by_test_id(f"arrival-{s.regs[0].pk}")).to_contain_text(NAMES[0])
    expect(page.get_by_test_id("session-count")).to_contain_text("1")
    assert SessionAttendance.objects.get().registration == s.regs[0]


def test_print_a_badge_sheet_and_download_a_certificate(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    s = setup(personas)
    domain.check_in_session(actor=personas.staff, session=s.morning, code=s.regs[0].code)
    page.set_viewport_size(PHONE)
    sign_in(page, "partner_a", PASSWORD)
    page.goto(f"/credentials/events/{s.event.pk}/")
    page.click("[data-testid=hub-badges]")
    assert _fits(page)
    with page.expect_download() as badge:
        page.click("[data-testid=print-badges]")
    text = _pdf_text(badge.value.path())
    assert all(name in text for name in NAMES)

    page.goto(f"/credentials/events/{s.event.pk}/certificates/")
    page.click("[data-testid=issue-certificates]")
    cert = Certificate.objects.get(kind="attendance")
    expect(page.get_by_test_id(f"certificate-{cert.pk}")).to_contain_text(cert.serial)
    with page.expect_download() as certificate:
        page.click(f"[data-testid=certificate-pdf-{cert.pk}]")
    text = _pdf_text(certificate.value.path())
    assert NAMES[0] in text and cert.serial in text

    page.goto(f"/credentials/verify/{cert.serial}/")
    expect(page.get_by_test_id("verify-name")).to_have_text(NAMES[0])
