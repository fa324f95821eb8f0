from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from luodi.control_chars import InputSchema

Kind = Literal["rating", "choice", "text"]


class SurveyQuestionOut(Schema):
    id: int
    kind: str
    label_zh: str
    label_en: str
    choices_zh: list[str]
    choices_en: list[str]
    required: bool
    position: int


class SurveyOut(Schema):
    id: int
    event_id: int
    event_title: str
    state: Literal["draft", "open", "closed"]
    intro_zh: str
    intro_en: str
    sent_at: datetime | None
    closes_at: datetime | None
    questions: list[SurveyQuestionOut]
    is_demo: bool
    version: int


class SurveyIn(InputSchema):
    intro_zh: str = Field("", max_length=2000)
    intro_en: str = Field("", max_length=2000)
    closes_at: datetime | None = None
    version: int | None = None


class SurveyQuestionIn(InputSchema):
    kind: Kind
    label_zh: str = Field("", max_length=300)
    label_en: str = Field("", max_length=300)
    choices_zh: list[str] = Field(default_factory=list, max_length=20)
    choices_en: list[str] = Field(default_factory=list, max_length=20)
    required: bool = False
    version: int | None = None


class SurveyMoveIn(InputSchema):
    direction: Literal["up", "down"]
    version: int | None = None


class SurveySendOut(Schema):
    survey: SurveyOut
    waiting: int


class SurveyCountOut(Schema):
    label: str
    count: int


class SurveyQuestionResultOut(Schema):
    question_id: int
    label: str
    kind: str
    answered: int
    mean: float | None
    counts: list[SurveyCountOut]
    texts: list[str]


class SurveyResultsOut(Schema):
    survey_id: int
    attendees: int
    mailed: int
    responses: int
    response_rate: float | None
    questions: list[SurveyQuestionResultOut]
