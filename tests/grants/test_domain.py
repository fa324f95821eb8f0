"""The grants' domain: what a grant must say, the team split, the transitions and their
refusals (nothing written), objections, versions, documents (type and size checked)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from luodi.accounts.models import AuditEntry
from luodi.concurrency import Conflict
from luodi.grants import domain
from luodi.grants.models import Grant, GrantDocument, GrantMember
from tests.conftest import Personas
from tests.factories import AchievementFactory
from tests.grants.helpers import TODAY, make_grant, pdf_upload, team

pytestmark = pytest.mark.django_db


def _fields(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(exc.value.message_dict)


def test_bad_values_are_refused_by_field_and_nothing_is_written(personas: Personas) -> None:
    theirs = AchievementFactory(owner=personas.org_b)
    cases = [
        ({"team_share_bp": 0}, "team_share_bp"),
        ({"team_share_bp": 10_001}, "team_share_bp"),
        ({"achievement": theirs}, "achievement"),
        ({"kind": "use_right"}, "term_years"),
        ({"kind": "use_right", "term_years": 10}, "use_starts_on"),
        ({"term_years": 10}, "term_years"),
        ({"valuation_fen": 0}, "valuation_fen"),
        ({"decided_on": TODAY + timedelta(days=1)}, "decided_on"),
        ({"notice_ends_on": TODAY - timedelta(days=30)}, "notice_ends_on"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationError) as exc:
            make_grant(personas.staff, personas.org_a, **values)
        assert field in _fields(exc), values
    assert not Grant.objects.exists()
    assert not GrantMember.objects.exists()


def test_members_must_add_up_to_the_team_share(personas: Personas) -> None:
    with pytest.raises(ValidationError) as exc:
        make_grant(personas.staff, personas.org_a, members=team(personas.org_a, 4000, 2000))
    assert _fields(exc) == {"members"}
    assert "60%" in exc.value.message_dict["members"][0]
    assert "70%" in exc.value.message_dict["members"][0]
    assert not Grant.objects.exists()
    ((person, _share),) = team(personas.org_a, 1)
    with pytest.raises(ValidationError) as exc:
        make_grant(personas.staff, personas.org_a, members=[(person, 3500), (person, 3500)])
    assert _fields(exc) == {"members"}
    g = make_grant(personas.staff, personas.org_a, members=team(personas.org_a, 3350, 3650))
    assert [m.share_bp for m in g.members.all()] == [3350, 3650]


def test_a_use_right_keeps_its_term(personas: Personas) -> None:
    g = make_grant(
        personas.staff,
        personas.org_a,
        kind="use_right",
        team_share_bp=10_000,
        term_years=10,
        use_starts_on=TODAY,
        members=team(personas.org_a, 10_000),
    )
    assert (g.kind, g.term_years, g.use_starts_on) == ("use_right", 10, TODAY)


def test_percent() -> None:
    assert [domain.percent(bp) for bp in (7000, 3350, 1, 10, 10_000)] == [
        "70%",
        "33.5%",
        "0.01%",
        "0.1%",
        "100%",
    ]


def test_main_path_draft_notice_objection_granted(personas: Personas) -> None:
    g = make_grant(personas.staff, personas.org_a)
    domain.start_notice(actor=personas.staff, grant=g)
    g.refresh_from_db()
    assert g.status == "on_notice"
    domain.record_objection(actor=personas.staff, grant=g, text="份额分配有异议")
    g.refresh_from_db()
    assert g.objections == f"{TODAY:%Y-%m-%d}: 份额分配有异议"
    domain.grant_rights(actor=personas.staff, grant=g, outcome="经核实，异议不成立。")
    g.refresh_from_db()
    assert (g.status, g.granted_on, g.notice_outcome) == ("granted", TODAY, "经核实，异议不成立。")
    verbs = list(
        AuditEntry.objects.filter(target_id=str(g.pk), verb__startswith="grant.").values_list(
            "verb", flat=True
        )
    )
    assert sorted(verbs) == sorted(
        ["grant.create", "grant.team", "grant.start_notice", "grant.objection", "grant.grant"]
    )


def test_start_notice_without_valuation_is_refused(personas: Personas) -> None:
    g = make_grant(personas.staff, personas.org_a, valuer="", valuation_fen=None)
    version = Grant.objects.get(pk=g.pk).version
    with pytest.raises(ValidationError) as exc:
        domain.start_notice(actor=personas.staff, grant=g)
    assert _fields(exc) == {"valuation_fen"}
    fresh = Grant.objects.get(pk=g.pk)
    assert (fresh.status, fresh.version) == ("draft", version)


def test_start_notice_names_everything_missing(personas: Personas) -> None:
    g = make_grant(
        personas.staff,
        personas.org_a,
        members=[],
        decision_body="",
        notice_place="",
        valuation_report_on=None,
    )
    with pytest.raises(ValidationError) as exc:
        domain.start_notice(actor=personas.staff, grant=g)
    assert _fields(exc) == {"valuation_fen", "decided_on", "notice_starts_on", "members"}


def test_moves_the_table_does_not_list_are_refused(personas: Personas) -> None:
    g = make_grant(personas.staff, personas.org_a)
    with pytest.raises(ValidationError):
        domain.grant_rights(actor=personas.staff, grant=g, outcome="无异议")
    with pytest.raises(ValidationError):
        domain.record_objection(actor=personas.staff, grant=g, text="异议")
    domain.withdraw(actor=personas.staff, grant=g, reason="团队放弃")
    with pytest.raises(ValidationError):
        domain.start_notice(actor=personas.staff, grant=g)
    with pytest.raises(ValidationError):
        domain.withdraw(actor=personas.staff, grant=g, reason="again")
    assert Grant.objects.get(pk=g.pk).status == "withdrawn"


def test_granting_before_the_notice_ends_or_without_outcome_is_refused(
    personas: Personas,
) -> None:
    g = make_grant(personas.staff, personas.org_a, notice_ends_on=TODAY)
    domain.start_notice(actor=personas.staff, grant=g)
    with pytest.raises(ValidationError) as exc:
        domain.grant_rights(actor=personas.staff, grant=g, outcome="无异议")
    assert _fields(exc) == {"status"}
    with pytest.raises(ValidationError) as exc:
        domain.grant_rights(
            actor=personas.staff, grant=g, outcome="  ", today=TODAY + timedelta(days=1)
        )
    assert _fields(exc) == {"outcome"}
    assert Grant.objects.get(pk=g.pk).status == "on_notice"


def test_only_a_draft_is_edited(personas: Personas) -> None:
    g = make_grant(personas.staff, personas.org_a)
    domain.start_notice(actor=personas.staff, grant=g)
    with pytest.raises(ValidationError) as exc:
        domain.save_grant(actor=personas.staff, grant=g, values={"valuer": "别的公司"})
    assert _fields(exc) == {"status"}
    assert Grant.objects.get(pk=g.pk).valuer == "测试评估公司"


def test_a_stale_version_conflicts_and_writes_nothing(personas: Personas) -> None:
    g = make_grant(personas.staff, personas.org_a)
    loaded = Grant.objects.get(pk=g.pk).version
    domain.save_grant(
        actor=personas.staff, grant=g, values={"note": "first"}, expected_version=loaded
    )
    with pytest.raises(Conflict):
        domain.save_grant(
            actor=personas.staff, grant=g, values={"note": "second"}, expected_version=loaded
        )
    with pytest.raises(Conflict):
        domain.start_notice(actor=personas.staff, grant=g, expected_version=loaded)
    fresh = Grant.objects.get(pk=g.pk)
    assert (fresh.note, fresh.status) == ("first", "draft")


def test_documents_are_stored_under_a_random_name(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    g = make_grant(personas.staff, personas.org_a)
    doc = domain.upload_document(
        actor=personas.staff, grant=g, upload=pdf_upload("../../评估报告.pdf"), doc_type="valuation"
    )
    assert doc.original_name == "评估报告.pdf"
    assert doc.content_type == "application/pdf"
    assert doc.file.name.startswith(f"grants/{g.pk}/")
    assert "评估" not in doc.file.name and ".." not in doc.file.name
    assert doc.file.read().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.html", b"<script>alert(1)</script>"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf"),
        ("empty.pdf", b""),
    ],
)
def test_bad_documents_are_refused(personas: Personas, name: str, content: bytes) -> None:
    g = make_grant(personas.staff, personas.org_a)
    with pytest.raises(ValidationError) as exc:
        domain.upload_document(
            actor=personas.staff, grant=g, upload=pdf_upload(name, content), doc_type="minutes"
        )
    assert _fields(exc) == {"file"}
    assert not GrantDocument.objects.exists()


def test_a_document_over_the_limit_is_refused(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_UPLOAD_MAX_MB = 1
    g = make_grant(personas.staff, personas.org_a)
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1)
    with pytest.raises(ValidationError) as exc:
        domain.upload_document(
            actor=personas.staff, grant=g, upload=pdf_upload("big.pdf", big), doc_type="minutes"
        )
    assert "1 MB" in exc.value.message_dict["file"][0]
    assert not GrantDocument.objects.exists()
