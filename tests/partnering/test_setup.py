"""Changing a session after creation: tables, open for requests, windows. A change that
would strand a booked meeting is refused with the reason and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from luodi.concurrency import Conflict
from luodi.partnering import domain, setup
from luodi.partnering.models import Availability, Window
from tests.conftest import Personas, client_for
from tests.partnering.helpers import setup as make

pytestmark = pytest.mark.django_db


def test_fewer_tables_than_a_booked_meeting_uses_is_refused(personas: Personas) -> None:
    s = make(personas)
    for p in (s.a, s.b):
        domain.set_availability(actor=personas.staff, participant=p, free=s.slots)
    m = domain.schedule(actor=personas.staff, a=s.a, b=s.b, starts_at=s.slots[0])
    m.table = 2
    m.save(update_fields=["table"])
    with pytest.raises(ValidationError) as exc:
        setup.update_session(actor=personas.staff, session=s.session, tables=1, is_open=True)
    assert "T2" in " ".join(exc.value.message_dict["tables"])
    s.session.refresh_from_db()
    assert s.session.tables == 2
    done = setup.update_session(
        actor=personas.staff, session=s.session, tables=6, is_open=False, expected_version=1
    )
    assert (done.tables, done.is_open, done.version) == (6, False, 2)
    with pytest.raises(Conflict):
        setup.update_session(
            actor=personas.staff, session=s.session, tables=7, is_open=True, expected_version=1
        )


def test_windows_are_added_without_overlap_and_removed_when_nothing_is_booked(
    personas: Personas,
) -> None:
    s = make(personas)
    first = s.session.windows.get()
    with pytest.raises(ValidationError):
        setup.add_window(
            actor=personas.staff,
            session=s.session,
            starts_at=first.starts_at + timedelta(minutes=30),
            ends_at=first.ends_at + timedelta(hours=1),
        )
    later = first.starts_at + timedelta(days=1)
    second = setup.add_window(
        actor=personas.staff, session=s.session, starts_at=later, ends_at=later + timedelta(hours=1)
    )
    assert len(s.session.slots()) == 6
    for p in (s.a, s.b):
        domain.set_availability(actor=personas.staff, participant=p, free=s.session.slots())
    domain.schedule(actor=personas.staff, a=s.a, b=s.b, starts_at=s.slots[0])
    with pytest.raises(ValidationError):
        setup.remove_window(actor=personas.staff, window=first)
    assert Window.objects.filter(pk=first.pk).exists()
    setup.remove_window(actor=personas.staff, window=second)
    assert not Availability.objects.filter(starts_at__gte=later).exists()
    assert s.session.slots() == s.slots


def test_the_last_window_stays(personas: Personas) -> None:
    s = make(personas)
    with pytest.raises(ValidationError):
        setup.remove_window(actor=personas.staff, window=s.session.windows.get())


def test_pages_and_api_for_organisers_only(personas: Personas) -> None:
    s = make(personas)
    outsider = client_for(personas.partner_a)
    assert outsider.post(f"/partnering/{s.session.pk}/settings/", {}).status_code == 404
    assert outsider.patch(
        f"/api/partnering/sessions/{s.session.pk}",
        {"tables": 9, "is_open": True},
        content_type="application/json",
    ).status_code in (403, 404)
    staff = client_for(personas.staff)
    bad = staff.post(f"/partnering/{s.session.pk}/settings/", {"tables": 0, "version": 1})
    assert bad.status_code == 400 and 'data-testid="settings-form"' in bad.content.decode()
    ok = staff.post(f"/partnering/{s.session.pk}/settings/", {"tables": 4, "version": 1})
    assert ok.status_code == 302
    s.session.refresh_from_db()
    assert (s.session.tables, s.session.is_open) == (4, False)
    day = s.session.windows.get().starts_at + timedelta(days=1)
    added = staff.post(
        f"/api/partnering/sessions/{s.session.pk}/windows",
        {"starts_at": day.isoformat(), "ends_at": (day + timedelta(hours=2)).isoformat()},
        content_type="application/json",
    )
    assert added.status_code == 201 and len(added.json()["windows"]) == 2
    overlap = staff.post(
        f"/api/partnering/sessions/{s.session.pk}/windows",
        {"starts_at": day.isoformat(), "ends_at": (day + timedelta(hours=1)).isoformat()},
        content_type="application/json",
    )
    assert overlap.status_code == 422 and "starts_at" in overlap.json()["error"]["fields"]
    stale = staff.patch(
        f"/api/partnering/sessions/{s.session.pk}",
        {"tables": 9, "is_open": True, "version": 1},
        content_type="application/json",
    )
    assert stale.status_code == 409
    window_id = added.json()["windows"][1]["id"]
    gone = staff.delete(f"/api/partnering/sessions/{s.session.pk}/windows/{window_id}")
    assert gone.status_code == 200 and len(gone.json()["windows"]) == 1
