"""What the organisers read: counts, response rate, per rating question its distribution and
mean, per choice question its counts, the free-text answers — and never who answered. Every
function here reads answers by question, none by registration, and the export rows carry a
running number, not an id that could be traced to an invitation.

Three queries whatever the number of responses (questions, counts, answers)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.sheets import Sheet
from luodi.surveys.mail import attendees
from luodi.surveys.models import RATING_MAX, RATING_MIN, Answer, Question, QuestionKind, Survey


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    # rating: [(score, count)] 1…5; choice: [(label, count)] in the question's order
    counts: list[tuple[str, int]] = field(default_factory=list)
    mean: float | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def bars(self) -> list[tuple[str, int, int]]:
        """(label, count, percent of answers) for the page's bars."""
        total = self.answered or 1
        return [(label, n, round(100 * n / total)) for label, n in self.counts]


@dataclass
class Results:
    survey: Survey
    invited: int  # attendees (confirmed and checked in)
    mailed: int
    responses: int
    questions: list[QuestionResult]

    @property
    def rate(self) -> float | None:
        """Responses per attendee, 0–1 (None without attendees)."""
        return self.responses / self.invited if self.invited else None

    @property
    def rate_percent(self) -> int | None:
        return None if self.rate is None else round(100 * self.rate)


def results(survey: Survey) -> Results:
    questions = list(survey.questions.all())
    answers: dict[int, list[str]] = defaultdict(list)
    for qid, value in (
        Answer.objects.filter(response__survey=survey)
        .order_by("response__submitted_at", "pk")
        .values_list("question_id", "value")
    ):
        answers[qid].append(value)
    out = []
    for q in questions:
        values = answers.get(q.pk, [])
        r = QuestionResult(q, answered=len(values))
        if q.kind == QuestionKind.RATING:
            scores = [int(v) for v in values if v.isdigit()]
            tally = Counter(scores)
            r.counts = [(str(n), tally.get(n, 0)) for n in range(RATING_MIN, RATING_MAX + 1)]
            r.mean = round(sum(scores) / len(scores), 2) if scores else None
        elif q.kind == QuestionKind.CHOICE:
            tally = Counter(int(v) for v in values if v.isdigit())
            r.counts = [(label, tally.get(i, 0)) for i, label in enumerate(q.choice_list(), 1)]
        else:
            r.texts = list(values)
        out.append(r)
    invitations = survey.invitations
    return Results(
        survey=survey,
        invited=attendees(survey).count(),
        mailed=invitations.filter(mailed_at__isnull=False).count(),
        responses=survey.responses.count(),
        questions=out,
    )


def _label(q: Question, value: str) -> str | int:
    if q.kind == QuestionKind.RATING and value.isdigit():
        return int(value)
    if q.kind == QuestionKind.CHOICE and value.isdigit():
        choices = q.choice_list()
        n = int(value)
        return choices[n - 1] if 1 <= n <= len(choices) else value
    return value


def _local(at: datetime) -> datetime:
    return timezone.localtime(at).replace(tzinfo=None)


def export_sheets(survey: Survey) -> list[Sheet]:
    """One row per response (numbered 1…n in order of submission) and one column per
    question; no name, address, organization or invitation id."""
    questions = list(survey.questions.all())
    by_response: dict[int, dict[int, str]] = defaultdict(dict)
    for rid, qid, value in Answer.objects.filter(response__survey=survey).values_list(
        "response_id", "question_id", "value"
    ):
        by_response[rid][qid] = value
    order = list(survey.responses.order_by("submitted_at", "pk").values_list("pk", "submitted_at"))
    rows = []
    for n, (rid, at) in enumerate(order, 1):
        given = by_response.get(rid, {})
        rows.append(
            [n, _local(at)] + [_label(q, given[q.pk]) if q.pk in given else "" for q in questions]
        )
    answers = Sheet(
        title=_("Answers"),
        headers=[_("No."), _("Submitted"), *[q.label for q in questions]],
        rows=rows,
    )
    res = results(survey)
    summary_rows: list[list[object]] = [
        [_("Attendees"), res.invited],
        [_("Invitations mailed"), res.mailed],
        [_("Responses"), res.responses],
        [_("Response rate (%)"), res.rate_percent],
    ]
    for qr in res.questions:
        if qr.kind == QuestionKind.RATING:
            summary_rows.append([qr.question.label, qr.mean, *[n for _l, n in qr.counts]])
        elif qr.kind == QuestionKind.CHOICE:
            summary_rows.append(
                [qr.question.label, None, *[f"{label}: {n}" for label, n in qr.counts]]
            )
    summary = Sheet(title=_("Summary"), headers=[], rows=summary_rows)
    return [summary, answers]
