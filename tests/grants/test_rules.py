"""Who sees and keeps grants, with data that could leak: another partner and a viewer get
404 everywhere (pages, documents, evidence, the achievement page's tag, the report); a member
of the institution sees the grant but not an achievement or a person it may not see."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from luodi.catalog.models import Achievement
from luodi.grants import rules
from luodi.grants.report import grants_in
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory, PersonFactory
from tests.grants.helpers import TODAY, attach, make_grant

pytestmark = pytest.mark.django_db

SECRET_TITLE = "机密LEAKG9成果：可降解镁合金骨钉"
SECRET_PERSON = "隐LEAKP4姓名"


def _leaky(personas: Personas) -> tuple[int, int, int]:
    """A grant of org_a whose achievement later went to org_b as a confidential record, with
    a team member of org_b still in draft; and one document. Returns (grant, achievement,
    document) ids."""
    achievement = AchievementFactory(owner=personas.org_a, title_zh=SECRET_TITLE)
    hidden = PersonFactory(organization=personas.org_b, name_zh=SECRET_PERSON, status="draft")
    seen = PersonFactory(organization=personas.org_a, name_zh="可见成员")
    g = make_grant(
        personas.staff, personas.org_a, achievement, members=[(seen, 4000), (hidden, 3000)]
    )
    doc = attach(personas.staff, g, "valuation", "评估.pdf")
    Achievement.objects.filter(pk=achievement.pk).update(
        owner=personas.org_b, disclosure="confidential"
    )
    return g.pk, achievement.pk, doc.pk


def test_querysets_by_persona(personas: Personas) -> None:
    g = make_grant(personas.staff, personas.org_a)
    assert list(rules.grants_visible_to(personas.staff)) == [g]
    assert list(rules.grants_visible_to(personas.partner_a)) == [g]
    assert list(rules.grants_visible_to(personas.partner_b)) == []
    assert list(rules.grants_visible_to(personas.viewer)) == []
    assert personas.partner_a.has_perm("grants.keep_grant", g)
    assert not personas.partner_b.has_perm("grants.keep_grant", g)
    assert not personas.viewer.has_perm("grants.keep_grant", g)


def test_other_partner_and_viewer_get_404_everywhere(personas: Personas) -> None:
    gid, aid, did = _leaky(personas)
    urls = [
        f"/grants/{gid}/",
        f"/grants/{gid}/edit/",
        f"/grants/documents/{did}/",
        f"/grants/achievements/{aid}/evidence.zip",
        f"/grants/achievements/{aid}/summary.xlsx",
        f"/api/grants/{gid}",
        f"/api/grants/{gid}/documents",
        f"/api/grants/documents/{did}/file",
        f"/api/grants/achievements/{aid}/evidence",
    ]
    for user in (personas.partner_b, personas.viewer):
        client = client_for(user)
        for url in urls:
            answer = client.get(url)
            assert answer.status_code == 404, (user, url)
            assert SECRET_TITLE not in answer.content.decode(errors="ignore")
        for move in ("start-notice", "withdraw", "grant", "objection"):
            assert client.post(f"/grants/{gid}/{move}/").status_code == 404
        listed = client.get("/api/grants/").json()
        assert listed["count"] == 0
    assert client_for(personas.viewer).get("/grants/").status_code == 404
    page = client_for(personas.partner_b).get("/grants/").content.decode()
    assert SECRET_TITLE not in page and "评估.pdf" not in page


def test_member_sees_the_grant_but_not_what_it_may_not_see(personas: Personas) -> None:
    gid, aid, _did = _leaky(personas)
    client = client_for(personas.partner_a)
    for url in ("/grants/", f"/grants/{gid}/", f"/api/grants/{gid}", "/api/grants/"):
        body = client.get(url).content.decode()
        assert SECRET_TITLE not in body, url
        assert SECRET_PERSON not in body, url
    detail = client.get(f"/grants/{gid}/").content.decode()
    assert "可见成员" in detail and "30%" in detail  # the hidden member's share still shows
    api = client.get(f"/api/grants/{gid}").json()
    assert api["achievement"] is None and api["achievement_id"] == aid
    assert [(m["name"], m["share_bp"]) for m in api["members"]] == [
        ("可见成员", 4000),
        ("", 3000),
    ]
    archive = client.get(f"/grants/achievements/{aid}/evidence.zip")
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))) as zf:  # type: ignore[attr-defined]
        for name in zf.namelist():
            data = zf.read(name)
            assert SECRET_TITLE.encode() not in data, name
            assert SECRET_PERSON.encode() not in data, name
        from pypdf import PdfReader

        text = "".join(
            p.extract_text() for p in PdfReader(io.BytesIO(zf.read("summary.pdf"))).pages
        )
    assert SECRET_TITLE not in text and SECRET_PERSON not in text and "可见成员" in text
    staff = client_for(personas.staff).get(f"/grants/{gid}/").content.decode()
    assert SECRET_TITLE in staff and SECRET_PERSON in staff


def test_achievement_page_tag_lists_only_visible_grants(personas: Personas) -> None:
    achievement = AchievementFactory(owner=personas.org_a)
    make_grant(personas.staff, personas.org_a, achievement)
    template = Template("{% load grant_tags %}{% grant_records obj %}")

    def render(user: object) -> str:
        request = RequestFactory().get("/")
        request.user = user  # type: ignore[assignment]
        return template.render(Context({"request": request, "obj": achievement}))

    assert "achievement-grants" in render(personas.partner_a)
    assert "70%" in render(personas.staff)
    assert render(personas.partner_b).strip() == ""
    assert render(personas.viewer).strip() == ""


def test_report_lines_follow_the_rules(personas: Personas) -> None:
    _leaky(personas)
    start, end = TODAY - timedelta(days=365), TODAY
    assert grants_in(personas.partner_b, personas.org_a, start, end) == []
    assert grants_in(personas.viewer, personas.org_a, start, end) == []
    (line,) = grants_in(personas.partner_a, personas.org_a, start, end)
    assert SECRET_TITLE not in line.achievement
    (staff_line,) = grants_in(personas.staff, personas.org_a, start, end)
    assert staff_line.achievement == SECRET_TITLE
