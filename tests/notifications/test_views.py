"""The settings pages without a browser: add, edit (address and secret kept unless given),
delete, email choices, and the fragments htmx swaps in."""

from __future__ import annotations

from typing import Any

import pytest

from luodi.notifications import domain
from luodi.notifications.models import Channel, EmailPreference
from tests.conftest import Personas, client_for
from tests.notifications.conftest import FakeRobots

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def test_profile_links_to_the_settings_page(personas: Personas) -> None:
    html = client_for(personas.partner_a).get("/accounts/profile/").content.decode()
    assert 'href="/notifications/"' in html


def test_add_channel_with_htmx_returns_the_list(personas: Personas, robots: FakeRobots) -> None:
    response = client_for(personas.partner_a).post(
        "/notifications/",
        {
            "kind": "wecom",
            "name": "我的群",
            "target": robots.wecom_url(),
            "events": ["reminder"],
            "language": "zh-hans",
        },
        **HX,
    )
    assert response.status_code == 200
    assert response.templates[0].name == "notifications/_channels.html"
    channel = Channel.objects.get()
    assert (channel.user, channel.organization, channel.events) == (
        personas.partner_a,
        None,
        ["reminder"],
    )
    assert f'data-testid="channel-{channel.pk}"' in response.content.decode()


def test_bad_address_comes_back_with_a_field_error(personas: Personas) -> None:
    response = client_for(personas.partner_a).post(
        "/notifications/",
        {
            "kind": "feishu",
            "name": "x",
            "target": "https://open.feishu.cn.example.net/open-apis/bot/v2/hook/x",
            "language": "zh-hans",
        },
        **HX,
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["target"]
    assert not Channel.objects.exists()


def test_edit_keeps_address_and_secret_unless_given(personas: Personas, robots: FakeRobots) -> None:
    channel = domain.create_channel(
        actor=personas.partner_a,
        kind="dingtalk",
        name="旧名",
        target=robots.dingtalk_url("token-one-1234"),
        secret="SECkeep-me",
        events=["reminder"],
    )
    client = client_for(personas.partner_a)
    page = client.get(f"/notifications/channels/{channel.pk}/").content.decode()
    assert "token-one-1234" not in page and "SECkeep-me" not in page

    response = client.post(
        f"/notifications/channels/{channel.pk}/",
        {"name": "新名", "target": "", "secret": "", "events": ["open_call"], "language": "en"},
    )

    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.events, channel.language) == ("新名", ["open_call"], "en")
    assert channel.target == robots.dingtalk_url("token-one-1234")
    assert channel.secret == "SECkeep-me"
    assert channel.is_active is False  # the box was not ticked

    client.post(
        f"/notifications/channels/{channel.pk}/",
        {"name": "新名", "remove_secret": "on", "language": "en", "is_active": "on"},
    )
    channel.refresh_from_db()
    assert (channel.secret, channel.is_active) == ("", True)


def test_delete_with_htmx_returns_the_list_without_it(
    personas: Personas, robots: FakeRobots
) -> None:
    channel = domain.create_channel(
        actor=personas.partner_a, kind="wecom", name="删掉", target=robots.wecom_url(), events=[]
    )
    response = client_for(personas.partner_a).post(
        f"/notifications/channels/{channel.pk}/delete/", **HX
    )
    assert response.status_code == 200
    assert "删掉" not in response.content.decode()
    assert not Channel.objects.exists()


def test_test_button_returns_the_deliveries_fragment(
    personas: Personas, admin_a: Any, robots: FakeRobots
) -> None:
    channel = domain.create_channel(
        actor=admin_a,
        organization=personas.org_a,
        kind="wecom",
        name="A 群",
        target=robots.wecom_url(),
        events=[],
    )
    response = client_for(admin_a).post(f"/notifications/channels/{channel.pk}/test/", **HX)
    assert response.status_code == 200
    delivery = channel.deliveries.get()
    html = response.content.decode()
    assert f'data-testid="delivery-{delivery.pk}"' in html
    assert 'hx-trigger="load delay:3s"' not in html  # nothing waiting: no polling
    assert len(robots.received) == 1


def test_email_choices_form_saves_unticked_as_off(personas: Personas) -> None:
    response = client_for(personas.partner_a).post(
        "/notifications/email/", {"open_call": "on", "event_registration": "on"}, **HX
    )
    assert response.status_code == 200
    assert 'data-testid="email-saved"' in response.content.decode()
    stored = dict(
        EmailPreference.objects.filter(user=personas.partner_a).values_list("kind", "enabled")
    )
    assert stored == {
        "reminder": False,
        "match_alert": False,
        "open_call": True,
        "event_registration": True,
    }


def test_settings_page_lists_only_my_deliveries(personas: Personas) -> None:
    mine = domain.send_test(actor=personas.partner_a, channel=None)
    theirs = domain.send_test(actor=personas.partner_b, channel=None)
    html = client_for(personas.partner_a).get("/notifications/").content.decode()
    assert f'data-testid="delivery-{mine.pk}"' in html
    assert f'data-testid="delivery-{theirs.pk}"' not in html


def test_settings_page_query_count_does_not_grow_with_rows(
    personas: Personas, robots: FakeRobots, django_assert_max_num_queries: Any
) -> None:
    client = client_for(personas.partner_a)

    def add(n: int) -> None:
        for i in range(n):
            channel = domain.create_channel(
                actor=personas.partner_a,
                kind="wecom",
                name=f"c{Channel.objects.count()}-{i}",
                target=robots.wecom_url(),
                events=["reminder"],
            )
            domain.send_test(actor=personas.partner_a, channel=channel)

    add(1)
    with django_assert_max_num_queries(20) as one:
        client.get("/notifications/")
    add(3)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get("/notifications/")
