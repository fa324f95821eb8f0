"""Demo conference: a fictional two-day academic conference of the demo innovation center,
its call for abstracts (open), submitted abstracts with reviews, decisions and a programme
over two days in two rooms. Every person is fictional; the records are flagged `is_demo` and
made through the domain functions. Idempotent: does nothing when the demo conference exists.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.conferences import domain
from luodi.conferences.models import Conference
from luodi.engagements.domain import records
from luodi.engagements.models import Event


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


TITLE = "第一届医工转化青年学者学术研讨会"
ORGANIZER = "医工融合创新中心"

# title, topic, preference, authors [(name, affiliation, presenting)], scores, decision,
# (day, hh, mm, room index) or None
ABSTRACTS: list[tuple[str, str, str, list[tuple[str, str, bool]], list[int], str, Any]] = [
    (
        "可降解镁合金支架的体内降解监测方法",
        "医疗器械",
        "oral",
        [("周子墨", "示例大学生物医学工程学院", True), ("韩青", "示例附属医院心内科", False)],
        [5, 4],
        "oral",
        (0, 9, 0, 0),
    ),
    (
        "基于多中心数据的肺结节辅助诊断模型外部验证",
        "人工智能医疗",
        "oral",
        [("许安然", "示例医学院影像系", True), ("邓一帆", "示例科技公司", False)],
        [4, 4],
        "oral",
        (0, 9, 0, 1),
    ),
    (
        "院内制剂向创新药转化的知识产权路径",
        "成果转化",
        "either",
        [("苏明远", "示例转化医学研究院", True)],
        [4, 3],
        "oral",
        (1, 10, 0, 0),
    ),
    (
        "便携式凝血检测仪的临床需求调研",
        "医疗器械",
        "poster",
        [("乔思", "示例护理学院", True)],
        [3, 4],
        "poster",
        (1, 10, 0, 1),
    ),
    (
        "一种未经验证的万能疗法设想",
        "成果转化",
        "oral",
        [("钱多多", "示例个人", True)],
        [1, 2],
        "rejected",
        None,
    ),
    (
        "肿瘤类器官药敏检测的标准化流程",
        "人工智能医疗",
        "either",
        [("温若", "示例肿瘤医院", True), ("孔令", "示例大学药学院", False)],
        [],
        "",
        None,
    ),
]


def _at(day_offset: int, hh: int, mm: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


def _reviewers() -> list[User]:
    out = []
    for username, name in [("demo_reviewer1", "审稿人甲"), ("demo_reviewer2", "审稿人乙")]:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=name, email=f"{username}@demo.luodi.invalid")
            user.set_unusable_password()
            user.save()
        out.append(user)
    return out


def load(out: Writer) -> None:
    if Conference.objects.filter(is_demo=True, event__title_zh=TITLE).exists():
        return
    actor = (
        User.objects.filter(username="staff").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )
    organizer = Organization.objects.filter(name_zh=ORGANIZER).first()
    if actor is None or organizer is None:
        out.write("  conferences demo skipped: no staff user or demo organizer\n")
        return
    with transaction.atomic():
        event = Event(
            kind="conference",
            title_zh=TITLE,
            title_en="1st Young Scholars Symposium on Medical-Engineering Translation",
            description_zh="面向青年学者的医工转化研讨会：征集摘要、评审、录用并排入两天的日程。",
            description_en=(
                "A symposium for young scholars in medical-engineering translation: call "
                "for abstracts, review, decisions and a two-day programme."
            ),
            organizer=organizer,
            venue="示例会议中心",
            starts_at=_at(60, 9, 0),
            ends_at=_at(61, 17, 0),
            capacity=200,
            status="published",
            is_demo=True,
        )
        records.save(actor=actor, instance=event, fields=["title_zh", "starts_at"])
        conf = domain.save_conference(
            actor=actor,
            event=event,
            values={
                "call_opens_at": _at(-20, 0, 0),
                "call_closes_at": _at(30, 23, 59),
                "topics": "医疗器械\n人工智能医疗\n成果转化",
                "reviews_wanted": 2,
                "day_starts": time(9, 0),
                "day_ends": time(17, 0),
                "slot_minutes": 30,
            },
            is_demo=True,
        )
        rooms = [
            domain.add_room(actor=actor, conference=conf, name="主会场", capacity=200),
            domain.add_room(actor=actor, conference=conf, name="分会场A", capacity=60),
        ]
        reviewers = _reviewers()
        for i, (title, topic, pref, authors, scores, decision, slot) in enumerate(ABSTRACTS):
            abstract = domain.submit_abstract(
                conference=conf,
                title=title,
                body=f"{title}。研究背景、方法与初步结果见全文。",
                topic=topic,
                preference=pref,
                contact_email=f"author{i + 1}@demo.luodi.invalid",
                authors=[domain.AuthorIn(n, a, p) for n, a, p in authors],
                is_demo=True,
            )
            for reviewer, score in zip(reviewers, scores, strict=False):
                review = domain.assign_reviewer(actor=actor, abstract=abstract, reviewer=reviewer)
                domain.submit_review(
                    actor=reviewer,
                    review=review,
                    score=score,
                    comment="选题有转化价值，方法描述清楚。",
                )
            if not scores:
                domain.assign_reviewer(actor=actor, abstract=abstract, reviewer=reviewers[0])
            if decision:
                abstract = domain.decide(actor=actor, abstract=abstract, decision=decision)
            if slot is not None:
                day, hh, mm, room = slot
                domain.place(
                    actor=actor,
                    abstract=abstract,
                    room=rooms[room],
                    starts_at=_at(60 + day, hh, mm),
                )
    out.write(f"  conferences demo: {TITLE}\n")
