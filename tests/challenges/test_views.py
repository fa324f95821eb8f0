"""The challenge pages: the public proposal form without an account (files, field errors,
deadline, honeypot, rate limit), the signed-in proposal form, posting from a clinical need,
matches and invitations, the award form, and the demo."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.utils import timezone

from luodi import demo
from luodi.challenges.choices import ChallengeStatus, Stage
from luodi.challenges.models import Challenge, Invitation, Proposal
from tests.challenges.helpers import make_challenge
from tests.conftest import Personas, client_for
from tests.factories import ClinicalNeedFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4 proposal\n"


def _form(**extra):  # type: ignore[no-untyped-def]
    return {
        "applicant_name": "赵申请",
        "applicant_email": "zhao@example.org",
        "applicant_organization": "某研究所",
        "title": "公开提交的方案",
        "summary": "摘要",
        "approach": "方法",
        "readiness": "4",
        "plan": "计划",
        "website": "",
        **extra,
    }


def test_public_form_takes_a_proposal_with_a_file_and_sends_the_private_link(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    challenge = make_challenge(personas.partner_a, personas.org_a)
    data = _form(attachments=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"))
    with django_capture_on_commit_callbacks(execute=True):
        answer = Client().post(f"/challenges/public/{challenge.pk}/", data)
    assert answer.status_code == 302 and "/challenges/p/" in answer["Location"]
    proposal = Proposal.objects.get()
    assert (proposal.applicant_email, proposal.submitted_by, proposal.stage) == (
        "zhao@example.org",
        None,
        Stage.SCREEN,
    )
    assert [d.original_name for d in proposal.attachments.all()] == ["plan.pdf"]
    confirmation = next(m for m in mail.outbox if m.to == ["zhao@example.org"])
    link = answer["Location"].split("?")[0]
    assert link in confirmation.body
    page = Client().get(link)
    assert "公开提交的方案" in page.content.decode()
    doc = proposal.attachments.get()
    download = Client().get(f"{link}files/{doc.pk}/")
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]


def test_public_form_refuses_missing_fields_and_a_bad_file(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a)
    data = _form(
        summary="",
        applicant_email="",
        attachments=SimpleUploadedFile(
            "plan.exe", b"MZ...", content_type="application/x-msdownload"
        ),
    )
    answer = Client().post(f"/challenges/public/{challenge.pk}/", data)
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert set(errors) == {"summary", "applicant_email"}
    data = _form(
        attachments=SimpleUploadedFile(
            "plan.exe", b"MZ...", content_type="application/x-msdownload"
        )
    )
    answer = Client().post(f"/challenges/public/{challenge.pk}/", data)
    assert answer.status_code == 400 and set(answer.context["form"].errors) == {"attachments"}
    assert Proposal.objects.count() == 0


def test_public_form_after_the_deadline_is_refused(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a)
    Challenge.objects.filter(pk=challenge.pk).update(
        deadline=timezone.localdate() - timedelta(days=1)
    )
    page = Client().get(f"/challenges/public/{challenge.pk}/")
    assert 'data-testid="closed"' in page.content.decode()
    answer = Client().post(f"/challenges/public/{challenge.pk}/", _form())
    assert answer.status_code == 400 and answer.context["form"].non_field_errors()
    assert Proposal.objects.count() == 0


def test_public_form_honeypot_and_rate_limit(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_PROPOSAL_RATE_LIMIT = 2
    challenge = make_challenge(personas.partner_a, personas.org_a)
    client = Client()
    url = f"/challenges/public/{challenge.pk}/"
    assert client.post(url, _form(website="http://spam")).status_code == 400
    assert client.post(url, _form(title="")).status_code == 400
    assert client.post(url, _form()).status_code == 429
    assert Proposal.objects.count() == 0


def test_signed_in_applicant_submits_for_its_organization(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a)
    client = client_for(personas.partner_b)
    form = {
        k: v
        for k, v in _form().items()
        if k not in ("applicant_name", "applicant_organization", "website")
    }
    answer = client.post(
        f"/challenges/{challenge.pk}/propose/", {**form, "organization": personas.org_b.pk}
    )
    assert answer.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.organization, proposal.submitted_by) == (personas.org_b, personas.partner_b)
    # The poster's own members are not offered the form.
    assert (
        client_for(personas.partner_a).get(f"/challenges/{challenge.pk}/propose/").status_code
        == 403
    )


def test_need_page_tag_links_to_a_prefilled_challenge(personas: Personas) -> None:
    need = ClinicalNeedFactory(organization=personas.org_a, title_zh="术中出血监测需求")
    template = Template("{% load challenges %}{% challenge_from_need need %}")
    request = RequestFactory().get("/")
    request.user = personas.partner_a
    html = template.render(Context({"request": request, "need": need}))
    assert f"/challenges/new/?need={need.pk}" in html
    request.user = personas.partner_b
    assert "challenge-from-need" not in template.render(Context({"request": request, "need": need}))
    page = client_for(personas.partner_a).get(f"/challenges/new/?need={need.pk}")
    form = page.context["form"]
    assert (form.initial["title_zh"], form.initial["need"]) == ("术中出血监测需求", need.pk)


def test_matches_page_invites_and_notifies(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    challenge = make_challenge(personas.partner_a, personas.org_a)
    team = personas.org_b
    team.kind, team.status = "institute", "published"
    team.save()
    client = client_for(personas.partner_a)
    page = client.get(f"/challenges/{challenge.pk}/matches/")
    assert f'data-testid="pick-team-{team.pk}"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/challenges/{challenge.pk}/matches/", {"organization": [team.pk]})
    assert answer.status_code == 302
    assert list(Invitation.objects.values_list("organization_id", flat=True)) == [team.pk]
    assert [m.to for m in mail.outbox] == [["partner_b@example.org"]]


def test_award_form_without_organization_shows_field_errors(personas: Personas) -> None:
    challenge = make_challenge(personas.partner_a, personas.org_a)
    from tests.challenges.helpers import anonymous_proposal

    proposal = anonymous_proposal(challenge)
    Proposal.objects.filter(pk=proposal.pk).update(stage=Stage.FINALIST)
    answer = client_for(personas.partner_a).post(f"/challenges/proposals/{proposal.pk}/award/", {})
    assert answer.status_code == 400
    assert set(answer.context["award_form"].errors) == {"organization", "achievement"}


def test_demo_has_a_running_challenge_with_a_finalist() -> None:
    demo.load(io.StringIO())
    counts = (Challenge.objects.count(), Proposal.objects.count())
    demo.load(io.StringIO())
    assert (Challenge.objects.count(), Proposal.objects.count()) == counts == (1, 2)
    challenge = Challenge.objects.get()
    assert challenge.status == ChallengeStatus.OPEN and challenge.is_demo
    assert challenge.deadline > timezone.localdate()
    stages = sorted(Proposal.objects.values_list("stage", flat=True))
    assert stages == ["finalist", "screen"]
    assert Proposal.objects.filter(submitted_by__isnull=True, is_demo=True).count() == 1


@pytest.mark.parametrize("path", ["list", "detail"])
def test_pages_do_not_query_per_row(personas: Personas, path: str) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.challenges.helpers import anonymous_proposal

    client = client_for(personas.partner_a)
    counts = []
    for n in (1, 3):
        Challenge.objects.all().delete()
        challenges = [make_challenge(personas.partner_a, personas.org_a) for _ in range(n)]
        for _ in range(n):
            anonymous_proposal(challenges[0])
        url = "/challenges/" if path == "list" else f"/challenges/{challenges[0].pk}/"
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]
