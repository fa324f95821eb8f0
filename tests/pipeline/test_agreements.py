from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from luodi.pipeline.domain.agreements import add_obligation, create_agreement
from luodi.pipeline.models import AgreementDocument, Task
from tests.conftest import Personas, client_for
from tests.pipeline.factories import make_project

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def agreement(personas: Personas):  # type: ignore[no-untyped-def]
    project = make_project(personas.staff, personas.org_a, company=personas.org_b)
    return create_agreement(
        actor=personas.staff,
        project=project,
        values={"kind": "intention", "title": "合作意向书"},
        parties=[personas.org_a, personas.org_b],
    )


def _stored_files(settings) -> list[Path]:  # type: ignore[no-untyped-def]
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _upload(client, agreement, name: str, content: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        f"/projects/agreements/{agreement.pk}/documents/",
        {"doc_type": "contract", "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def test_pdf_upload_is_stored_and_downloaded_as_attachment(
    personas: Personas, agreement, settings
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.staff)
    _upload(client, agreement, "意向书.pdf", PDF)

    doc = AgreementDocument.objects.get()
    assert (doc.original_name, doc.content_type, doc.size) == (
        "意向书.pdf",
        "application/pdf",
        len(PDF),
    )
    assert str(Path(doc.file.path)).startswith(str(settings.MEDIA_ROOT))
    response = client_for(personas.partner_b).get(f"/projects/documents/{doc.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF


def test_document_download_refused_to_non_party(personas: Personas, agreement) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

    _upload(client_for(personas.staff), agreement, "a.pdf", PDF)
    outsider = UserFactory(role="partner")
    MembershipFactory(user=outsider, organization=OrganizationFactory())
    doc = AgreementDocument.objects.get()
    assert client_for(outsider).get(f"/projects/documents/{doc.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>", "not accepted"),
        ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not accepted"),
        ("fake.pdf", b"<html>not a pdf</html>", "does not match"),
        ("big.pdf", PDF + b"0" * (1024 * 1024 + 1), "too large"),
    ],
)
def test_forbidden_or_oversized_upload_is_refused_and_nothing_stored(
    personas: Personas,
    agreement,
    settings,
    name: str,
    content: bytes,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    settings.LUODI_UPLOAD_MAX_MB = 1
    settings.LANGUAGE_CODE = "en"
    client = client_for(personas.staff)
    client.cookies["django_language"] = "en"

    response = _upload(client, agreement, name, content)

    assert message in response.content.decode()
    assert AgreementDocument.objects.count() == 0
    assert _stored_files(settings) == []


def test_obligation_with_responsible_person_creates_task(personas: Personas, agreement) -> None:  # type: ignore[no-untyped-def]
    obligation = add_obligation(
        actor=personas.staff,
        agreement=agreement,
        kind="visit",
        description="30日内到协会拜访",
        due_date=date(2030, 3, 1),
        responsible=personas.partner_a,
    )
    task = Task.objects.get()
    assert (task.obligation, task.owner, task.due_date, task.project) == (
        obligation,
        personas.partner_a,
        date(2030, 3, 1),
        agreement.project,
    )


def test_obligation_needs_due_date_or_trigger(personas: Personas, agreement) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        add_obligation(
            actor=personas.staff, agreement=agreement, kind="report", description="季度报告"
        )
    response = client_for(personas.staff).post(
        f"/projects/agreements/{agreement.pk}/obligations/",
        {"kind": "report", "description": "季度报告"},
    )
    assert response.status_code == 302
    assert agreement.obligations.count() == 0


def test_obligation_owner_must_be_staff_or_party_member(personas: Personas) -> None:
    from django.core.exceptions import ValidationError

    project = make_project(personas.staff, personas.org_a)
    agreement = create_agreement(
        actor=personas.staff, project=project, values={"kind": "mou", "title": "MoU"}
    )
    with pytest.raises(ValidationError):
        add_obligation(
            actor=personas.staff,
            agreement=agreement,
            kind="report",
            description="x",
            trigger="on signing",
            responsible=personas.partner_b,
        )


def test_fulfilling_obligation_closes_its_task(personas: Personas, agreement) -> None:  # type: ignore[no-untyped-def]
    obligation = add_obligation(
        actor=personas.staff,
        agreement=agreement,
        kind="royalty",
        description="royalty",
        due_date=date(2030, 1, 1),
        responsible=personas.staff,
    )
    client_for(personas.staff).post(
        f"/projects/obligations/{obligation.pk}/status/", {"status": "done"}
    )
    assert Task.objects.get().status == "done"


def test_failed_save_leaves_no_file_behind(
    personas: Personas,
    agreement,
    settings,  # type: ignore[no-untyped-def]
    monkeypatch,
) -> None:
    from luodi.pipeline.domain import agreements as domain

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("audit down")

    monkeypatch.setattr(domain.audit, "record", broken)
    with pytest.raises(RuntimeError):
        domain.upload_document(
            actor=personas.staff,
            agreement=agreement,
            doc_type="contract",
            upload=SimpleUploadedFile("a.pdf", PDF),
        )
    assert AgreementDocument.objects.count() == 0
    assert _stored_files(settings) == []


def test_an_obligation_type_is_chosen_never_defaulted(personas: Personas, agreement) -> None:  # type: ignore[no-untyped-def]
    """#18 item 8: the form preselected the first type, so an unchosen one was saved as it."""
    from luodi.pipeline.forms import ObligationForm

    form = ObligationForm(
        {"description": "季度报告", "due_date": "2027-03-31"}, agreement=agreement
    )

    assert not form.is_valid()
    assert "kind" in form.errors
    assert 'value="" selected' in str(form["kind"]) or "selected" not in str(form["kind"])
    client_for(personas.staff).post(
        f"/projects/agreements/{agreement.pk}/obligations/",
        {"description": "季度报告", "due_date": "2027-03-31"},
    )
    assert agreement.obligations.count() == 0
