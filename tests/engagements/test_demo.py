from __future__ import annotations

import io

import pytest

from luodi.engagements import demo
from luodi.engagements.models import Event, NewsPost, Outcome, Visit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_loads_the_seed_story_once() -> None:
    UserFactory(username="staff", role="staff")
    demo.load(io.StringIO())
    demo.load(io.StringIO())
    visit = Visit.objects.get(title_zh=demo.VISIT_TITLE)
    assert visit.is_demo
    assert visit.order_accepted_at is not None
    assert [s.organization.name_zh for s in visit.stops.select_related("organization")] == [
        "成都医学城",
        "天府生命科技园",
        "成都天府国际生物城",
    ]
    assert Outcome.objects.filter(visit=visit, kind="intention").count() == 1
    assert Visit.objects.count() == 3
    precise = Visit.objects.get(title_zh__startswith="精准考察")
    assert precise.stops.count() == 3
    assert set(Event.objects.values_list("kind", flat=True)) == {"forum", "conference", "roadshow"}
    assert NewsPost.objects.filter(status="published").count() == 1
