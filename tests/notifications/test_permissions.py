"""Who may see and change which channels, on the pages and in the API; secrets stay out of
both."""

from __future__ import annotations

import json
from typing import Any

import pytest

from luodi.notifications import domain
from luodi.notifications.models import Channel
from tests.conftest import Personas, client_for
from tests.notifications.conftest import FakeRobots

pytestmark = pytest.mark.django_db

SECRET = "SECvery-secret-signing-key"
TOKEN = "dt-TOKEN-THAT-MUST-NOT-SHOW"


@pytest.fixture
def team_channel(personas: Personas, admin_a: Any, robots: FakeRobots) -> Channel:
    return domain.create_channel(
        actor=admin_a,
        organization=personas.org_a,
        kind="dingtalk",
        name="A 组群",
        target=robots.dingtalk_url(TOKEN),
        secret=SECRET,
        events=["open_call"],
    )


def test_admin_and_staff_manage_the_team_page(
    personas: Personas, admin_a: Any, team_channel: Channel
) -> None:
    for user in (admin_a, personas.staff):
        page = client_for(user).get(f"/notifications/organizations/{personas.org_a.pk}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "A 组群" in html
        assert TOKEN not in html and SECRET not in html
        assert "/…SHOW" in html  # the masked address


def test_partner_of_b_and_plain_members_of_a_cannot_see_or_change_a_channels(
    personas: Personas, team_channel: Channel
) -> None:
    org_a, pk = personas.org_a.pk, team_channel.pk
    for user in (personas.partner_b, personas.partner_a, personas.viewer):
        client = client_for(user)
        assert client.get(f"/notifications/organizations/{org_a}/").status_code == 403
        assert client.get(f"/notifications/organizations/{org_a}/deliveries/").status_code == 403
        assert client.post(f"/notifications/organizations/{org_a}/", {}).status_code == 403
        assert client.get(f"/notifications/channels/{pk}/").status_code == 404
        assert client.post(f"/notifications/channels/{pk}/", {"name": "x"}).status_code == 404
        assert client.post(f"/notifications/channels/{pk}/test/").status_code == 404
        assert client.post(f"/notifications/channels/{pk}/delete/").status_code == 404
    team_channel.refresh_from_db()
    assert team_channel.name == "A 组群"
    assert team_channel.deliveries.count() == 0


def test_partner_of_b_cannot_reach_a_channels_through_the_api(
    personas: Personas, team_channel: Channel
) -> None:
    client = client_for(personas.partner_b)
    org_a, pk = personas.org_a.pk, team_channel.pk

    listed = client.get(f"/api/notifications/channels?organization_id={org_a}")
    assert listed.status_code == 403
    assert listed.json()["error"]["code"] == "forbidden"
    assert client.get(f"/api/notifications/deliveries?organization_id={org_a}").status_code == 403
    assert client.get(f"/api/notifications/channels/{pk}").status_code == 404
    patch = client.patch(
        f"/api/notifications/channels/{pk}", json.dumps({"name": "x"}), "application/json"
    )
    assert patch.status_code == 404
    assert client.post(f"/api/notifications/channels/{pk}/test").status_code == 404
    assert client.delete(f"/api/notifications/channels/{pk}").status_code == 404
    created = client.post(
        "/api/notifications/channels",
        json.dumps(
            {
                "kind": "wecom",
                "name": "hijack",
                "target": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                "organization_id": org_a,
            }
        ),
        "application/json",
    )
    assert created.status_code == 403
    assert list(Channel.objects.values_list("name", flat=True)) == ["A 组群"]
    # Their own list does not include it either.
    assert client.get("/api/notifications/channels").json() == []


def test_personal_channels_are_private_even_from_staff(
    personas: Personas, robots: FakeRobots
) -> None:
    mine = domain.create_channel(
        actor=personas.partner_a, kind="wecom", name="私人", target=robots.wecom_url(), events=[]
    )
    for user in (personas.partner_b, personas.staff):
        assert client_for(user).get(f"/notifications/channels/{mine.pk}/").status_code == 404
        assert client_for(user).get(f"/api/notifications/channels/{mine.pk}").status_code == 404
    assert (
        client_for(personas.partner_a).get(f"/notifications/channels/{mine.pk}/").status_code == 200
    )


def test_api_answers_mask_the_address_and_hide_the_secret(
    admin_a: Any, personas: Personas, team_channel: Channel
) -> None:
    client = client_for(admin_a)
    listed = client.get(f"/api/notifications/channels?organization_id={personas.org_a.pk}")
    assert listed.status_code == 200
    [row] = listed.json()
    assert row["signed"] is True
    assert row["address"].endswith("/…SHOW")
    assert TOKEN not in listed.content.decode() and SECRET not in listed.content.decode()


def test_organization_page_links_to_team_notifications_only_for_managers(
    personas: Personas, admin_a: Any
) -> None:
    url = f"/catalog/organizations/{personas.org_a.pk}/"
    link = f"/notifications/organizations/{personas.org_a.pk}/"
    assert link in client_for(admin_a).get(url).content.decode()
    assert link not in client_for(personas.partner_a).get(url).content.decode()
