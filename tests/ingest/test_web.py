from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from luodi.accounts.domain import create_api_token
from luodi.accounts.models import User
from luodi.catalog import exports
from luodi.catalog.models import Achievement, Organization
from luodi.ingest import export
from tests.conftest import Personas, client_for
from tests.ingest.conftest import write_xlsx
from tests.ingest.test_tables import HEADERS, ROWS

HTMX = {"HTTP_HX_REQUEST": "true"}


def _zip(files: dict[str, str]) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def _xlsx(tmp_path: Path, rows: list[list[object]], name: str = "f.xlsx") -> SimpleUploadedFile:
    path = write_xlsx(tmp_path / name, rows)
    return SimpleUploadedFile(name, path.read_bytes())


def test_staff_upload_map_dry_run_then_choose(personas: Personas, tmp_path: Path) -> None:
    client = client_for(personas.staff)
    response = client.post(
        "/import/", {"kind": "organizations", "file": _xlsx(tmp_path, [HEADERS, *ROWS])}
    )
    assert response.status_code == 302
    mapping_url = response["Location"]
    page = client.get(mapping_url)
    assert page.status_code == 200
    assert 'value="name_zh" selected' in page.content.decode()

    columns = {
        f"col_{i}": key for i, key in enumerate(["name_zh", "name_en", "kind", "city", "aliases"])
    }
    report = client.post(mapping_url, columns, **HTMX)
    body = report.content.decode()
    assert report.status_code == 200
    assert 'data-testid="bad-rows"' in body
    assert "<td>4</td>" in body and "<td>6</td>" in body
    assert Organization.objects.count() == 2  # only the personas' organizations

    refused = client.post(f"{mapping_url}run/", {"mode": "all"}, **HTMX)
    assert 'data-testid="refused"' in refused.content.decode()
    assert Organization.objects.count() == 2

    done = client.post(f"{mapping_url}run/", {"mode": "good"}, **HTMX)
    assert 'data-testid="result"' in done.content.decode()
    assert Organization.objects.count() == 5
    assert client.get(mapping_url).status_code == 404  # the pending import is gone


def test_mapping_without_required_columns_rerenders_with_errors(
    personas: Personas, tmp_path: Path
) -> None:
    client = client_for(personas.staff)
    url = client.post(
        "/import/", {"kind": "organizations", "file": _xlsx(tmp_path, [HEADERS, *ROWS])}
    )["Location"]
    response = client.post(url, {"col_0": "name_zh"}, **HTMX)
    assert response.status_code == 400
    assert "form-errors" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.pdf", b"%PDF", ".xlsx"),
        ("a.csv", b"", "empty"),
        ("a.xlsx", b"PK\x03\x04junk", ""),
        ("a.xlsx", _zip({"[Content_Types].xml": "<not xml"}), ""),
    ],
)
def test_upload_rerenders_with_file_errors(
    personas: Personas, name: str, content: bytes, message: str
) -> None:
    client = client_for(personas.staff)
    response = client.post(
        "/import/", {"kind": "people", "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()


def test_upload_too_large(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("luodi.ingest.forms.MAX_UPLOAD", 10)
    response = client_for(personas.staff).post(
        "/import/", {"kind": "people", "file": SimpleUploadedFile("a.csv", b"x" * 50)}
    )
    assert response.status_code == 400
    assert "10 MB" in response.content.decode()


def test_partner_cannot_import_organizations_merge_or_ctgov(
    personas: Personas, tmp_path: Path
) -> None:
    client = client_for(personas.partner_a)
    response = client.post(
        "/import/", {"kind": "organizations", "file": _xlsx(tmp_path, [HEADERS, *ROWS])}
    )
    assert response.status_code == 400
    assert Organization.objects.count() == 2
    assert client.get("/import/merge/").status_code == 403
    assert (
        client.post(
            "/import/merge/", {"target": personas.org_a.pk, "source": personas.org_b.pk}
        ).status_code
        == 403
    )
    assert client.get("/import/ctgov/").status_code == 403
    assert client_for(personas.viewer).get("/import/").status_code == 403
    personas.org_b.refresh_from_db()
    assert personas.org_b.merged_into is None


def test_partner_imports_achievements_only_for_own_org(personas: Personas, tmp_path: Path) -> None:
    client = client_for(personas.partner_a)
    rows = [
        ["成果名称", "类型", "所属机构", "阶段"],
        ["甲的成果", "专利", "甲机构", "概念"],
        ["冒名成果", "专利", "乙机构", "概念"],
        ["默认机构的成果", "专利", "", "概念"],
    ]
    url = client.post("/import/", {"kind": "achievements", "file": _xlsx(tmp_path, rows)})[
        "Location"
    ]
    columns = {"col_0": "title_zh", "col_1": "kind", "col_2": "owner", "col_3": "stage"}
    client.post(url, columns, **HTMX)
    body = client.post(f"{url}run/", {"mode": "good"}, **HTMX).content.decode()

    assert "<td>3</td>" in body
    assert sorted(Achievement.objects.values_list("title_zh", "owner_id", "status")) == [
        ("甲的成果", personas.org_a.pk, "pending"),
        ("默认机构的成果", personas.org_a.pk, "pending"),
    ]


def test_pending_import_is_private(personas: Personas, tmp_path: Path) -> None:
    url = client_for(personas.partner_a).post(
        "/import/", {"kind": "people", "file": _xlsx(tmp_path, [["姓名"], ["张三"]])}
    )["Location"]
    assert client_for(personas.partner_b).get(url).status_code == 404


def _bearer(user: User) -> dict[str, str]:
    # Write scope: these calls import (POST).
    _token, raw = create_api_token(actor=user, name="test", scope="write")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_table_import_dry_run_and_errors(personas: Personas, tmp_path: Path) -> None:
    client = client_for(None)
    staff = _bearer(personas.staff)
    ok = client.post(
        "/api/ingest/table",
        {"kind": "organizations", "dry_run": "true", "file": _xlsx(tmp_path, [HEADERS, *ROWS])},
        **staff,
    )
    assert ok.status_code == 200
    assert ([e["line"] for e in ok.json()["errors"]], ok.json()["created"]) == ([4, 6], 3)
    assert Organization.objects.count() == 2

    empty = client.post(
        "/api/ingest/table",
        {"kind": "organizations", "file": SimpleUploadedFile("a.csv", b"")},
        **staff,
    )
    assert (empty.status_code, empty.json()["error"]["code"]) == (400, "bad_file")
    junk = client.post(
        "/api/ingest/table",
        {"kind": "organizations", "file": SimpleUploadedFile("a.xlsx", b"PKxx")},
        **staff,
    )
    assert (junk.status_code, junk.json()["error"]["code"]) == (400, "bad_file")
    bad_map = client.post(
        "/api/ingest/table",
        {
            "kind": "organizations",
            "mapping": '["name_zh"]',
            "file": _xlsx(tmp_path, [HEADERS, *ROWS]),
        },
        **staff,
    )
    assert (bad_map.status_code, bad_map.json()["error"]["code"]) == (422, "invalid_mapping")


def test_api_partner_forbidden_for_organizations_and_ctgov(
    personas: Personas, tmp_path: Path
) -> None:
    client = client_for(None)
    partner = _bearer(personas.partner_a)
    orgs = client.post(
        "/api/ingest/table",
        {"kind": "organizations", "file": _xlsx(tmp_path, [HEADERS, *ROWS])},
        **partner,
    )
    assert (orgs.status_code, orgs.json()["error"]["code"]) == (403, "forbidden")
    trials = client.post(
        "/api/ingest/ctgov", {"file": SimpleUploadedFile("c.csv", b"NCT Number,Title\n")}, **partner
    )
    assert trials.status_code == 403
    rows = [["成果名称", "类型", "所属机构", "阶段"], ["冒名成果", "专利", "乙机构", "概念"]]
    other = client.post(
        "/api/ingest/table",
        {"kind": "achievements", "file": _xlsx(tmp_path, rows, "a.xlsx")},
        **partner,
    )
    assert other.status_code == 200
    assert [e["line"] for e in other.json()["errors"]] == [2]
    assert Achievement.objects.count() == 0


def test_export_rows_csv_and_xlsx(personas: Personas) -> None:
    personas.org_a.description_zh = "=HYPERLINK()"
    personas.org_a.save()
    qs = export.queryset_for("organizations", personas.staff).order_by("pk")
    columns = export.COLUMNS["organizations"]

    csv_response = exports.export_rows(qs, columns, "csv", filename="orgs")
    text = csv_response.content.decode("utf-8")
    assert csv_response["Content-Disposition"] == 'attachment; filename="orgs.csv"'
    assert text.startswith("\ufeff")
    assert "'=HYPERLINK()" in text

    xlsx = exports.export_rows(qs, columns, "xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 3
    assert values[1][0] == "甲机构"


def test_staff_export_view(personas: Personas) -> None:
    response = client_for(personas.staff).get("/import/export/people.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == export.XLSX


def test_export_view_only_lists_what_the_user_may_see(personas: Personas) -> None:
    from luodi.catalog.choices import ReviewStatus

    personas.org_b.status = ReviewStatus.PENDING
    personas.org_b.save()
    text = client_for(personas.partner_a).get("/import/export/organizations.csv").content
    assert "甲机构" in text.decode() and "乙机构" not in text.decode()
    assert client_for(personas.staff).get("/import/export/organizations.pdf").status_code == 404


def test_staff_ctgov_page_imports_and_reports_malformed_rows(personas: Personas) -> None:
    from luodi.catalog.models import Trial
    from tests.ingest.test_ctgov import MALFORMED

    client = client_for(personas.staff)
    upload = SimpleUploadedFile("ctgov.csv", MALFORMED.encode())
    response = client.post("/import/ctgov/", {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="bad-rows"' in body
    assert Trial.objects.count() == 1
    not_ctgov = client.post("/import/ctgov/", {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")})
    assert not_ctgov.status_code == 400


def test_merge_page_preview_and_confirm(personas: Personas) -> None:
    client = client_for(personas.staff)
    a, b = personas.org_a, personas.org_b
    preview = client.get(f"/import/merge/?target={a.pk}&source={b.pk}")
    assert 'data-testid="merge-preview"' in preview.content.decode()
    same = client.post("/import/merge/", {"target": a.pk, "source": a.pk})
    assert same.status_code == 400
    done = client.post("/import/merge/", {"target": a.pk, "source": b.pk})
    assert done.status_code == 302
    b.refresh_from_db()
    assert b.merged_into == a


def test_api_unknown_kind_is_422(personas: Personas, tmp_path: Path) -> None:
    response = client_for(None).post(
        "/api/ingest/table",
        {"kind": "spaceships", "file": _xlsx(tmp_path, [HEADERS, *ROWS])},
        **_bearer(personas.staff),
    )
    assert (response.status_code, response.json()["error"]["code"]) == (422, "invalid")
