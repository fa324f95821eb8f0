"""The patent pages: who sees which patent and which of its links, bad numbers, recording
and removing fee payments, and concurrent edits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from luodi.catalog.models import Organization
from luodi.patents import domain, numbers
from luodi.patents.fees import add_years
from luodi.patents.models import FeePayment, Patent
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory, OrganizationFactory

TODAY = timezone.localdate()
SECRET = "机密的骨修复材料成果"


def number(serial: str = "0123456", year: int = 2021, kind_digit: str = "1") -> str:
    digits = f"{year}{kind_digit}{serial}"
    return f"{digits}.{numbers.check_character(digits)}"


def form_values(**kw: Any) -> dict[str, Any]:
    """A granted CNIPA invention in its 4th year, the 5th year's fee due in 30 days."""
    filed = add_years(TODAY + timedelta(days=31), -4)
    return {
        "office": "cnipa",
        "kind": "invention",
        "application_number": number(),
        "title_zh": "一种可降解骨钉",
        "filing_date": filed,
        "grant_date": add_years(filed, 3) + timedelta(days=30),
        "status": "granted",
        "reduction": 0,
        **kw,
    }


def make_patent(
    personas: Personas,
    owners: list[Organization],
    *,
    fee_payer: Organization | None = None,
    achievements: list[Any] = (),  # type: ignore[assignment]
    **kw: Any,
) -> Patent:
    return domain.save_patent(
        actor=personas.staff,
        patent=None,
        values={**form_values(**kw), "fee_payer": fee_payer},
        owners=owners,
        achievements=achievements,
    )


def post_data(patent: Patent | None = None, **kw: Any) -> dict[str, Any]:
    """The patent form as a browser posts it."""
    values = form_values(**kw)
    data: dict[str, Any] = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()
    }
    if patent is not None:
        data["version"] = str(patent.version)
    return data


@pytest.fixture
def patent(personas: Personas) -> Patent:
    return make_patent(personas, [personas.org_a])


def test_owner_member_and_staff_see_the_patent(personas: Personas, patent: Patent) -> None:
    for user in (personas.partner_a, personas.staff):
        client = client_for(user)
        listing = client.get("/patents/")
        assert listing.status_code == 200
        assert patent.application_number.encode() in listing.content
        assert f'data-testid="next-fee-{patent.pk}"'.encode() in listing.content
        assert "¥1,200.00".encode() in listing.content  # year 5 of an invention, no reduction
        page = client.get(f"/patents/{patent.pk}/")
        assert page.status_code == 200
        assert b'data-testid="fee-year-5"' in page.content
        assert b'data-testid="pay-form"' in page.content
        assert b'href="/patents/"' in client.get("/").content  # the menu entry
    assert b'href="/patents/new/"' in client_for(personas.staff).get("/patents/").content


def test_other_partner_and_viewer_get_404(personas: Personas, patent: Patent) -> None:
    for user in (personas.partner_b, personas.viewer):
        client = client_for(user)
        assert client.get(f"/patents/{patent.pk}/").status_code == 404
        assert client.get(f"/patents/{patent.pk}/edit/").status_code == 404
        answer = client.post(
            f"/patents/{patent.pk}/payments/",
            {"pay-year": "5", "pay-paid_on": TODAY.isoformat(), "pay-amount": "1200"},
        )
        assert answer.status_code == 404
        listing = client.get("/patents/")
        assert listing.status_code == 200
        assert patent.application_number.encode() not in listing.content
    assert not FeePayment.objects.exists()
    # Viewers (a bureau) have no patents: no menu entry, no add button.
    viewer = client_for(personas.viewer)
    assert b'href="/patents/"' not in viewer.get("/").content
    assert b'href="/patents/new/"' not in viewer.get("/patents/").content
    assert viewer.get("/patents/new/").status_code == 403


def test_fee_payer_sees_the_patent_not_a_confidential_achievement(personas: Personas) -> None:
    secret = AchievementFactory(owner=personas.org_a, title_zh=SECRET, disclosure="confidential")
    patent = make_patent(
        personas, [personas.org_a], fee_payer=personas.org_b, achievements=[secret]
    )
    payer = client_for(personas.partner_b)
    page = payer.get(f"/patents/{patent.pk}/")
    assert page.status_code == 200
    assert patent.application_number.encode() in page.content
    assert SECRET.encode() not in page.content
    assert f"/catalog/achievements/{secret.pk}/".encode() not in page.content
    # It pays, it does not keep: no payment form, no edit, 403 when tried.
    assert b'data-testid="pay-form"' not in page.content
    assert b'data-testid="edit-patent"' not in page.content
    assert payer.get(f"/patents/{patent.pk}/edit/").status_code == 403
    answer = payer.post(
        f"/patents/{patent.pk}/payments/",
        {"pay-year": "5", "pay-paid_on": TODAY.isoformat(), "pay-amount": "1200"},
    )
    assert answer.status_code == 403
    assert SECRET.encode() not in payer.get("/patents/").content
    # The owner's member does see its achievement.
    assert SECRET.encode() in client_for(personas.partner_a).get(f"/patents/{patent.pk}/").content


def test_editing_keeps_links_the_editor_cannot_see(personas: Personas) -> None:
    """A co-owner's confidential achievement, and the co-owner itself, survive a save by a
    member of the other owner, who sees neither in the form."""
    org_c = OrganizationFactory(name_zh="丙医院")
    secret = AchievementFactory(owner=org_c, title_zh=SECRET, disclosure="confidential")
    patent = make_patent(personas, [personas.org_a, org_c], achievements=[secret])
    client = client_for(personas.partner_a)
    form = client.get(f"/patents/{patent.pk}/edit/")
    assert form.status_code == 200 and SECRET.encode() not in form.content
    data = post_data(patent, title_zh="改过的标题")
    data["owners"] = [str(personas.org_a.pk)]
    answer = client.post(f"/patents/{patent.pk}/edit/", data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    patent.refresh_from_db()
    assert patent.title_zh == "改过的标题"
    assert set(patent.owners.all()) == {personas.org_a, org_c}
    assert list(patent.achievements.all()) == [secret]


def test_bad_number_is_refused_beside_the_field(personas: Personas) -> None:
    client = client_for(personas.staff)
    good = number()
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    data = post_data(application_number=wrong)
    data["owners"] = [str(personas.org_a.pk)]
    answer = client.post("/patents/new/", data)
    assert answer.status_code == 400
    text = answer.content.decode()
    assert 'class="field has-error"' in text
    assert wrong in text  # the user's input stays in the form
    assert not Patent.objects.exists()
    # The form's own checks: no owner, no title.
    answer = client.post("/patents/new/", {**post_data(), "title_zh": ""})
    assert answer.status_code == 400 and not Patent.objects.exists()
    data["application_number"] = good
    assert client.post("/patents/new/", data).status_code == 302
    assert Patent.objects.get().application_number == good


def test_record_payment_then_the_year_is_paid(personas: Personas, patent: Patent) -> None:
    client = client_for(personas.partner_a)
    url = f"/patents/{patent.pk}/payments/"
    data = {
        "pay-year": "5",
        "pay-paid_on": TODAY.isoformat(),
        "pay-amount": "1200.10",
        "pay-late_fee": "0",
        "pay-note": "网上缴费",
    }
    assert client.post(url, data).status_code == 302
    payment = FeePayment.objects.get(patent=patent)
    assert payment.year == 5 and payment.amount_fen == 120010 and payment.late_fee_fen == 0
    page = client.get(f"/patents/{patent.pk}/").content.decode()
    assert 'data-testid="fee-year-5" data-state="paid"' in page
    assert "¥1,200.10" in page
    # The same year again: refused beside the year, nothing recorded twice.
    again = client.post(url, data, HTTP_HX_REQUEST="true")
    assert again.status_code == 400
    assert 'class="field has-error"' in again.content.decode()
    assert b"<html" not in again.content  # htmx gets the fee section only
    assert FeePayment.objects.count() == 1
    # An amount the domain refuses lands on the amount field (amount_fen → amount).
    huge = {**data, "pay-year": "6", "pay-amount": "2000000"}
    answer = client.post(url, huge).content.decode()
    assert 'id="pay-amount"' in answer and "has-error" in answer
    assert FeePayment.objects.count() == 1
    # Removed by mistake: the year is owed again.
    removed = client.post(f"/patents/{patent.pk}/payments/5/remove/", HTTP_HX_REQUEST="true")
    assert removed.status_code == 200 and b'data-testid="fee-done"' in removed.content
    assert not FeePayment.objects.exists()
    assert b'data-testid="fee-year-5" data-state="due"' in removed.content


def test_stale_edit_is_a_conflict(personas: Personas, patent: Patent) -> None:
    client = client_for(personas.staff)
    stale = post_data(patent, title_zh="我的标题")
    stale["owners"] = [str(personas.org_a.pk)]
    domain.save_patent(
        actor=personas.partner_a,
        patent=patent,
        values={"title_zh": "别人的标题"},
        owners=[personas.org_a],
        expected_version=patent.version,
    )
    answer = client.post(f"/patents/{patent.pk}/edit/", stale)
    assert answer.status_code == 409
    text = answer.content.decode()
    assert 'data-testid="conflict"' in text
    assert "别人的标题" in text and "我的标题" in text
    patent.refresh_from_db()
    assert patent.title_zh == "别人的标题"
    # Saving again from the refused form (it carries the current version) goes through.
    stale["version"] = str(patent.version)
    assert client.post(f"/patents/{patent.pk}/edit/", stale).status_code == 302
    patent.refresh_from_db()
    assert patent.title_zh == "我的标题"


def test_filters_and_schedule_notes(personas: Personas, patent: Patent) -> None:
    pending = make_patent(
        personas,
        [personas.org_a],
        application_number=number("0654321"),
        status="pending",
        grant_date=None,
        title_zh="待审专利",
    )
    client = client_for(personas.partner_a)
    due = client.get("/patents/?fee=due").content.decode()
    assert patent.application_number in due and pending.application_number not in due
    overdue = client.get("/patents/?fee=overdue").content.decode()
    assert patent.application_number not in overdue and 'data-testid="empty"' in overdue
    rows = client.get("/patents/?status=pending", HTTP_HX_REQUEST="true").content.decode()
    assert pending.application_number in rows and patent.application_number not in rows
    page = client.get(f"/patents/{pending.pk}/").content.decode()
    assert 'data-testid="no-schedule"' in page and 'data-testid="pay-form"' not in page
