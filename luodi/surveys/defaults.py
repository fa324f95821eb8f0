"""The questions a new survey starts from; the organisers edit them before sending."""

from __future__ import annotations

from typing import TypedDict

from luodi.surveys.models import QuestionKind


class DefaultQuestion(TypedDict):
    kind: str
    label_zh: str
    label_en: str
    choices_zh: str
    choices_en: str
    required: bool


DEFAULT_QUESTIONS: list[DefaultQuestion] = [
    {
        "kind": QuestionKind.RATING,
        "label_zh": "总体而言，您对本次活动的评价如何？",
        "label_en": "Overall, how would you rate the event?",
        "choices_zh": "",
        "choices_en": "",
        "required": True,
    },
    {
        "kind": QuestionKind.RATING,
        "label_zh": "会上的洽谈与会面对您有多大帮助？",
        "label_en": "How useful were the meetings you had there?",
        "choices_zh": "",
        "choices_en": "",
        "required": False,
    },
    {
        "kind": QuestionKind.CHOICE,
        "label_zh": "下次举办时您还会来参加吗？",
        "label_en": "Would you attend again?",
        "choices_zh": "会\n可能会\n不会",
        "choices_en": "Yes\nMaybe\nNo",
        "required": True,
    },
    {
        "kind": QuestionKind.TEXT,
        "label_zh": "我们还有哪些地方需要改进？",
        "label_en": "What should we improve?",
        "choices_zh": "",
        "choices_en": "",
        "required": False,
    },
]
