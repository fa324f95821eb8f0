"""Writes of surveys. Each write is one transaction with one audit entry; `actor` is
keyword-only and explicit; permission checks are the callers' (rules.py), the checks here
are of the data.

Questions are edited while the survey is a draft: once it is sent, changing a question
would change what earlier answers meant, so edits are refused (`Locked`). Every edit of the
survey or its questions claims the survey's version (luodi/concurrency.py), so two
organisers editing at once get a conflict instead of overwriting each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.concurrency import Conflict, claim
from luodi.engagements.models import Event
from luodi.surveys import tasks
from luodi.surveys.defaults import DEFAULT_QUESTIONS
from luodi.surveys.mail import attendees
from luodi.surveys.models import (
    RATING_MAX,
    RATING_MIN,
    Answer,
    Invitation,
    Question,
    QuestionKind,
    Response,
    Survey,
)

__all__ = ["Conflict"]
TEXT_MAX = 2000


class Locked(Exception):
    """The survey was sent: its questions no longer change."""


class Closed(Exception):
    """The survey takes no answers (not sent yet, or closed)."""


def field_name(question: Question | int) -> str:
    """The name of a question's answer field, in forms and in error dictionaries."""
    return f"q{question if isinstance(question, int) else question.pk}"


@transaction.atomic
def create_survey(
    *, actor: User | None, event: Event, is_demo: bool = False, ip: str | None = None
) -> Survey:
    """The event's survey with the default questions (raises ValidationError if it has one)."""
    Event.objects.select_for_update().get(pk=event.pk)  # one survey per event, even racing
    if Survey.objects.filter(event=event).exists():
        raise ValidationError({"event": [_("This event already has a survey.")]})
    survey = Survey.objects.create(event=event, created_by=actor, is_demo=is_demo)
    Question.objects.bulk_create(
        Question(survey=survey, position=i, **q) for i, q in enumerate(DEFAULT_QUESTIONS, 1)
    )
    audit.record(
        actor=actor, verb="survey.create", target=survey, changes={"event": event.pk}, ip=ip
    )
    return survey


def _check_question(kind: str, label_zh: str, label_en: str, zh: str, en: str) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in QuestionKind.values:
        errors["kind"] = [_("Choose an answer type.")]
    if not label_zh.strip() and not label_en.strip():
        errors["label_zh"] = [_("Write the question in at least one language.")]
    if kind == QuestionKind.CHOICE:
        count = max(len([c for c in s.splitlines() if c.strip()]) for s in (zh, en))
        if count < 2:
            errors["choices_zh"] = [_("Give at least two choices, one per line.")]
        elif count > 20:
            errors["choices_zh"] = [_("Give at most 20 choices.")]
    if errors:
        raise ValidationError(errors)


def _editable(survey: Survey, expected_version: int | None) -> None:
    if survey.sent_at is not None:
        raise Locked
    claim(survey, expected_version)


@transaction.atomic
def add_question(
    *,
    actor: User,
    survey: Survey,
    kind: str,
    label_zh: str = "",
    label_en: str = "",
    choices_zh: str = "",
    choices_en: str = "",
    required: bool = False,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Question:
    _check_question(kind, label_zh, label_en, choices_zh, choices_en)
    _editable(survey, expected_version)
    last = survey.questions.aggregate(m=Max("position"))["m"] or 0
    question = Question.objects.create(
        survey=survey,
        kind=kind,
        label_zh=label_zh.strip(),
        label_en=label_en.strip(),
        choices_zh=choices_zh.strip() if kind == QuestionKind.CHOICE else "",
        choices_en=choices_en.strip() if kind == QuestionKind.CHOICE else "",
        required=required,
        position=last + 1,
    )
    audit.record(
        actor=actor,
        verb="survey.add_question",
        target=survey,
        changes={"question": question.pk},
        ip=ip,
    )
    return question


@transaction.atomic
def update_question(
    *,
    actor: User,
    question: Question,
    kind: str,
    label_zh: str = "",
    label_en: str = "",
    choices_zh: str = "",
    choices_en: str = "",
    required: bool = False,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Question:
    _check_question(kind, label_zh, label_en, choices_zh, choices_en)
    _editable(question.survey, expected_version)
    before = {"kind": question.kind, "label_zh": question.label_zh, "label_en": question.label_en}
    question.kind = kind
    question.label_zh, question.label_en = label_zh.strip(), label_en.strip()
    is_choice = kind == QuestionKind.CHOICE
    question.choices_zh = choices_zh.strip() if is_choice else ""
    question.choices_en = choices_en.strip() if is_choice else ""
    question.required = required
    question.save(
        update_fields=["kind", "label_zh", "label_en", "choices_zh", "choices_en", "required"]
    )
    audit.record(
        actor=actor,
        verb="survey.update_question",
        target=question.survey,
        changes={"question": question.pk, "before": before},
        ip=ip,
    )
    return question


@transaction.atomic
def delete_question(
    *, actor: User, question: Question, expected_version: int | None = None, ip: str | None = None
) -> None:
    survey = question.survey
    _editable(survey, expected_version)
    pk = question.pk
    question.delete()
    audit.record(
        actor=actor, verb="survey.delete_question", target=survey, changes={"question": pk}, ip=ip
    )


@transaction.atomic
def move_question(
    *,
    actor: User,
    question: Question,
    up: bool,
    expected_version: int | None = None,
    ip: str | None = None,
) -> None:
    """Swap the question with its neighbour above (`up`) or below; positions renumbered
    1…n so that equal positions left by older edits cannot make a move do nothing."""
    survey = question.survey
    _editable(survey, expected_version)
    order = list(survey.questions.order_by("position", "id"))
    i = next(n for n, q in enumerate(order) if q.pk == question.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
    for n, q in enumerate(order, 1):
        if q.position != n:
            q.position = n
            q.save(update_fields=["position"])
    audit.record(
        actor=actor,
        verb="survey.move_question",
        target=survey,
        changes={"question": question.pk, "up": up},
        ip=ip,
    )


@transaction.atomic
def update_survey(
    *,
    actor: User,
    survey: Survey,
    intro_zh: str,
    intro_en: str,
    closes_at: datetime | None,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Survey:
    if closes_at is not None and closes_at <= timezone.now() and closes_at != survey.closes_at:
        raise ValidationError({"closes_at": [_("Choose a closing time in the future.")]})
    claim(survey, expected_version)
    survey.intro_zh, survey.intro_en, survey.closes_at = (
        intro_zh.strip(),
        intro_en.strip(),
        closes_at,
    )
    survey.save(update_fields=["intro_zh", "intro_en", "closes_at"])
    audit.record(
        actor=actor,
        verb="survey.update",
        target=survey,
        changes={"closes_at": closes_at.isoformat() if closes_at else None},
        ip=ip,
    )
    return survey


@transaction.atomic
def send(*, actor: User, survey: Survey, base_url: str, ip: str | None = None) -> int:
    """Open the survey (first time) and queue the mail to every attendee not mailed yet.
    Returns how many attendees are not mailed yet at queueing time (the job may find fewer:
    nobody is mailed twice). Refused before the event ends, without questions, or closed."""
    survey = Survey.objects.select_for_update().select_related("event").get(pk=survey.pk)
    if survey.event.ends_at > timezone.now():
        raise ValidationError({"__all__": [_("The survey can be sent once the event has ended.")]})
    if not survey.questions.exists():
        raise ValidationError({"__all__": [_("Add at least one question first.")]})
    if survey.is_closed():
        raise Closed
    first = survey.sent_at is None
    if first:
        survey.sent_at = timezone.now()
        survey.save(update_fields=["sent_at"])
    mailed = Invitation.objects.filter(survey=survey, mailed_at__isnull=False)
    waiting = attendees(survey).exclude(pk__in=mailed.values("registration_id")).count()
    tasks.send_invitations.enqueue(survey.pk, base_url)
    audit.record(
        actor=actor,
        verb="survey.send",
        target=survey,
        changes={"first": first, "waiting": waiting},
        ip=ip,
    )
    return waiting


@transaction.atomic
def close(*, actor: User, survey: Survey, ip: str | None = None) -> Survey:
    if survey.closes_at is None or survey.closes_at > timezone.now():
        survey.closes_at = timezone.now()
        survey.save(update_fields=["closes_at"])
        audit.record(actor=actor, verb="survey.close", target=survey, ip=ip)
    return survey


def clean_answers(
    questions: list[Question], values: Mapping[str, Any]
) -> tuple[dict[int, str], dict[str, list[str]]]:
    """Each question's answer as stored (rating "1"…"5", a choice's number, text) and the
    errors by field name (`q<id>`)."""
    out: dict[int, str] = {}
    errors: dict[str, list[str]] = {}
    for q in questions:
        name = field_name(q)
        raw = values.get(name)
        value = "" if raw is None else str(raw).strip()
        if not value:
            if q.required:
                errors[name] = [_("Please answer this question.")]
            continue
        if q.kind == QuestionKind.RATING:
            ok = value.isdigit() and RATING_MIN <= int(value) <= RATING_MAX
            if not ok:
                errors[name] = [_("Choose a number from 1 to 5.")]
                continue
        elif q.kind == QuestionKind.CHOICE:
            if not (value.isdigit() and 1 <= int(value) <= len(q.choice_list())):
                errors[name] = [_("Choose one of the answers offered.")]
                continue
        elif len(value) > TEXT_MAX:
            errors[name] = [_("At most %(n)s characters.") % {"n": TEXT_MAX}]
            continue
        out[q.pk] = value
    return out, errors


@transaction.atomic
def submit(
    *,
    invitation: Invitation,
    values: Mapping[str, Any],
    language: str = "",
    is_demo: bool = False,
) -> Response:
    """Record the attendee's answers; a second submission replaces the first. Raises Closed
    when the survey takes no answers, ValidationError naming each field (`q<id>`)."""
    survey = Survey.objects.select_for_update().get(pk=invitation.survey_id)
    if not survey.is_open():
        raise Closed
    questions = list(survey.questions.all())
    answers, errors = clean_answers(questions, values)
    if errors:
        raise ValidationError(errors)
    response, created = Response.objects.get_or_create(
        invitation=invitation,
        defaults={"survey": survey, "language": language[:16], "is_demo": is_demo},
    )
    if not created:
        response.language, response.submitted_at = language[:16], timezone.now()
        response.save(update_fields=["language", "submitted_at"])
        response.answers.all().delete()
    Answer.objects.bulk_create(
        Answer(response=response, question_id=qid, value=value) for qid, value in answers.items()
    )
    # The audit entry names the survey only: who answered stays out of the trail too.
    audit.record(
        actor=None,
        actor_label="survey answer",
        verb="survey.answer",
        target=survey,
        changes={"replaced": not created},
        ip=None,
    )
    return response
