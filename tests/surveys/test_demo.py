from __future__ import annotations

import io

import pytest

from luodi import demo
from luodi.surveys.models import Response, Survey

pytestmark = pytest.mark.django_db


def test_demo_survey_has_answers_and_loads_once() -> None:
    demo.load(io.StringIO())
    demo.load(io.StringIO())
    survey = Survey.objects.get()
    assert survey.is_demo and survey.state == "open"
    assert survey.event.ends_at < survey.sent_at  # type: ignore[operator]
    assert Response.objects.filter(survey=survey, is_demo=True).count() == 4
    assert survey.invitations.count() == 6
