"""Surveys' domain: default questions, edits while a draft, sending through the job system
(each attendee mailed once, whatever is sent again), answers (required, ranges, replace,
closed)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from luodi.accounts.models import AuditEntry
from luodi.concurrency import Conflict
from luodi.surveys import domain, tasks, tokens
from luodi.surveys.models import Answer, Invitation, QuestionKind, Response
from tests.factories import UserFactory
from tests.surveys.helpers import ATTENDEE_NAMES, answers, setup, survey_for

pytestmark = pytest.mark.django_db
BASE = "https://luodi.example.org"


def test_create_survey_starts_from_the_four_default_questions() -> None:
    s = setup()
    survey = survey_for(s)
    kinds = list(survey.questions.order_by("position").values_list("kind", "required"))
    assert kinds == [
        (QuestionKind.RATING, True),
        (QuestionKind.RATING, False),
        (QuestionKind.CHOICE, True),
        (QuestionKind.TEXT, False),
    ]
    assert all(q.label_zh and q.label_en for q in survey.questions.all())
    assert survey.state == "draft"
    with pytest.raises(ValidationError):
        domain.create_survey(actor=s.organiser, event=s.event)


def test_questions_are_edited_moved_and_removed_while_a_draft() -> None:
    s = setup()
    survey = survey_for(s)
    q = domain.add_question(
        actor=s.organiser,
        survey=survey,
        kind=QuestionKind.CHOICE,
        label_zh="您从哪里得知本次活动？",
        choices_zh="朋友\n公众号\n邮件",
        required=True,
        expected_version=survey.version,
    )
    assert q.position == 5 and q.choice_list() == ["朋友", "公众号", "邮件"]
    domain.move_question(actor=s.organiser, question=q, up=True)
    order = list(survey.questions.order_by("position").values_list("pk", flat=True))
    assert order.index(q.pk) == 3
    domain.update_question(
        actor=s.organiser, question=q, kind=QuestionKind.TEXT, label_zh="改成文字题"
    )
    q.refresh_from_db()
    assert (q.kind, q.choices_zh) == (QuestionKind.TEXT, "")
    domain.delete_question(actor=s.organiser, question=q)
    assert survey.questions.count() == 4


def test_a_choice_question_needs_two_choices_and_a_label() -> None:
    s = setup()
    survey = survey_for(s)
    with pytest.raises(ValidationError) as err:
        domain.add_question(actor=s.organiser, survey=survey, kind="choice", choices_zh="唯一")
    assert set(err.value.message_dict) == {"label_zh", "choices_zh"}


def test_a_stale_version_conflicts_and_writes_nothing() -> None:
    s = setup()
    survey = survey_for(s)
    old = survey.version
    domain.add_question(
        actor=s.organiser, survey=survey, kind="text", label_zh="甲", expected_version=old
    )
    with pytest.raises(Conflict):
        domain.add_question(
            actor=s.organiser, survey=survey, kind="text", label_zh="乙", expected_version=old
        )
    assert not survey.questions.filter(label_zh="乙").exists()


def test_sending_mails_each_attendee_once_through_the_job() -> None:
    s = setup()
    survey = survey_for(s)
    waiting = domain.send(actor=s.organiser, survey=survey, base_url=BASE)
    assert waiting == 4
    assert sorted(m.to[0] for m in mail.outbox) == [f"attendee{i}@example.org" for i in range(1, 5)]
    body = mail.outbox[0].body
    invitation = Invitation.objects.get(registration__email=mail.outbox[0].to[0])
    assert BASE + tokens.answer_path(invitation.pk) in body

    # Sending again, and the job running again (a worker died after mailing), mail nobody.
    assert domain.send(actor=s.organiser, survey=survey, base_url=BASE) == 0
    assert tasks.send_invitations(survey.pk, BASE) == 0
    assert len(mail.outbox) == 4
    assert Invitation.objects.filter(survey=survey, mailed_at__isnull=False).count() == 4

    # Someone checked in late: the next send mails only them.
    s.absent.checked_in_at = timezone.now()
    s.absent.save(update_fields=["checked_in_at"])
    assert domain.send(actor=s.organiser, survey=survey, base_url=BASE) == 1
    assert [m.to[0] for m in mail.outbox[4:]] == ["absent@example.org"]
    assert AuditEntry.objects.filter(verb="survey.send").count() == 3


def test_the_mail_is_in_the_attendees_language_when_an_account_says_it() -> None:
    s = setup()
    UserFactory(username="en_reader", email="attendee2@example.org", language="en")
    survey_for(s, send=True)
    langs = dict(Invitation.objects.values_list("registration__email", "language"))
    assert langs["attendee2@example.org"] == "en"
    assert langs["attendee1@example.org"] == "zh-hans"
    english = next(m for m in mail.outbox if m.to == ["attendee2@example.org"])
    chinese = next(m for m in mail.outbox if m.to == ["attendee1@example.org"])
    assert english.subject != chinese.subject
    assert ATTENDEE_NAMES[1] in english.body


def test_sending_before_the_event_ends_is_refused() -> None:
    s = setup(days=2)
    survey = survey_for(s)
    with pytest.raises(ValidationError):
        domain.send(actor=s.organiser, survey=survey, base_url=BASE)
    survey.refresh_from_db()
    assert survey.sent_at is None and mail.outbox == []


def test_questions_are_locked_once_sent() -> None:
    s = setup()
    survey = survey_for(s, send=True)
    q = survey.questions.first()
    assert q is not None
    with pytest.raises(domain.Locked):
        domain.update_question(actor=s.organiser, question=q, kind="text", label_zh="改")
    with pytest.raises(domain.Locked):
        domain.add_question(actor=s.organiser, survey=survey, kind="text", label_zh="新")


def test_answers_are_checked_and_a_resubmission_replaces_them() -> None:
    s = setup()
    survey = survey_for(s, send=True)
    inv = Invitation.objects.filter(survey=survey).first()
    assert inv is not None
    q1, q2, q3, _q4 = survey.questions.order_by("position")
    with pytest.raises(ValidationError) as err:
        domain.submit(invitation=inv, values=answers(survey, "", "9", "4"))
    assert err.value.message_dict.keys() == {f"q{q1.pk}", f"q{q2.pk}", f"q{q3.pk}"}
    assert not Response.objects.exists()

    domain.submit(invitation=inv, values=answers(survey, "5", "4", "1", "更多交流时间"))
    domain.submit(invitation=inv, values=answers(survey, "3", "", "2"))
    assert Response.objects.count() == 1
    stored = dict(Answer.objects.values_list("question_id", "value"))
    assert stored == {q1.pk: "3", q3.pk: "2"}


def test_a_closed_survey_takes_no_answers() -> None:
    s = setup()
    survey = survey_for(s, send=True)
    inv = Invitation.objects.filter(survey=survey).first()
    assert inv is not None
    domain.close(actor=s.organiser, survey=survey)
    with pytest.raises(domain.Closed):
        domain.submit(invitation=inv, values=answers(survey, "5", "5", "1"))
    with pytest.raises(domain.Closed):
        domain.send(actor=s.organiser, survey=survey, base_url=BASE)


def test_a_survey_past_its_closing_time_is_closed() -> None:
    s = setup()
    survey = survey_for(s, send=True)
    survey.closes_at = timezone.now() - timedelta(minutes=1)
    assert survey.state == "closed" and not survey.is_open()


def test_tokens_are_signed() -> None:
    assert tokens.read(tokens.make(42)) == 42
    assert tokens.read(tokens.make(42)[:-2] + "xx") is None
    assert tokens.read("garbage") is None
