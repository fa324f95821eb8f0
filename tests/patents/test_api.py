"""The patents API: who sees which patent (a viewer none), what a fee payer reads of the
records a patent links to, checked numbers, versions and fee payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from luodi.accounts.models import Role, User
from luodi.catalog.models import Organization
from luodi.patents import domain, numbers
from luodi.patents.fees import add_years
from luodi.patents.models import FeePayment, Patent
from tests.conftest import client_for
from tests.factories import (
    AchievementFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
API = "/api/patents"
TODAY = timezone.localdate()
# A title that must not reach the fee payer: the owner's confidential achievement.
SECRET = "机密LEAKP9成果：新型骨修复支架"


def number(kind_digit: str = "1", serial: str = "0123456", year: int = 2021) -> str:
    digits = f"{year}{kind_digit}{serial}"
    return f"{digits}.{numbers.check_character(digits)}"


def wrong_check(good: str) -> str:
    """The same digits with another check character: a typing error."""
    bad = "0" if good[-1] != "0" else "1"
    return good[:-1] + bad


def granted(**kw: Any) -> dict[str, Any]:
    """A granted invention in its 4th year whose 5th-year fee falls due in 99 days."""
    filed = add_years(TODAY + timedelta(days=100), -4)
    return {
        "office": "cnipa",
        "kind": "invention",
        "application_number": number(),
        "title_zh": "一种骨修复支架的制备方法",
        "filing_date": filed,
        "grant_date": add_years(filed, 3) + timedelta(days=30),
        "status": "granted",
        "reduction": 85,
        **kw,
    }


@dataclass
class World:
    hospital: Organization  # owns the patent
    agency: Organization  # only pays its fees
    owner: User
    payer: User
    stranger: User
    staff: User
    viewer: User
    patent: Patent


@pytest.fixture
def world() -> World:
    hospital = OrganizationFactory(kind="hospital", name_zh="华西医院")
    agency = OrganizationFactory(name_zh="蓉城专利代理有限公司")
    owner = MembershipFactory(organization=hospital).user
    payer = MembershipFactory(organization=agency).user
    stranger = MembershipFactory().user
    staff = UserFactory(role=Role.STAFF)
    viewer = UserFactory(role=Role.VIEWER)
    secret = AchievementFactory(owner=hospital, title_zh=SECRET, disclosure="confidential")
    inventor = PersonFactory(organization=hospital, status="pending", name_zh="未公开的发明人")
    patent = domain.save_patent(
        actor=staff,
        patent=None,
        values={**granted(), "fee_payer": agency},
        owners=[hospital],
        achievements=[secret],
        inventors=[inventor],
    )
    return World(hospital, agency, owner, payer, stranger, staff, viewer, patent)


def _json(client: Client, method: str, url: str, data: Any, **headers: str) -> Any:
    return getattr(client, method)(url, data, content_type="application/json", headers=headers)


def _body(**kw: Any) -> dict[str, Any]:
    values = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in granted(**kw).items()}
    return values


def test_who_lists_and_reads_which_patent(world: World) -> None:
    url = f"{API}/{world.patent.pk}"
    for user in (world.staff, world.owner, world.payer):
        client = client_for(user)
        listed = client.get(f"{API}/").json()
        assert [p["id"] for p in listed["items"]] == [world.patent.pk], user
        row = listed["items"][0]
        fee = row["next_fee"]
        assert fee["year"] == 5 and fee["state"] == "upcoming" and fee["currency"] == "CNY"
        # 1,200 yuan for year 5 of an invention, 85 % off in the first ten years from grant.
        assert (fee["full_fen"], fee["fee_fen"]) == (120_000, 18_000)
        assert client.get(url).status_code == 200
    for user in (world.stranger, world.viewer):
        client = client_for(user)
        assert client.get(f"{API}/").json()["count"] == 0
        missing = client.get(url)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client_for(None).get(f"{API}/").status_code == 401


def test_a_fee_payer_never_reads_the_owners_confidential_links(world: World) -> None:
    payer = client_for(world.payer).get(f"{API}/{world.patent.pk}")
    assert payer.status_code == 200
    body = payer.content.decode()
    assert SECRET not in body and "未公开的发明人" not in body
    assert payer.json()["achievements"] == [] and payer.json()["inventors"] == []
    assert payer.json()["fee_payer"]["id"] == world.agency.pk
    owner = client_for(world.owner).get(f"{API}/{world.patent.pk}").json()
    assert [a["title"] for a in owner["achievements"]] == [SECRET]
    assert [p["name"] for p in owner["inventors"]] == ["未公开的发明人"]
    assert owner["schedule"][0]["state"] == "paid"  # the year of grant, paid on registration
    assert {row["currency"] for row in owner["schedule"]} == {"CNY"}


def test_filters_by_office_status_and_next_fee(world: World) -> None:
    client = client_for(world.staff)
    late_filed = add_years(TODAY - timedelta(days=10), -4)  # year 5 was due 11 days ago
    domain.save_patent(
        actor=world.staff,
        patent=None,
        values=granted(
            application_number=number(serial="0000042"),
            filing_date=late_filed,
            grant_date=add_years(late_filed, 3) + timedelta(days=30),
        ),
        owners=[world.hospital],
    )
    domain.save_patent(
        actor=world.staff,
        patent=None,
        values={
            "office": "epo",
            "kind": "invention",
            "application_number": "EP21123456",
            "filing_date": TODAY - timedelta(days=30),
            "status": "pending",
        },
        owners=[world.hospital],
    )

    def ids(**query: Any) -> list[str]:
        got = client.get(f"{API}/", query)
        assert got.status_code == 200, got.content
        return sorted(p["application_number"] for p in got.json()["items"])

    overdue = number(serial="0000042")
    assert ids(office="epo") == ["EP21123456"]
    assert ids(status="granted") == sorted([number(), overdue])
    assert ids(overdue="true") == [overdue]
    assert ids(due_within_days=30) == [overdue]  # the late one counts; 99 days away does not
    assert ids(due_within_days=120) == sorted([number(), overdue])
    assert client.get(f"{API}/", {"due_within_days": -1}).status_code == 422


def test_create_checks_the_number_and_the_owners(world: World) -> None:
    client = client_for(world.owner)
    sent = _body(application_number=wrong_check(number(serial="7654321")))
    bad = _json(client, "post", f"{API}/", {**sent, "owner_ids": [world.hospital.pk]})
    assert bad.status_code == 422
    # The domain's own message, in the language the request was answered in.
    expected = domain.number_errors("cnipa", "invention", sent["application_number"])
    assert bad.json()["error"]["fields"]["application_number"] == expected
    good_number = "CN " + number(serial="7654321").replace(".", "")
    foreign = _json(
        client,
        "post",
        f"{API}/",
        {**_body(application_number=good_number), "owner_ids": [world.agency.pk]},
    )
    assert foreign.status_code == 422 and "owner_ids" in foreign.json()["error"]["fields"]
    created = _json(
        client,
        "post",
        f"{API}/",
        {**_body(application_number=good_number), "owner_ids": [world.hospital.pk]},
    )
    assert created.status_code == 201, created.content
    assert created.json()["application_number"] == number(serial="7654321")
    again = _json(
        client,
        "post",
        f"{API}/",
        {**_body(application_number=good_number), "owner_ids": [world.hospital.pk]},
    )
    assert again.status_code == 422 and "application_number" in again.json()["error"]["fields"]
    for user in (world.viewer,):
        refused = _json(
            client_for(user), "post", f"{API}/", {**_body(), "owner_ids": [world.hospital.pk]}
        )
        assert refused.status_code == 403
    assert Patent.objects.count() == 2


def test_change_with_a_stale_version_is_a_conflict(world: World) -> None:
    client = client_for(world.owner)
    url = f"{API}/{world.patent.pk}"
    loaded = client.get(url)
    version = loaded.json()["version"]
    assert loaded["ETag"] == f'"{version}"'
    changed = _json(client, "patch", url, {"title_en": "Bone scaffold", "version": version})
    assert changed.status_code == 200, changed.content
    assert changed.json()["title_en"] == "Bone scaffold"
    # The hidden links stay: the patch sent none.
    assert [a["title"] for a in changed.json()["achievements"]] == [SECRET]
    stale = _json(client, "patch", url, {"note": "x"}, **{"If-Match": f'"{version}"'})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    assert stale.json()["error"]["fields"]["version"] == [str(version + 1)]
    garbled = _json(client, "patch", url, {"note": "x", "version": "abc"})
    assert garbled.status_code == 422
    nulled = _json(client, "patch", url, {"filing_date": None})
    assert nulled.status_code == 422 and "filing_date" in nulled.json()["error"]["fields"]
    # The fee payer sees the patent but may not change it.
    payer = _json(client_for(world.payer), "patch", url, {"note": "x"})
    assert payer.status_code == 403


def test_a_co_owner_changing_links_keeps_the_ones_it_cannot_see(world: World) -> None:
    co_owner = OrganizationFactory(name_zh="合作企业")
    member = MembershipFactory(organization=co_owner).user
    domain.save_patent(
        actor=world.staff,
        patent=world.patent,
        values={},
        owners=[world.hospital, co_owner],
        achievements=world.patent.achievements.all(),
        inventors=world.patent.inventors.all(),
    )
    theirs = AchievementFactory(owner=co_owner, title_zh="合作企业的成果")
    url = f"{API}/{world.patent.pk}"
    done = _json(client_for(member), "patch", url, {"achievement_ids": [theirs.pk]})
    assert done.status_code == 200, done.content
    assert SECRET not in done.content.decode()
    assert [a["title"] for a in done.json()["achievements"]] == ["合作企业的成果"]
    # The hospital's confidential achievement is still linked, though the co-owner never
    # saw it; and the co-owner cannot drop the hospital as an owner.
    assert sorted(world.patent.achievements.values_list("title_zh", flat=True)) == sorted(
        [SECRET, "合作企业的成果"]
    )
    only_me = _json(client_for(member), "patch", url, {"owner_ids": [co_owner.pk]})
    assert only_me.status_code == 200, only_me.content
    assert {o["id"] for o in only_me.json()["owners"]} == {world.hospital.pk, co_owner.pk}
    hidden = _json(client_for(member), "patch", url, {"achievement_ids": [world.patent.pk + 999]})
    assert hidden.status_code == 422 and "achievement_ids" in hidden.json()["error"]["fields"]


def test_a_payment_shows_in_the_schedule_and_twice_is_refused(world: World) -> None:
    client = client_for(world.owner)
    url = f"{API}/{world.patent.pk}"
    payment = {"year": 5, "paid_on": TODAY.isoformat(), "amount_fen": 18_000}
    paid = _json(client, "post", f"{url}/payments", payment)
    assert paid.status_code == 201, paid.content
    assert paid.json()["currency"] == "CNY" and paid.json()["amount_fen"] == 18_000
    detail = client.get(url).json()
    year5 = next(row for row in detail["schedule"] if row["year"] == 5)
    assert year5["state"] == "paid" and year5["paid_on"] == TODAY.isoformat()
    assert detail["next_fee"]["year"] == 6
    twice = _json(client, "post", f"{url}/payments", payment)
    assert twice.status_code == 422 and "year" in twice.json()["error"]["fields"]
    future = {**payment, "year": 6, "paid_on": (TODAY + timedelta(days=1)).isoformat()}
    assert _json(client, "post", f"{url}/payments", future).status_code == 422
    assert _json(client_for(world.payer), "post", f"{url}/payments", payment).status_code == 403

    pid = paid.json()["id"]
    assert client_for(world.stranger).delete(f"{url}/payments/{pid}").status_code == 404
    assert client_for(world.payer).delete(f"{url}/payments/{pid}").status_code == 403
    assert client.delete(f"{url}/payments/{pid}").status_code == 204
    assert not FeePayment.objects.exists()
    assert client.get(url).json()["next_fee"]["year"] == 5
