"""The surveys API: organisers only, 4xx in the shared error shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from luodi.surveys.models import Invitation
from tests.conftest import Personas, client_for
from tests.surveys.helpers import ATTENDEE_NAMES, answers, setup, survey_for

pytestmark = pytest.mark.django_db


def _json(client: Client, method: str, path: str, body: Any = None, **headers: str) -> Any:
    call = getattr(client, method)
    response = call(path, data=json.dumps(body or {}), content_type="application/json", **headers)
    return response.status_code, (response.json() if response.content else None)


def test_organiser_creates_edits_and_sends_a_survey(personas: Personas) -> None:
    s = setup()
    c = client_for(s.organiser)
    status, body = _json(c, "post", f"/api/surveys/events/{s.event.pk}")
    assert status == 201 and len(body["questions"]) == 4 and body["state"] == "draft"
    sid, version = body["id"], body["version"]
    assert _json(c, "post", f"/api/surveys/events/{s.event.pk}")[0] == 409

    status, q = _json(
        c,
        "post",
        f"/api/surveys/{sid}/questions",
        {
            "kind": "choice",
            "label_zh": "哪天最好？",
            "choices_zh": ["周一", "周五"],
            "version": version,
        },
    )
    assert status == 201 and q["choices_zh"] == ["周一", "周五"]
    status, err = _json(
        c,
        "post",
        f"/api/surveys/{sid}/questions",
        {"kind": "text", "label_zh": "旧版本", "version": version},
    )
    assert status == 409 and err["error"]["code"] == "conflict"

    status, moved = _json(
        c, "post", f"/api/surveys/{sid}/questions/{q['id']}/move", {"direction": "up"}
    )
    assert status == 200 and [x["id"] for x in moved["questions"]].index(q["id"]) == 3
    assert c.delete(f"/api/surveys/{sid}/questions/{q['id']}").status_code == 204

    status, sent = _json(c, "post", f"/api/surveys/{sid}/send")
    assert status == 200 and sent["waiting"] == 4 and sent["survey"]["state"] == "open"
    first = sent["survey"]["questions"][0]["id"]
    status, err = _json(
        c, "patch", f"/api/surveys/{sid}/questions/{first}", {"kind": "text", "label_zh": "改"}
    )
    assert status == 409 and err["error"]["code"] == "survey_sent"
    status, closed = _json(c, "post", f"/api/surveys/{sid}/close")
    assert closed["state"] == "closed"
    status, err = _json(c, "post", f"/api/surveys/{sid}/send")
    assert status == 409 and err["error"]["code"] == "survey_closed"


def test_bad_input_is_a_422_naming_the_field(personas: Personas) -> None:
    s = setup()
    survey = survey_for(s)
    c = client_for(s.organiser)
    status, err = _json(
        c,
        "post",
        f"/api/surveys/{survey.pk}/questions",
        {"kind": "choice", "label_zh": "单选", "choices_zh": ["仅一项"]},
    )
    assert status == 422 and list(err["error"]["fields"]) == ["choices_zh"]
    status, err = _json(c, "post", f"/api/surveys/{survey.pk}/questions", {"kind": "slider"})
    assert status == 422 and err["error"]["code"] == "invalid"
    status, err = _json(
        c, "post", f"/api/surveys/{survey.pk}/questions", {"kind": "text", "label_zh": "a\u000bb"}
    )
    assert status == 422


def test_sending_before_the_event_ends_is_a_422(personas: Personas) -> None:
    s = setup(days=3)
    survey = survey_for(s)
    status, err = _json(client_for(s.organiser), "post", f"/api/surveys/{survey.pk}/send")
    assert status == 422 and "__all__" in err["error"]["fields"]


def test_others_get_404_or_403(personas: Personas) -> None:
    s = setup()
    survey = survey_for(s, send=True)
    for user in (personas.partner_a, personas.viewer):
        c = client_for(user)
        assert c.get(f"/api/surveys/{survey.pk}").status_code == 404
        assert c.get(f"/api/surveys/{survey.pk}/results").status_code == 404
        assert c.get(f"/api/surveys/events/{s.event.pk}").status_code == 404
        status, err = _json(c, "post", f"/api/surveys/events/{s.event.pk}")
        assert status in (403, 404) and "error" in err
    assert Client().get(f"/api/surveys/{survey.pk}").status_code == 401
    assert client_for(personas.staff).get(f"/api/surveys/{survey.pk}").status_code == 200


def test_results_api_aggregates_without_names(personas: Personas) -> None:
    s = setup()
    survey = survey_for(s, send=True)
    from luodi.surveys import domain

    invs = list(Invitation.objects.filter(survey=survey).order_by("pk"))
    domain.submit(invitation=invs[0], values=answers(survey, "5", "4", "1", "茶歇太短"))
    domain.submit(invitation=invs[1], values=answers(survey, "3", "", "3"))
    response = client_for(s.organiser).get(f"/api/surveys/{survey.pk}/results")
    body = response.json()
    assert (body["attendees"], body["mailed"], body["responses"]) == (4, 4, 2)
    assert body["response_rate"] == 0.5
    overall, meetings, again, improve = body["questions"]
    assert overall["mean"] == 4.0 and [c["count"] for c in overall["counts"]] == [0, 0, 1, 0, 1]
    assert meetings["answered"] == 1 and meetings["mean"] == 4.0
    assert [c["count"] for c in again["counts"]] == [1, 0, 1]
    assert improve["texts"] == ["茶歇太短"]
    text = response.content.decode()
    for reg in s.attendees:
        assert reg.name not in text and reg.email not in text
    assert not any(name in text for name in ATTENDEE_NAMES)
