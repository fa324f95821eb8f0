"""Pages: the reviewer sees only what they were invited to see (declaration before the
dossier, NDA for a confidential achievement, blind review hides the others), the owner sees
the summary only, everyone else a 404; staff run the assessment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from luodi.assessments import domain
from luodi.assessments.models import Score
from tests.assessments.helpers import (
    GOOD,
    default_template,
    expert,
    invite_user,
    open_for,
    scored,
)
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory

pytestmark = pytest.mark.django_db

DOSSIER = "MKDOSSIERQ7Z"
COMMENT = "MKR1COMMENTQ7Z"


def _secret(personas: Personas):  # type: ignore[no-untyped-def]
    return AchievementFactory(owner=personas.org_a, disclosure="confidential", dossier_zh=DOSSIER)


def test_dossier_only_after_the_declaration_and_the_nda(personas: Personas) -> None:
    a = open_for(personas.staff, _secret(personas))
    reviewer = expert("rev2")
    invite_user(personas.staff, a, reviewer)
    client = client_for(reviewer)
    url = f"/assessments/{a.pk}/review/"
    first = client.get(url)
    assert first.status_code == 200
    assert b'data-testid="declaration-form"' in first.content and b"nda-text" in first.content
    assert DOSSIER.encode() not in first.content
    refused = client.post(url, {"action": "declare", "conflict": "no"})
    assert refused.status_code == 400 and DOSSIER.encode() not in refused.content
    assert client.get(f"/assessments/{a.pk}/").status_code == 404  # not cleared: nothing
    done = client.post(url, {"action": "declare", "conflict": "no", "accept_nda": "on"})
    assert done.status_code == 302
    page = client.get(url)
    assert DOSSIER.encode() in page.content and b'data-testid="score-form"' in page.content


def test_scores_out_of_scale_re_render_with_field_errors(personas: Personas) -> None:
    a = open_for(personas.staff, AchievementFactory(owner=personas.org_a))
    reviewer = expert("rev1")
    invite_user(personas.staff, a, reviewer)
    client = client_for(reviewer)
    url = f"/assessments/{a.pk}/review/"
    client.post(url, {"action": "declare", "conflict": "no"})
    data = {"action": "score", **{f"score_{k}": v for k, v in GOOD.items()}, "score_trl": 12}
    page = client.post(url, data)
    assert page.status_code == 400
    assert b'class="field has-error"' in page.content and b'value="12"' in page.content
    assert not Score.objects.exists()
    data["score_trl"] = 7
    assert client.post(url, data).status_code == 302
    assert Score.objects.filter(invitation__user=reviewer).count() == len(GOOD)


def test_blind_review_hides_the_other_reviewers_and_open_shows_them(personas: Personas) -> None:
    for mode, shown in (("blind", False), ("open", True)):
        achievement = AchievementFactory(owner=personas.org_a)
        a = open_for(personas.staff, achievement, mode=mode)
        first = invite_user(personas.staff, a, expert(f"first_{mode}"))
        domain.declare(actor=first.user, invitation=first, conflict=False)
        domain.submit_scores(actor=first.user, invitation=first, values=GOOD, comment=COMMENT)
        second = scored(invite_user(personas.staff, a, expert(f"second_{mode}")), GOOD)
        page = client_for(second.user).get(f"/assessments/{a.pk}/review/")
        assert page.status_code == 200
        assert (f"first_{mode}".encode() in page.content) is shown, mode
        assert (b'data-testid="co-reviewers"' in page.content) is shown, mode


def test_owner_sees_the_summary_not_the_scores_others_404(personas: Personas) -> None:
    a = open_for(personas.staff, _secret(personas))
    first = invite_user(personas.staff, a, expert("named_reviewer"))
    domain.declare(actor=first.user, invitation=first, conflict=False, accept_nda=True)
    domain.submit_scores(actor=first.user, invitation=first, values=GOOD, comment=COMMENT)
    url = f"/assessments/{a.pk}/"
    assert client_for(personas.partner_a).get(url).status_code == 404  # not summarised yet
    staff_page = client_for(personas.staff).get(url)
    assert COMMENT.encode() not in staff_page.content  # comments stay in the review record
    assert (
        b"named_reviewer" in staff_page.content and b'data-testid="aggregate"' in staff_page.content
    )
    domain.close(actor=personas.staff, assessment=a)
    domain.summarise(
        actor=personas.staff,
        assessment=a,
        readiness=6,
        strengths="S",
        risks="R",
        summary="MKSUMMARYQ7Z",
        suggested_kinds=["company"],
    )
    owner = client_for(personas.partner_a).get(url)
    assert owner.status_code == 200 and b"MKSUMMARYQ7Z" in owner.content
    assert (
        b"named_reviewer" not in owner.content and b'data-testid="aggregate"' not in owner.content
    )
    for user in (personas.partner_b, personas.viewer):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).get(f"/assessments/{a.pk}/review/").status_code == 404
    assert client_for(None).get(url).status_code == 302  # sign in first


def test_staff_run_an_assessment_through_the_pages(personas: Personas) -> None:
    achievement = AchievementFactory(owner=personas.org_a)
    staff = client_for(personas.staff)
    opened = staff.post(
        f"/assessments/new/?achievement={achievement.pk}",
        {
            "achievement": achievement.pk,
            "template": default_template().pk,
            "mode": "blind",
            "deadline": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
    )
    assert opened.status_code == 302
    a = achievement.assessments.get()
    far = staff.post(
        f"/assessments/new/?achievement={achievement.pk}",
        {
            "achievement": achievement.pk,
            "template": a.template_id,
            "mode": "open",
            "deadline": "2999-01-01",
        },
    )
    assert far.status_code == 400 and achievement.assessments.count() == 1
    invited = staff.post(
        f"/assessments/{a.pk}/invite/",
        {"name": "外部专家", "email": "ext@example.org"},
        HTTP_HX_REQUEST="true",
    )
    assert invited.status_code == 200 and b'data-testid="invite-done"' in invited.content
    bad = staff.post(f"/assessments/{a.pk}/invite/", {"name": "无邮箱"})
    assert bad.status_code == 400
    assert a.invitations.count() == 1
    # non-staff cannot open
    assert client_for(personas.partner_a).get("/assessments/new/").status_code == 403


def test_result_tag_follows_the_dossier_policy(personas: Personas, rf) -> None:  # type: ignore[no-untyped-def]
    from django.template import Context, Template

    teaser = AchievementFactory(owner=personas.org_a, disclosure="teaser")
    a = open_for(personas.staff, teaser)
    scored(invite_user(personas.staff, a, expert("rev1")), GOOD)
    domain.close(actor=personas.staff, assessment=a)
    domain.summarise(
        actor=personas.staff,
        assessment=a,
        readiness=7,
        strengths="",
        risks="",
        summary="MKRESULTQ7Z",
        suggested_kinds=[],
    )
    tag = Template("{% load assessment_tags %}{% assessment_result obj %}")
    for user, shown in (
        (personas.partner_a, True),
        (personas.staff, True),
        (personas.partner_b, False),  # sees the teaser, not its dossier
    ):
        request = rf.get("/")
        request.user = user
        html = tag.render(Context({"request": request, "obj": teaser}))
        assert ("MKRESULTQ7Z" in html) is shown, user
