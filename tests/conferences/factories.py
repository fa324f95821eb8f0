from __future__ import annotations

from datetime import time
from typing import Any

from luodi.accounts.models import User
from luodi.conferences import domain
from luodi.conferences.models import Abstract, Conference, Room
from luodi.engagements.models import Event
from tests.engagements.factories import EventFactory, at


def conference(actor: User, event: Event | None = None, **values: Any) -> Conference:
    event = event or EventFactory(
        kind="conference", title_zh="转化医学会议", starts_at=at(30, 9), ends_at=at(31, 17)
    )
    base: dict[str, object] = {
        "call_opens_at": at(-5, 0),
        "call_closes_at": at(10, 0),
        "topics": "医疗器械\n成果转化",
        "day_starts": time(9, 0),
        "day_ends": time(17, 0),
        "slot_minutes": 30,
    }
    return domain.save_conference(actor=actor, event=event, values=base | values)


def room(actor: User, conf: Conference, name: str = "主会场") -> Room:
    return domain.add_room(actor=actor, conference=conf, name=name)


def abstract(
    conf: Conference, title: str = "摘要一", presenter: str = "周子墨", **kw: Any
) -> Abstract:
    return domain.submit_abstract(
        conference=conf,
        title=title,
        body="正文",
        topic="医疗器械",
        contact_email="author@example.org",
        authors=[
            domain.AuthorIn(presenter, "示例大学", True),
            domain.AuthorIn("合作者", "", False),
        ],
        **kw,
    )
