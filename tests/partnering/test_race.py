"""Two people accept at the same moment two meetings that need one person's same slot:
exactly one is booked, the other is told the slot is no longer free. Run against a file
copy of the test database with one connection per thread, as two requests of the site."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from luodi.partnering import domain
from luodi.partnering.choices import MeetingState
from luodi.partnering.models import Meeting, Participant, SlotClaim
from tests.conftest import Personas
from tests.partnering.helpers import setup


def _file_connection(path: Path) -> Any:
    memory = connections["default"]
    return type(memory)({**memory.settings_dict, "NAME": str(path)}, alias="default")


@contextmanager
def _file_copy(path: Path) -> Iterator[None]:
    memory = connections["default"]
    memory.ensure_connection()
    target = sqlite3.connect(path)
    memory.connection.backup(target)
    target.close()
    copy = _file_connection(path)
    connections["default"] = copy
    try:
        yield
    finally:
        copy.close()
        connections["default"] = memory


@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptances_book_one_meeting(personas: Personas, tmp_path: Path) -> None:
    # SQLite's test database is in memory, one connection: the threads answer through a file
    # copy of it. PostgreSQL's rows are committed (transaction=True) and each thread opens
    # its own connection, as two requests of the site do.
    sqlite = connections["default"].vendor == "sqlite"
    s = setup(personas)
    slot = s.slots[0]
    first = domain.propose(actor=personas.partner_a, a=s.a, b=s.b, starts_at=slot)
    second = domain.propose(actor=personas.partner_a, a=s.a, b=s.c, starts_at=slot)
    path = tmp_path / "site.sqlite3"
    barrier = threading.Barrier(2, timeout=60)
    results: dict[int, str] = {}

    def answer(meeting_id: int, participant_id: int) -> None:
        if sqlite:
            connections["default"] = _file_connection(path)
        try:
            meeting = Meeting.objects.get(pk=meeting_id)
            side = Participant.objects.get(pk=participant_id)
            barrier.wait()
            domain.accept(actor=side.user, meeting=meeting, side=side)
            results[meeting_id] = "booked"
        except ValidationError as exc:
            results[meeting_id] = "refused: " + " ".join(exc.messages)
        except Exception as exc:  # shown by the assertion below, instead of a hung barrier
            barrier.abort()
            results[meeting_id] = f"error: {exc!r}"
        finally:
            connections["default"].close()

    with _file_copy(path) if sqlite else nullcontext():
        threads = [
            threading.Thread(target=answer, args=(first.pk, s.b.pk)),
            threading.Thread(target=answer, args=(second.pk, s.c.pk)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        states = sorted(Meeting.objects.values_list("state", flat=True))
        claims = list(SlotClaim.objects.filter(participant_id=s.a.pk, starts_at=slot))

    assert sorted(r.split(":")[0] for r in results.values()) == ["booked", "refused"], results
    assert states == [MeetingState.BOOKED, MeetingState.PENDING]
    assert len(claims) == 1
