"""Writing patents and fee payments; who sees them; the daily fee reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from luodi.accounts.models import AuditEntry, Role
from luodi.concurrency import Conflict
from luodi.notifications.models import Notification
from luodi.patents import domain, numbers, rules
from luodi.patents.choices import FeeState
from luodi.patents.fees import add_years
from luodi.patents.models import FeeReminder, Patent
from luodi.patents.reminders import send_fee_reminders
from tests.factories import (
    AchievementFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def number(kind_digit: str = "1", serial: str = "0123456", year: int = 2021) -> str:
    digits = f"{year}{kind_digit}{serial}"
    return f"{digits}.{numbers.check_character(digits)}"


def values(**kw: object) -> dict[str, object]:
    """A granted invention in its 4th year whose 5th-year fee falls due in 99 days."""
    filed = add_years(TODAY + timedelta(days=100), -4)
    return {
        "office": "cnipa",
        "kind": "invention",
        "application_number": number(),
        "title_zh": "一种测试用的专利",
        "filing_date": filed,
        "grant_date": add_years(filed, 3) + timedelta(days=30),
        "status": "granted",
        "reduction": 0,
        **kw,
    }


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    hospital = OrganizationFactory(kind="hospital")
    company = OrganizationFactory()
    member = MembershipFactory(organization=hospital).user
    payer_member = MembershipFactory(organization=company).user
    stranger = MembershipFactory().user
    staff = UserFactory(role=Role.STAFF)
    viewer = UserFactory(role=Role.VIEWER)
    return hospital, company, member, payer_member, stranger, staff, viewer


def test_save_normalises_the_number_and_audits(world) -> None:  # type: ignore[no-untyped-def]
    hospital, _c, member, *_rest = world
    raw = "CN " + number().replace(".", "")
    patent = domain.save_patent(
        actor=member, patent=None, values=values(application_number=raw), owners=[hospital]
    )
    assert patent.application_number == number()
    assert AuditEntry.objects.filter(verb="patent.create", target_id=str(patent.pk)).exists()
    with pytest.raises(ValidationError) as err:
        domain.save_patent(
            actor=member, patent=None, values=values(application_number=raw), owners=[hospital]
        )
    assert "application_number" in err.value.message_dict
    assert Patent.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"application_number": number()[:-1] + "Z"}, "application_number"),
        ({"kind": "utility_model"}, "application_number"),  # the number says invention
        ({"grant_date": None}, "grant_date"),
        ({"grant_date": TODAY + timedelta(days=1)}, "grant_date"),
        ({"status": "pending"}, "status"),
        ({"priority_date": TODAY}, "priority_date"),
        ({"filing_date": None}, "filing_date"),
        ({"office": ""}, "office"),
    ],
)
def test_bad_values_are_refused_on_their_field_and_save_nothing(world, change, field) -> None:  # type: ignore[no-untyped-def]
    hospital, _c, member, *_rest = world
    with pytest.raises(ValidationError) as err:
        domain.save_patent(actor=member, patent=None, values=values(**change), owners=[hospital])
    assert field in err.value.message_dict
    assert not Patent.objects.exists()


def test_a_stale_edit_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    hospital, _c, member, _p, _s, staff, _v = world
    patent = domain.save_patent(actor=member, patent=None, values=values(), owners=[hospital])
    domain.save_patent(
        actor=staff, patent=patent, values={"note": "first"}, owners=[hospital], expected_version=1
    )
    stale = Patent.objects.get(pk=patent.pk)
    with pytest.raises(Conflict):
        domain.save_patent(
            actor=member,
            patent=stale,
            values={"note": "second"},
            owners=[hospital],
            expected_version=1,
        )
    assert Patent.objects.get(pk=patent.pk).note == "first"


def test_payment_moves_the_schedule_on_and_is_refused_twice(world) -> None:  # type: ignore[no-untyped-def]
    hospital, _c, member, *_rest = world
    patent = domain.save_patent(actor=member, patent=None, values=values(), owners=[hospital])
    due = patent.next_fee()
    assert due is not None and (due.year, due.state) == (5, FeeState.UPCOMING)
    domain.record_payment(
        actor=member, patent=patent, year=due.year, paid_on=TODAY, amount_fen=due.fee_fen
    )
    after = Patent.objects.get(pk=patent.pk).next_fee()
    assert after is not None and after.year == due.year + 1
    with pytest.raises(ValidationError) as err:
        domain.record_payment(
            actor=member, patent=patent, year=due.year, paid_on=TODAY, amount_fen=due.fee_fen
        )
    assert "year" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        domain.record_payment(
            actor=member, patent=patent, year=due.year + 1, paid_on=TODAY, amount_fen=0
        )
    assert "amount_fen" in err.value.message_dict


def test_who_sees_what(world) -> None:  # type: ignore[no-untyped-def]
    hospital, company, member, payer_member, stranger, staff, viewer = world
    secret = AchievementFactory(owner=hospital, disclosure="confidential", title_zh="保密成果")
    patent = domain.save_patent(
        actor=member,
        patent=None,
        values=values(fee_payer=company),
        owners=[hospital],
        achievements=[secret],
    )
    for user, sees in [
        (member, True),
        (payer_member, True),
        (staff, True),
        (stranger, False),
        (viewer, False),
    ]:
        assert rules.patents_visible_to(user).filter(pk=patent.pk).exists() is sees, user
    # The fee payer sees the patent but not its owner's confidential achievement.
    assert rules.visible_links(payer_member, patent).achievements == []
    assert rules.visible_links(member, patent).achievements == [secret]
    assert member.has_perm("patents.record_fee", patent)
    assert not payer_member.has_perm("patents.change_patent", patent)
    assert not viewer.has_perm("patents.add_patent")


def test_reminders_go_to_the_payer_once_per_lead(world) -> None:  # type: ignore[no-untyped-def]
    hospital, company, member, payer_member, *_rest = world
    patent = domain.save_patent(
        actor=member, patent=None, values=values(fee_payer=company), owners=[hospital]
    )
    row = patent.next_fee()
    assert row is not None
    day = row.due_on - timedelta(days=45)
    assert send_fee_reminders(day) == 1
    assert send_fee_reminders(day) == 0  # claimed
    assert send_fee_reminders(row.due_on - timedelta(days=20)) == 1  # the 30-day lead
    assert send_fee_reminders(row.due_on + timedelta(days=40)) == 1  # in grace
    assert list(FeeReminder.objects.order_by("pk").values_list("lead", flat=True)) == [
        "60",
        "30",
        "grace",
    ]
    notified = set(Notification.objects.values_list("user_id", flat=True))
    assert payer_member.pk in notified and member.pk not in notified
    assert patent.application_number in Notification.objects.first().subject  # type: ignore[union-attr]
