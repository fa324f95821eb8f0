from __future__ import annotations

import io

import pytest

from luodi import demo
from luodi.partnering.models import Meeting, PartneringSession


@pytest.mark.django_db
def test_demo_has_booked_meetings_and_is_idempotent() -> None:
    demo.load(io.StringIO())
    session = PartneringSession.objects.get(is_demo=True)
    booked = Meeting.objects.filter(session=session, state="booked")
    assert booked.count() == 2 and all(m.is_demo for m in booked)
    before = Meeting.objects.count()
    demo.load(io.StringIO())
    assert Meeting.objects.count() == before
    assert PartneringSession.objects.count() == 1
