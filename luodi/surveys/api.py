"""Surveys API (mounted at /api/surveys/), for the event's organisers:

    GET/POST /events/{event_id}                 the event's survey; create it (default questions)
    GET/PATCH /{id}                             the survey; its introduction and closing time
    POST /{id}/questions                        add a question (draft only)
    PATCH/DELETE /{id}/questions/{qid}          edit or remove one (draft only)
    POST /{id}/questions/{qid}/move             up or down
    POST /{id}/send                             send to the attendees not mailed yet
    POST /{id}/close                            stop taking answers
    GET /{id}/results                           aggregate results, no names

A survey of an event the caller does not organise is a 404; an event they see but do not
organise a 403 `forbidden`; bad input a 422 naming the fields; a stale `version` a 409
`conflict`; editing the questions of a sent survey a 409 `survey_sent`; sending a closed one
a 409 `survey_closed`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.responses import Status

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.concurrency import Conflict, conflict_error, expected_from
from luodi.engagements.rules import events_visible_to
from luodi.errors import ApiError, from_validation, require_perm
from luodi.surveys import domain, results, rules
from luodi.surveys.models import Question, Survey
from luodi.surveys.schemas import (
    SurveyIn,
    SurveyMoveIn,
    SurveyOut,
    SurveyQuestionIn,
    SurveyQuestionOut,
    SurveyResultsOut,
    SurveySendOut,
)

router = Router(tags=["surveys"])


def _lines(text: str) -> list[str]:
    return [c.strip() for c in text.splitlines() if c.strip()]


def _q(q: Question) -> dict[str, Any]:
    return {
        "id": q.pk,
        "kind": q.kind,
        "label_zh": q.label_zh,
        "label_en": q.label_en,
        "choices_zh": _lines(q.choices_zh),
        "choices_en": _lines(q.choices_en),
        "required": q.required,
        "position": q.position,
    }


def _s(s: Survey) -> dict[str, Any]:
    return {
        "id": s.pk,
        "event_id": s.event_id,
        "event_title": s.event.title,
        "state": s.state,
        "intro_zh": s.intro_zh,
        "intro_en": s.intro_en,
        "sent_at": s.sent_at,
        "closes_at": s.closes_at,
        "questions": [_q(q) for q in s.questions.all()],
        "is_demo": s.is_demo,
        "version": s.version,
    }


def _survey(request: HttpRequest, survey_id: int) -> Survey:
    return get_object_or_404(
        rules.surveys_visible_to(request.user).select_related("event"), pk=survey_id
    )


def _fresh(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    return _s(_survey(request, survey.pk))


def _question(request: HttpRequest, survey_id: int, question_id: int) -> Question:
    survey = _survey(request, survey_id)
    question = get_object_or_404(Question, survey=survey, pk=question_id)
    question.survey = survey
    return question


@contextmanager
def _refusals() -> Iterator[None]:
    """The domain's refusals in the shared error shape."""
    try:
        yield
    except Conflict as exc:
        raise conflict_error(exc, []) from None
    except domain.Locked:
        raise ApiError(
            409, "survey_sent", "The survey was sent: its questions no longer change."
        ) from None
    except domain.Closed:
        raise ApiError(409, "survey_closed", "The survey is closed.") from None
    except ValidationError as exc:
        raise from_validation(exc) from None


def _question_values(body: SurveyQuestionIn) -> dict[str, Any]:
    return {
        "kind": body.kind,
        "label_zh": body.label_zh,
        "label_en": body.label_en,
        "choices_zh": "\n".join(body.choices_zh),
        "choices_en": "\n".join(body.choices_en),
        "required": body.required,
        "expected_version": body.version,
    }


@router.get("/events/{event_id}", response=SurveyOut, summary="The event's survey")
def event_survey(request: HttpRequest, event_id: int) -> dict[str, Any]:
    survey = get_object_or_404(
        rules.surveys_visible_to(request.user).select_related("event"), event_id=event_id
    )
    return _s(survey)


@router.post("/events/{event_id}", response={201: SurveyOut}, summary="Create the event's survey")
def create(request: HttpRequest, event_id: int) -> Status[dict[str, Any]]:
    event = get_object_or_404(events_visible_to(request.user), pk=event_id)
    require_perm(request, "surveys.manage_survey", event)
    try:
        survey = domain.create_survey(
            actor=request_user(request), event=event, ip=audit.client_ip(request)
        )
    except ValidationError:
        raise ApiError(409, "exists", "This event already has a survey.") from None
    return Status(201, _fresh(request, survey))


@router.get("/{survey_id}", response=SurveyOut, summary="A survey with its questions")
def get_survey(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    return _s(_survey(request, survey_id))


@router.patch("/{survey_id}", response=SurveyOut, summary="Edit introduction and closing time")
def update(request: HttpRequest, survey_id: int, body: SurveyIn) -> dict[str, Any]:
    survey = _survey(request, survey_id)
    with _refusals():
        domain.update_survey(
            actor=request_user(request),
            survey=survey,
            intro_zh=body.intro_zh,
            intro_en=body.intro_en,
            closes_at=body.closes_at,
            expected_version=body.version,
            ip=audit.client_ip(request),
        )
    return _fresh(request, survey)


@router.post("/{survey_id}/questions", response={201: SurveyQuestionOut}, summary="Add a question")
def add_question(
    request: HttpRequest, survey_id: int, body: SurveyQuestionIn
) -> Status[dict[str, Any]]:
    survey = _survey(request, survey_id)
    with _refusals():
        question = domain.add_question(
            actor=request_user(request),
            survey=survey,
            ip=audit.client_ip(request),
            **_question_values(body),
        )
    return Status(201, _q(question))


@router.patch(
    "/{survey_id}/questions/{question_id}", response=SurveyQuestionOut, summary="Edit a question"
)
def update_question(
    request: HttpRequest, survey_id: int, question_id: int, body: SurveyQuestionIn
) -> dict[str, Any]:
    question = _question(request, survey_id, question_id)
    with _refusals():
        domain.update_question(
            actor=request_user(request),
            question=question,
            ip=audit.client_ip(request),
            **_question_values(body),
        )
    return _q(question)


@router.delete(
    "/{survey_id}/questions/{question_id}", response={204: None}, summary="Remove a question"
)
def delete_question(request: HttpRequest, survey_id: int, question_id: int) -> Status[None]:
    """The survey's version may be sent as `If-Match`."""
    question = _question(request, survey_id, question_id)
    with _refusals():
        domain.delete_question(
            actor=request_user(request),
            question=question,
            expected_version=expected_from(request, {}),
            ip=audit.client_ip(request),
        )
    return Status(204, None)


@router.post(
    "/{survey_id}/questions/{question_id}/move", response=SurveyOut, summary="Move a question"
)
def move_question(
    request: HttpRequest, survey_id: int, question_id: int, body: SurveyMoveIn
) -> dict[str, Any]:
    question = _question(request, survey_id, question_id)
    with _refusals():
        domain.move_question(
            actor=request_user(request),
            question=question,
            up=body.direction == "up",
            expected_version=body.version,
            ip=audit.client_ip(request),
        )
    return _fresh(request, question.survey)


@router.post(
    "/{survey_id}/send", response=SurveySendOut, summary="Send to attendees not mailed yet"
)
def send(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    survey = _survey(request, survey_id)
    base = request.build_absolute_uri("/").rstrip("/")
    with _refusals():
        waiting = domain.send(
            actor=request_user(request), survey=survey, base_url=base, ip=audit.client_ip(request)
        )
    return {"survey": _fresh(request, survey), "waiting": waiting}


@router.post("/{survey_id}/close", response=SurveyOut, summary="Stop taking answers")
def close(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    survey = _survey(request, survey_id)
    domain.close(actor=request_user(request), survey=survey, ip=audit.client_ip(request))
    return _fresh(request, survey)


@router.get(
    "/{survey_id}/results", response=SurveyResultsOut, summary="Aggregate results, no names"
)
def survey_results(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    res = results.results(_survey(request, survey_id))
    return {
        "survey_id": res.survey.pk,
        "attendees": res.invited,
        "mailed": res.mailed,
        "responses": res.responses,
        "response_rate": None if res.rate is None else round(res.rate, 4),
        "questions": [
            {
                "question_id": qr.question.pk,
                "label": qr.question.label,
                "kind": qr.kind,
                "answered": qr.answered,
                "mean": qr.mean,
                "counts": [{"label": label, "count": n} for label, n in qr.counts],
                "texts": qr.texts,
            }
            for qr in res.questions
        ],
    }
