"""The organisers' pages and the attendee's answer page: rules, results without names, the
XLSX export, resubmission, closed and forged links."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from luodi.surveys import domain, tokens
from luodi.surveys.models import Invitation, Response, Survey
from tests.conftest import Personas, client_for
from tests.surveys.helpers import answers, setup, survey_for

pytestmark = pytest.mark.django_db


def test_organiser_creates_the_survey_from_the_event(personas: Personas) -> None:
    s = setup()
    c = client_for(s.organiser)
    page = c.get(f"/surveys/event/{s.event.pk}/")
    assert page.status_code == 200 and b'data-testid="create-survey"' in page.content
    response = c.post(f"/surveys/event/{s.event.pk}/")
    survey = Survey.objects.get(event=s.event)
    assert response.status_code == 302 and response["Location"] == f"/surveys/{survey.pk}/"
    page = c.get(f"/surveys/{survey.pk}/")
    assert b'data-testid="aggregate-note"' in page.content
    assert page.content.count(b'data-testid="question-') == 4


def test_others_cannot_reach_the_organisers_pages(personas: Personas) -> None:
    s = setup()
    survey = survey_for(s)
    for user in (personas.partner_a, personas.viewer):
        c = client_for(user)
        for path in ("", "results/", "results.xlsx"):
            assert c.get(f"/surveys/{survey.pk}/{path}").status_code == 404
        assert c.post(f"/surveys/{survey.pk}/send/").status_code == 404
        assert c.get(f"/surveys/event/{s.event.pk}/").status_code == 404
    anonymous = Client().get(f"/surveys/{survey.pk}/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_question_form_error_rerenders_with_the_field_error(personas: Personas) -> None:
    s = setup()
    survey = survey_for(s)
    c = client_for(s.organiser)
    response = c.post(
        f"/surveys/{survey.pk}/questions/new/",
        {
            "new-kind": "choice",
            "new-label_zh": "单选题",
            "new-choices_zh": "只有一项",
            "new-version": survey.version,
        },
    )
    assert response.status_code == 400
    assert re.search(
        rb'class="field has-error">\s*<label for="id_new-choices_zh"', response.content
    )
    assert survey.questions.count() == 4


def _invited(send: bool = True) -> tuple[Survey, Invitation]:
    s = setup()
    survey = survey_for(s, send=send)
    inv = Invitation.objects.filter(survey=survey).order_by("pk").first()
    if inv is None:  # not sent: make one by hand to reach the page
        inv = Invitation.objects.create(survey=survey, registration=s.attendees[0])
    return survey, inv


def test_attendee_answers_and_resubmits_without_an_account(personas: Personas) -> None:
    survey, inv = _invited()
    path = tokens.answer_path(inv.pk)
    c = Client()
    assert c.get(path).status_code == 200
    response = c.post(path, answers(survey, "4", "5", "1", "第一次"))
    assert response.status_code == 302 and response["Location"] == path + "?saved=1"
    page = c.get(path + "?saved=1")
    assert b'data-testid="saved"' in page.content and "第一次" in page.content.decode()
    c.post(path, answers(survey, "2", "", "3", "第二次"))
    assert Response.objects.count() == 1
    assert sorted(Response.objects.get().answers.values_list("value", flat=True)) == [
        "2",
        "3",
        "第二次",
    ]


def test_missing_required_answer_rerenders_with_its_error(personas: Personas) -> None:
    survey, inv = _invited()
    first = survey.questions.order_by("position").first()
    assert first is not None
    response = Client().post(tokens.answer_path(inv.pk), answers(survey, "", "5", "1"))
    assert response.status_code == 400
    assert f'data-testid="error-q{first.pk}"'.encode() in response.content
    assert not Response.objects.exists()


def test_closed_or_unsent_survey_says_so_and_forged_links_are_404(personas: Personas) -> None:
    survey, inv = _invited()
    domain.close(actor=None, survey=survey)  # type: ignore[arg-type]
    path = tokens.answer_path(inv.pk)
    page = Client().get(path)
    assert page.status_code == 200 and b'data-testid="survey-closed"' in page.content
    assert b"answer-form" not in page.content
    assert Client().post(path, answers(survey, "5", "5", "1")).status_code == 409
    assert not Response.objects.exists()
    assert Client().get(path[:-3] + "x/").status_code == 404
    assert Client().get("/surveys/r/1/").status_code == 404


def test_results_page_and_export_carry_no_names(personas: Personas) -> None:
    s = setup()
    survey = survey_for(s, send=True)
    invs = list(Invitation.objects.filter(survey=survey).order_by("pk"))
    domain.submit(invitation=invs[0], values=answers(survey, "5", "4", "1", "签到排队太久"))
    domain.submit(invitation=invs[2], values=answers(survey, "4", "2", "2"))
    c = client_for(s.organiser)
    page = c.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert 'data-testid="responses">2<' in page and 'data-testid="rate">50 %<' in page
    assert "签到排队太久" in page and '<b data-testid="mean">4.5</b>' in page
    export = c.get(f"/surveys/{survey.pk}/results.xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(export.content))
    cells = [
        str(v)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][0] == 1 and rows[1][2] == 5 and rows[1][5] == "签到排队太久"
    for reg in [*s.attendees, s.absent]:
        for secret in filter(None, (reg.name, reg.email, reg.organization_name, reg.code)):
            assert secret not in page
            assert not any(secret in cell for cell in cells)


def test_survey_link_tag_shows_only_to_organisers(personas: Personas) -> None:
    from django.template import Context, Template
    from django.test import RequestFactory

    s = setup()
    template = Template("{% load survey_tags %}{% survey_link event %}")
    for user, shown in ((s.organiser, True), (personas.partner_a, False)):
        request = RequestFactory().get("/")
        request.user = user
        html = template.render(Context({"request": request, "event": s.event}))
        assert ('data-testid="survey-link"' in html) is shown
    survey_for(s, send=True)
    ticket = Template("{% load survey_tags %}{% survey_ticket_link reg %}")
    inv = Invitation.objects.get(registration=s.attendees[0])
    assert tokens.answer_path(inv.pk) in ticket.render(Context({"reg": s.attendees[0]}))
    assert ticket.render(Context({"reg": s.absent})).strip() == ""
