"""Who hears about what: email choices with their defaults, personal and team robots, one
message per language; and the call sites (reminders, open calls, event registrations,
match alerts) going through it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from luodi.accounts.models import MembershipRole, User
from luodi.notifications import domain
from luodi.notifications.domain import Message
from luodi.notifications.models import Delivery, Notification
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory, MembershipFactory, UserFactory
from tests.notifications.conftest import FakeRobots

pytestmark = pytest.mark.django_db


def _compose(user: User | None, language: str) -> Message:
    who = user.get_username() if user else "team"
    return Message(subject=f"[{language}] hello {who}", body="body text")


def test_defaults_keep_mail_on_except_for_registration_notices(personas: Personas) -> None:
    assert domain.email_choices(personas.partner_a) == {
        "reminder": True,
        "match_alert": True,
        "open_call": True,
        "event_registration": False,
    }
    assert domain.notify(kind="reminder", compose=_compose, users=[personas.partner_a]) == 1
    assert (
        domain.notify(kind="event_registration", compose=_compose, users=[personas.partner_a]) == 0
    )
    assert [m.subject for m in mail.outbox] == ["[zh-hans] hello partner_a"]


def test_email_turned_off_still_reaches_the_users_own_robot(
    personas: Personas, robots: FakeRobots
) -> None:
    user = personas.partner_a
    domain.set_email_choices(actor=user, choices={"reminder": False})
    domain.create_channel(
        actor=user, kind="wecom", name="mine", target=robots.wecom_url(), events=["reminder"]
    )

    queued = domain.notify(kind="reminder", compose=_compose, users=[user])

    assert queued == 1
    assert mail.outbox == []
    assert "hello partner_a" in robots.received[0].body["markdown"]["content"]


def test_team_robots_get_one_message_per_language_and_only_their_events(
    personas: Personas, robots: FakeRobots
) -> None:
    org = personas.org_a
    for name, language, events in [
        ("zh group", "zh-hans", ["open_call"]),
        ("en group", "en", ["open_call"]),
        ("calls off", "zh-hans", ["reminder"]),
    ]:
        domain.create_channel(
            actor=personas.staff,
            organization=org,
            kind="wecom",
            name=name,
            target=robots.wecom_url(name.replace(" ", "-")),
            events=events,
            language=language,
        )
    sleeping = domain.create_channel(
        actor=personas.staff,
        organization=org,
        kind="wecom",
        name="inactive",
        target=robots.wecom_url("inactive"),
        events=["open_call"],
        is_active=False,
    )

    queued = domain.notify(kind="open_call", compose=_compose, organizations=[org])

    assert queued == 2
    keys = sorted(r.query["key"] for r in robots.received)
    assert keys == ["en-group", "zh-group"]
    titles = sorted(n.subject for n in Notification.objects.filter(organization=org))
    assert titles == ["[en] hello team", "[zh-hans] hello team"]
    assert not Delivery.objects.filter(channel=sleeping).exists()


def test_inactive_users_and_users_without_channels_get_nothing(personas: Personas) -> None:
    gone = UserFactory(username="gone", is_active=False)
    no_mail = UserFactory(username="no_mail", email="")
    assert domain.notify(kind="open_call", compose=_compose, users=[gone, no_mail]) == 0
    assert not Notification.objects.exists()


def test_message_follows_the_users_language(personas: Personas) -> None:
    user = personas.partner_a
    user.language = "en"
    user.save(update_fields=["language"])
    domain.notify(kind="reminder", compose=_compose, users=[user])
    assert mail.outbox[0].subject == "[en] hello partner_a"


def test_unknown_kind_is_refused(personas: Personas) -> None:
    with pytest.raises(ValueError):
        domain.notify(kind="gossip", compose=_compose, users=[personas.partner_a])


def _project_task(personas: Personas) -> Any:
    from luodi.pipeline.domain.tasks import create_task
    from tests.pipeline.factories import make_project

    project = make_project(personas.staff, personas.org_a)
    return create_task(
        actor=personas.staff,
        project=project,
        title="交付中期报告",
        owner=personas.partner_a,
        due_date=timezone.localdate() + timedelta(days=1),
    )


def test_task_reminder_reaches_owner_and_the_projects_team_robot(
    personas: Personas, robots: FakeRobots
) -> None:
    from luodi.pipeline.reminders import send_due_reminders

    task = _project_task(personas)
    domain.create_channel(
        actor=personas.staff,
        organization=task.project.owner,
        kind="wecom",
        name="项目组",
        target=robots.wecom_url(),
        events=["reminder"],
    )

    result = send_due_reminders()

    assert (result.reminders, result.failed) == (1, 0)
    assert [m.to for m in mail.outbox] == [[personas.partner_a.email]]
    assert "交付中期报告" in mail.outbox[0].subject
    team_text = robots.received[0].body["markdown"]["content"]
    assert "交付中期报告" in team_text and "partner_a" in team_text
    assert "你好" not in team_text  # the team's text is not a letter to the owner


def test_reminder_claim_is_given_back_when_nothing_could_be_queued(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    from luodi.pipeline import reminders
    from luodi.pipeline.models import Task

    _project_task(personas)

    def broken(**kwargs: Any) -> int:
        raise RuntimeError("database went away")

    monkeypatch.setattr(reminders, "notify", broken)
    result = reminders.send_due_reminders()
    assert (result.reminders, result.failed) == (0, 1)
    assert Task.objects.filter(reminded_at__isnull=False).count() == 0


def test_open_call_reaches_matched_teams_robots_and_members(
    personas: Personas, robots: FakeRobots, django_capture_on_commit_callbacks: Any
) -> None:
    from luodi.matchmaking import mail as mm_mail
    from tests.factories import ClinicalNeedFactory

    need = ClinicalNeedFactory(title_zh="术中快速病理")
    domain.create_channel(
        actor=personas.staff,
        organization=personas.org_b,
        kind="feishu",
        name="乙机构群",
        target=robots.feishu_url(),
        events=["open_call"],
    )

    queued = mm_mail.send_open_call_emails(
        need_id=need.pk, org_ids=[personas.org_b.pk], link="https://luodi.example/needs/1/"
    )

    assert queued == 2  # partner_b's email and org B's robot
    assert [m.to for m in mail.outbox] == [[personas.partner_b.email]]
    post = robots.received[0].body["content"]["post"]["zh_cn"]
    assert "术中快速病理" in post["title"]
    link = {
        "tag": "a",
        "text": "https://luodi.example/needs/1/",
        "href": "https://luodi.example/needs/1/",
    }
    assert any(link in row for row in post["content"])


def test_mail_failure_leaves_the_open_call_published(
    personas: Personas,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from luodi.notifications import sending
    from tests.factories import ClinicalNeedFactory

    need = ClinicalNeedFactory()

    def refused(*args: Any, **kwargs: Any) -> int:
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(sending, "send_mail", refused)
    from luodi.matchmaking import mail as mm_mail

    queued = mm_mail.send_open_call_emails(need_id=need.pk, org_ids=[personas.org_b.pk], link="")
    assert queued == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.address) == ("failed", personas.partner_b.email)


def test_public_registration_notifies_organiser_team_without_contact_details(
    personas: Personas, robots: FakeRobots, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.engagements.factories import EventFactory

    event = EventFactory(title_zh="医工融合论坛", organizer=personas.org_a, capacity=50)
    admin = UserFactory(username="organiser")
    MembershipFactory(user=admin, organization=personas.org_a, role=MembershipRole.ADMIN)
    domain.set_email_choices(actor=admin, choices={"event_registration": True})
    domain.create_channel(
        actor=admin,
        organization=personas.org_a,
        kind="dingtalk",
        name="会务群",
        target=robots.dingtalk_url(),
        events=["event_registration"],
    )
    form = {
        "name": "李娜",
        "email": "li.na@example.org",
        "organization_name": "甲医院",
        "position": "主任",
        "phone": "13800000000",
        "consent": "on",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(None).post(f"/public/events/{event.pk}/", form)

    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["li.na@example.org", admin.email]
    text = robots.received[0].body["markdown"]["text"]
    assert text.startswith("#### 新报名：医工融合论坛")
    assert "李娜（甲医院）报名了“医工融合论坛”。" in text
    assert "已确认 1 人，共 50 个名额。" in text
    assert "13800000000" not in text and "li.na@example.org" not in text
    assert f"/engagements/events/{event.pk}/registrations/" in text


def test_match_alert_never_leaks_a_confidential_achievement(
    personas: Personas, robots: FakeRobots
) -> None:
    from luodi.matchmaking import mail as mm_mail
    from luodi.matchmaking.models import MatchRecord

    secret = AchievementFactory(
        owner=personas.org_a, disclosure="confidential", title_zh="保密成果X"
    )
    record = MatchRecord.objects.create(
        source_kind="achievement",
        source_id=secret.pk,
        target_kind="company",
        target_id=personas.org_b.pk,
        achievement=secret,
        source_owner=personas.org_a,
        counterparty=personas.org_b,
        status="introduced",
    )
    for org in (personas.org_a, personas.org_b):
        domain.create_channel(
            actor=personas.staff,
            organization=org,
            kind="wecom",
            name=str(org),
            target=robots.wecom_url(f"org-{org.pk}"),
            events=["match_alert"],
        )

    queued = mm_mail.send_match_alert(match_id=record.pk, link="https://luodi.example/m/1")

    assert queued == 2  # partner_a by email, org A's robot; nothing towards org B
    assert [m.to for m in mail.outbox] == [[personas.partner_a.email]]
    assert [r.query["key"] for r in robots.received] == [f"org-{personas.org_a.pk}"]
    assert "保密成果X" in mail.outbox[0].subject
