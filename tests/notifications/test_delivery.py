"""The `notifications.deliver` job against the local fake robots: real HTTP posts, signatures
the fake checks, retries with backoff on a 5xx or a robot's error code, idempotence, no
redirects followed, and no secret in logs or errors."""

from __future__ import annotations

import ast
import logging
from typing import Any

import pytest
from django.core import mail
from django_q.models import Schedule

from luodi.jobs import core
from luodi.notifications import domain, sending, tasks
from luodi.notifications.models import Channel, Delivery, DeliveryStatus
from tests.conftest import Personas
from tests.notifications.conftest import FakeRobots

pytestmark = pytest.mark.django_db

ALL = ["reminder", "match_alert", "open_call", "event_registration"]


def _channel(user: Any, kind: str, url: str, secret: str = "", **extra: Any) -> Channel:
    return domain.create_channel(
        actor=user, kind=kind, name=f"{kind} group", target=url, secret=secret, events=ALL, **extra
    )


def _retries() -> list[tuple[str, list[Any], dict[str, Any], int]]:
    return [ast.literal_eval(s.args) for s in Schedule.objects.order_by("pk")]


def test_wecom_test_message_is_posted_and_recorded(personas: Personas, robots: FakeRobots) -> None:
    channel = _channel(personas.partner_a, "wecom", robots.wecom_url("wk-1234567890"))

    delivery = domain.send_test(actor=personas.partner_a, channel=channel)

    assert [r.path for r in robots.received] == ["/cgi-bin/webhook/send"]
    sent = robots.received[0]
    assert sent.query == {"key": "wk-1234567890"}
    assert sent.body["msgtype"] == "markdown"
    assert "落地 Luodi" in sent.body["markdown"]["content"]
    assert "wecom group" in sent.body["markdown"]["content"]  # the test names the channel
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert delivery.sent_at is not None


def test_signed_dingtalk_message_passes_the_services_check(
    personas: Personas, robots: FakeRobots
) -> None:
    robots.dingtalk_secret = "SECdingtalk-secret-0001"
    channel = _channel(
        personas.partner_a, "dingtalk", robots.dingtalk_url(), secret=robots.dingtalk_secret
    )

    delivery = domain.send_test(actor=personas.partner_a, channel=channel)

    assert delivery.status == DeliveryStatus.SENT
    query = robots.received[0].query
    assert query["access_token"] == "dt-0123456789abcdef"
    assert set(query) == {"access_token", "timestamp", "sign"}
    assert len(query["timestamp"]) == 13  # milliseconds
    assert robots.received[0].body["msgtype"] == "markdown"


def test_wrong_dingtalk_secret_is_a_failure_and_retried(
    personas: Personas, robots: FakeRobots
) -> None:
    robots.dingtalk_secret = "SECthe-right-one"
    channel = _channel(personas.partner_a, "dingtalk", robots.dingtalk_url(), secret="SECwrong")

    delivery = domain.send_test(actor=personas.partner_a, channel=channel)

    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "error code 310000: sign not match"
    assert _retries() == [("notifications.deliver", [delivery.pk], {}, 2)]


def test_signed_feishu_message_passes_the_services_check(
    personas: Personas, robots: FakeRobots
) -> None:
    robots.feishu_secret = "feishu-secret-abc"
    channel = _channel(
        personas.partner_a, "feishu", robots.feishu_url(), secret="feishu-secret-abc", language="en"
    )

    delivery = domain.send_test(actor=personas.partner_a, channel=channel)

    assert delivery.status == DeliveryStatus.SENT
    body = robots.received[0].body
    assert body["msg_type"] == "post"
    assert len(body["timestamp"]) == 10  # seconds, as a string
    assert body["content"]["post"]["en_us"]["title"] == "Luodi test message"


def test_500_is_retried_with_backoff_until_it_goes_through(
    personas: Personas, robots: FakeRobots
) -> None:
    channel = _channel(personas.partner_a, "wecom", robots.wecom_url())
    robots.answer(500, {"errcode": -1, "errmsg": "system busy"})

    delivery = domain.send_test(actor=personas.partner_a, channel=channel)

    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 1, "HTTP 500")
    retry = Schedule.objects.get()
    assert retry.func == "luodi.jobs.core.run"
    wait = (retry.next_run - delivery.updated_at).total_seconds()
    assert 25 < wait < 35  # the job's backoff: 30 s before the second attempt

    # The scheduler runs the second attempt; the robot is back.
    core.run(*ast.literal_eval(retry.args))

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert len(robots.received) == 2


def test_error_code_in_a_200_answer_is_retried(personas: Personas, robots: FakeRobots) -> None:
    channel = _channel(personas.partner_a, "wecom", robots.wecom_url())
    robots.answer(200, {"errcode": 45009, "errmsg": "api freq out of limit"})

    delivery = domain.send_test(actor=personas.partner_a, channel=channel)

    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "error code 45009: api freq out of limit"
    assert len(_retries()) == 1


def test_a_sent_delivery_is_not_sent_again(personas: Personas, robots: FakeRobots) -> None:
    channel = _channel(personas.partner_a, "wecom", robots.wecom_url())
    delivery = domain.send_test(actor=personas.partner_a, channel=channel)

    assert tasks.deliver(delivery.pk) == "already sent or being sent"
    core.run("notifications.deliver", [delivery.pk], {}, 1)

    assert len(robots.received) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_a_claim_left_by_a_dead_worker_is_taken_again(
    personas: Personas, robots: FakeRobots
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    channel = _channel(personas.partner_a, "wecom", robots.wecom_url())
    delivery = domain.send_test(actor=personas.partner_a, channel=channel)
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(status="sending", updated_at=now)
    assert sending.claim(delivery.pk, now + timedelta(minutes=1)) is False
    assert sending.claim(delivery.pk, now + sending.LEASE + timedelta(seconds=1)) is True


def test_redirects_are_not_followed(personas: Personas, robots: FakeRobots) -> None:
    channel = _channel(personas.partner_a, "wecom", robots.wecom_url())
    robots.answer(302, b"", {"Location": f"{robots.base}/cgi-bin/webhook/send?key=elsewhere"})

    delivery = domain.send_test(actor=personas.partner_a, channel=channel)

    assert [r.query["key"] for r in robots.received] == ["wk-1234567890"]
    assert delivery.last_error == "HTTP 302: redirects are not followed"


def test_unreachable_robot_fails_without_hanging(personas: Personas, robots: FakeRobots) -> None:
    channel = _channel(personas.partner_a, "wecom", "http://127.0.0.1:9/cgi-bin/webhook/send?key=k")
    delivery = domain.send_test(actor=personas.partner_a, channel=channel)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error.startswith("connection failed")


def test_address_no_longer_allowed_is_given_up_not_retried(
    personas: Personas, robots: FakeRobots, settings: Any
) -> None:
    channel = _channel(personas.partner_a, "wecom", robots.wecom_url())
    settings.LUODI_WEBHOOK_EXTRA_HOSTS = []

    delivery = domain.send_test(actor=personas.partner_a, channel=channel)

    assert robots.received == []
    assert (delivery.status, delivery.last_error) == ("failed", "the address is no longer allowed")
    assert _retries() == []


def test_deleted_channel_is_given_up(personas: Personas, robots: FakeRobots) -> None:
    channel = _channel(personas.partner_a, "wecom", robots.wecom_url())
    robots.answer(500, {})
    delivery = domain.send_test(actor=personas.partner_a, channel=channel)
    domain.delete_channel(actor=personas.partner_a, channel=channel)

    core.run(*ast.literal_eval(Schedule.objects.get().args))

    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == ("failed", "the channel was deleted")
    assert delivery.label == "wecom group"  # the record keeps what it was sent to
    assert len(robots.received) == 1


def test_test_email_goes_to_the_account_address(personas: Personas) -> None:
    delivery = domain.send_test(actor=personas.partner_a, channel=None)
    assert delivery.status == DeliveryStatus.SENT
    assert [m.to for m in mail.outbox] == [[personas.partner_a.email]]
    assert mail.outbox[0].subject == "落地测试消息"


def test_failing_mail_server_is_retried(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: Any, **kwargs: Any) -> int:
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(sending, "send_mail", refused)
    delivery = domain.send_test(actor=personas.partner_a, channel=None)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "ConnectionRefusedError: smtp down"
    assert len(_retries()) == 1


def test_secrets_never_reach_logs_errors_or_the_audit_log(
    personas: Personas, robots: FakeRobots, caplog: pytest.LogCaptureFixture
) -> None:
    from luodi.accounts.models import AuditEntry

    robots.feishu_secret = "the-right-secret"
    url = robots.feishu_url("tok-SUPERSECRETTOKEN")
    with caplog.at_level(logging.DEBUG):
        channel = _channel(personas.partner_a, "feishu", url, secret="not-the-secret-xyz")
        domain.update_channel(actor=personas.partner_a, channel=channel, secret="other-secret-xyz")
        robots.answer(500, {})
        domain.send_test(actor=personas.partner_a, channel=channel)
        domain.send_test(actor=personas.partner_a, channel=channel)
    texts = [r.getMessage() for r in caplog.records]
    texts += [str(e.changes) for e in AuditEntry.objects.all()]
    texts += list(Delivery.objects.values_list("last_error", flat=True))
    assert any("notifications.deliver" in t for t in texts)  # the retry was logged
    for text in texts:
        assert "SUPERSECRETTOKEN" not in text
        assert "secret-xyz" not in text
