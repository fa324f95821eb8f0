from __future__ import annotations

import io

import pytest

from luodi import demo
from luodi.credentials.models import Certificate, CmeActivity, CmeCredit, SessionAttendance


@pytest.mark.django_db
def test_demo_has_cme_credits_and_certificates_and_is_idempotent() -> None:
    demo.load(io.StringIO())
    activity = CmeActivity.objects.get(is_demo=True)
    assert activity.event.kind == "conference" and activity.event.is_demo
    assert activity.required_sessions.count() == 2
    credits = CmeCredit.objects.filter(activity=activity)
    assert credits.count() == 3 and all(c.is_demo for c in credits)
    assert Certificate.objects.filter(event=activity.event, kind="attendance").count() == 4
    assert Certificate.objects.filter(event=activity.event, kind="presentation").exists()
    counts = (SessionAttendance.objects.count(), Certificate.objects.count(), credits.count())
    demo.load(io.StringIO())
    assert (SessionAttendance.objects.count(), Certificate.objects.count(), credits.count()) == (
        counts
    )
    for text in [activity.title, *Certificate.objects.values_list("titles", flat=True)]:
        assert "演示" not in text and "demo" not in text.lower()
