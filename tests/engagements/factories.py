from __future__ import annotations

from datetime import date, time, timedelta

import factory
from django.utils import timezone

from luodi.engagements.models import Event, Meeting, Registration, Visit, VisitStop
from tests.factories import OrganizationFactory


def at(days: int, hh: int, mm: int = 0):  # type: ignore[no-untyped-def]
    from datetime import datetime

    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    title_zh = factory.Sequence(lambda n: f"考察{n}")
    date = factory.LazyFunction(lambda: date.today() + timedelta(days=7))
    organizer = factory.SubFactory(OrganizationFactory, kind="association")
    start_latitude = 30.657
    start_longitude = 104.066


class StopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitStop

    visit = factory.SubFactory(VisitFactory)
    organization = factory.SubFactory(
        OrganizationFactory, kind="park", latitude=30.7, longitude=103.9
    )
    latitude = factory.LazyAttribute(lambda s: s.organization.latitude)
    longitude = factory.LazyAttribute(lambda s: s.organization.longitude)
    position = factory.Sequence(lambda n: n)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"座谈{n}")
    starts_at = factory.LazyFunction(lambda: at(3, 10))


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title_zh = factory.Sequence(lambda n: f"论坛{n}")
    title_en = factory.Sequence(lambda n: f"Forum {n}")
    organizer = factory.SubFactory(OrganizationFactory, kind="association")
    venue = "成都医学城会展中心"
    starts_at = factory.LazyFunction(lambda: at(30, 9))
    ends_at = factory.LazyFunction(lambda: at(30, 17))
    status = "published"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"嘉宾{n}")
    email = factory.Sequence(lambda n: f"guest{n}@example.org")
