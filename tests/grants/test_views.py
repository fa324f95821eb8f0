"""The grant pages: the list and its filters (htmx answers the rows only), the form (shares
in percent stored in basis points, the team as rows, errors beside the fields with nothing
written, a stale version refused), the moves posted by htmx answering the panel, uploads
refused with a clear message, and the evidence file: the ZIP holds the PDF (its Chinese text
extractable), the spreadsheet and the documents under clear names."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from luodi.grants import domain
from luodi.grants.models import Grant, GrantDocument
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory, PersonFactory
from tests.grants.helpers import PDF, TODAY, attach, make_grant

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _form(achievement: int, people: list[int], shares: list[str], **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "achievement": achievement,
        "kind": "ownership",
        "team_share": "70",
        "valuer": "测试评估公司",
        "valuation_report_on": (TODAY - timedelta(days=9)).isoformat(),
        "valuation": "3200000.00",
        "decision_body": "院长办公会",
        "decided_on": (TODAY - timedelta(days=5)).isoformat(),
        "notice_starts_on": (TODAY - timedelta(days=4)).isoformat(),
        "notice_ends_on": (TODAY + timedelta(days=10)).isoformat(),
        "notice_place": "医院官网",
        "members-TOTAL_FORMS": str(max(3, len(people))),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "50",
    }
    for i, (person, share) in enumerate(zip(people, shares, strict=True)):
        data[f"members-{i}-person"] = person
        data[f"members-{i}-share"] = share
    return {**data, **kw}


def test_list_filters_and_htmx_rows(personas: Personas) -> None:
    a = make_grant(personas.staff, personas.org_a)
    b = make_grant(personas.staff, personas.org_b)
    domain.start_notice(actor=personas.staff, grant=b)
    client = client_for(personas.staff)
    page = client.get("/grants/")
    assert page.status_code == 200
    assert {r["grant"].pk for r in page.context["rows"]} == {a.pk, b.pk}
    rows = client.get("/grants/?status=on_notice", **HTMX)
    assert [r["grant"].pk for r in rows.context["rows"]] == [b.pk]
    assert "<html" not in rows.content.decode()
    by_org = client.get(f"/grants/?institution={personas.org_a.pk}")
    assert [r["grant"].pk for r in by_org.context["rows"]] == [a.pk]
    own = client_for(personas.partner_a).get("/grants/")
    assert [r["grant"].pk for r in own.context["rows"]] == [a.pk]


def test_create_in_percent_stored_in_basis_points(personas: Personas) -> None:
    achievement = AchievementFactory(owner=personas.org_a)
    p1, p2 = PersonFactory(organization=personas.org_a), PersonFactory(organization=personas.org_a)
    client = client_for(personas.partner_a)
    assert client.get("/grants/new/").status_code == 200
    body = _form(achievement.pk, [p1.pk, p2.pk], ["40", "30"])
    saved = client.post("/grants/new/", {"institution": personas.org_a.pk, **body})
    assert saved.status_code == 302, saved.content.decode()[:3000]
    g = Grant.objects.get()
    assert (g.team_share_bp, g.valuation_fen, g.created_by) == (
        7000,
        320_000_000,
        personas.partner_a,
    )
    assert [(m.person_id, m.share_bp) for m in g.members.all()] == [(p1.pk, 4000), (p2.pk, 3000)]
    page = client.get(saved["Location"]).content.decode()
    assert "¥3,200,000.00" in page and "70%" in page


def test_form_errors_beside_fields_and_nothing_written(personas: Personas) -> None:
    achievement = AchievementFactory(owner=personas.org_a)
    p1 = PersonFactory(organization=personas.org_a)
    client = client_for(personas.partner_a)
    short = client.post(
        "/grants/new/",
        {"institution": personas.org_a.pk, **_form(achievement.pk, [p1.pk], ["50"])},
    )
    assert short.status_code == 400
    assert short.context["team"].non_form_errors()
    assert "70%" in str(short.context["team"].non_form_errors())
    future = client.post(
        "/grants/new/",
        {
            "institution": personas.org_a.pk,
            **_form(
                achievement.pk, [p1.pk], ["70"], decided_on=(TODAY + timedelta(days=1)).isoformat()
            ),
        },
    )
    assert future.status_code == 400 and future.context["form"].errors["decided_on"]
    other = client.post(
        "/grants/new/", {"institution": personas.org_b.pk, **_form(achievement.pk, [p1.pk], ["70"])}
    )
    assert other.status_code == 404
    assert not Grant.objects.exists()


def test_stale_edit_is_refused(personas: Personas) -> None:
    g = make_grant(personas.staff, personas.org_a)
    client = client_for(personas.partner_a)
    members = [m.person_id for m in g.members.all()]
    body = _form(g.achievement_id, members, ["40", "30"], note="第一次", version="1")
    body["members-INITIAL_FORMS"] = "2"
    assert client.post(f"/grants/{g.pk}/edit/", body).status_code == 302
    stale = client.post(f"/grants/{g.pk}/edit/", {**body, "note": "第二次"})
    assert stale.status_code == 409
    assert Grant.objects.get(pk=g.pk).note == "第一次"


def test_moves_by_htmx_answer_the_panel(personas: Personas) -> None:
    g = make_grant(personas.staff, personas.org_a, valuer="", valuation_fen=None)
    client = client_for(personas.partner_a)
    refused = client.post(f"/grants/{g.pk}/start-notice/", **HTMX)
    assert refused.status_code == 400
    assert refused.context["error"]
    assert 'data-testid="panel-error"' in refused.content.decode()
    assert Grant.objects.get(pk=g.pk).status == "draft"
    Grant.objects.filter(pk=g.pk).update(valuer="评估公司", valuation_fen=100)
    started = client.post(f"/grants/{g.pk}/start-notice/", **HTMX)
    assert started.status_code == 200 and started.context["grant"].status == "on_notice"
    objected = client.post(f"/grants/{g.pk}/objection/", {"objection": "某某提出异议"}, **HTMX)
    assert "某某提出异议" in objected.content.decode()
    withdrawn = client.post(f"/grants/{g.pk}/withdraw/", {"reason": "团队决定放弃"})
    assert withdrawn.status_code == 302
    assert Grant.objects.get(pk=g.pk).status == "withdrawn"
    assert client.get(f"/grants/{g.pk}/edit/").status_code == 302  # no longer editable
    viewer = client_for(personas.viewer).post(f"/grants/{g.pk}/withdraw/", {"reason": "x"})
    assert viewer.status_code == 404


def test_upload_through_the_page(personas: Personas) -> None:
    g = make_grant(personas.staff, personas.org_a)
    client = client_for(personas.partner_a)
    bad = client.post(
        f"/grants/{g.pk}/documents/",
        {"doc_type": "minutes", "file": SimpleUploadedFile("x.exe", b"MZ")},
        **HTMX,
    )
    assert bad.status_code == 400 and bad.context["error"]
    assert not GrantDocument.objects.exists()
    good = client.post(
        f"/grants/{g.pk}/documents/",
        {"doc_type": "minutes", "file": SimpleUploadedFile("纪要.pdf", PDF)},
        **HTMX,
    )
    assert good.status_code == 200
    items = {i.key: i for i in good.context["checklist"]}
    assert items["minutes"].present and not items["valuation"].document
    doc = GrantDocument.objects.get()
    got = client.get(f"/grants/documents/{doc.pk}/")
    assert got["Content-Disposition"].startswith("attachment")
    assert got["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_evidence_zip_holds_pdf_xlsx_and_documents(personas: Personas) -> None:
    achievement = AchievementFactory(owner=personas.org_a, title_zh="赋权测试成果：骨修复支架")
    lead = PersonFactory(organization=personas.org_a, name_zh="王测试")
    g = make_grant(personas.staff, personas.org_a, achievement, members=[(lead, 7000)])
    attach(personas.staff, g, "valuation", "资产评估报告.pdf")
    attach(personas.staff, g, "minutes", "会议纪要.pdf")
    second = make_grant(personas.staff, personas.org_a, achievement, members=[(lead, 7000)])
    domain.start_notice(actor=personas.staff, grant=second)
    answer = client_for(personas.partner_a).get(
        f"/grants/achievements/{achievement.pk}/evidence.zip"
    )
    assert answer.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content))) as zf:  # type: ignore[attr-defined]
        assert zf.namelist() == [
            "summary.pdf",
            "summary.xlsx",
            f"grant-{g.pk}/01-valuation-资产评估报告.pdf",
            f"grant-{g.pk}/02-minutes-会议纪要.pdf",
        ]
        assert (
            zf.read(f"grant-{g.pk}/02-minutes-会议纪要.pdf")
            == b"%PDF-1.4\n% a tiny test document\n%%EOF\n"
        )
        text = "".join(
            p.extract_text() for p in PdfReader(io.BytesIO(zf.read("summary.pdf"))).pages
        )
        book = load_workbook(io.BytesIO(zf.read("summary.xlsx")))
    assert "赋权测试成果：骨修复支架" in text
    assert "王测试" in text and "院长办公会" in text and "测试评估公司" in text
    assert f"#{g.pk}" in text and f"#{second.pk}" in text
    assert "¥3,200,000.00" in text
    grants_sheet = book.worksheets[0]
    rows = list(grants_sheet.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [g.pk, second.pk]
    assert rows[1][1] == "赋权测试成果：骨修复支架" and rows[1][5] == "70%"
    checklist = list(book.worksheets[2].iter_rows(values_only=True))[1:]
    assert len(checklist) == 8  # four items for each of the two grants
    xlsx = client_for(personas.partner_a).get(f"/grants/achievements/{achievement.pk}/summary.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].startswith("attachment")


def test_list_queries_do_not_grow_with_rows(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    make_grant(personas.staff, personas.org_a)
    with CaptureQueriesContext(connection) as one:
        client.get("/grants/")
    make_grant(personas.staff, personas.org_a)
    make_grant(personas.staff, personas.org_a)
    with CaptureQueriesContext(connection) as three:
        client.get("/grants/")
    assert len(three) == len(one)
