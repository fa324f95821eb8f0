"""Demo engagements: the morning this project started from, and what followed.

An innovation center took a company chairman to inspect Chengdu Medical City and other
parks, met investment-promotion officials and park operators, reached a strategic
cooperation intention to co-host forums and academic conferences, and agreed on a return
visit. Parks are the catalog's (real names); every person, company and bureau office here is
fictional and flagged `is_demo`. Idempotent: does nothing when the demo visit exists.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, Protocol

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from luodi.accounts.models import User
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.models import Achievement, Organization, Term
from luodi.engagements import demo_registration, park_fit
from luodi.engagements.domain import events, news, records, registration_options, visits
from luodi.engagements.models import Event, Meeting, OutcomeKind, Visit
from luodi.pipeline.choices import AgreementKind, AgreementStatus, ObligationKind
from luodi.pipeline.domain import agreements
from luodi.pipeline.models import Agreement, Project


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


VISIT_TITLE = "陪同企业董事长考察成都医学城等园区"

# name_zh, name_en, kind, latitude, longitude (parks as in the catalog demo)
ORGS: list[tuple[str, str, str, float | None, float | None]] = [
    (
        "医工融合创新中心",
        "Medical-Industrial Integration Innovation Center",
        OrganizationKind.ASSOCIATION,
        30.657,
        104.066,
    ),
    ("成都医学城", "Chengdu Medical City", OrganizationKind.PARK, 30.715, 103.835),
    ("成都天府国际生物城", "Tianfu International Bio-Town", OrganizationKind.PARK, 30.405, 104.013),
    ("天府生命科技园", "Tianfu Life Science Park", OrganizationKind.PARK, 30.566, 104.046),
    (
        "蓉创精准医疗科技有限公司",
        "Rongchuang Precision Medicine Co.",
        OrganizationKind.COMPANY,
        30.600,
        104.070,
    ),
    (
        "园区招商服务中心",
        "Park Investment Promotion Service Office",
        OrganizationKind.GOVERNMENT,
        30.712,
        103.840,
    ),
    (
        "成都生物医药产业促进会",
        "Chengdu Biomedical Industry Promotion Society",
        OrganizationKind.ASSOCIATION,
        30.650,
        104.080,
    ),
]


def _org(
    name_zh: str, name_en: str, kind: str, lat: float | None, lon: float | None
) -> Organization:
    org, created = Organization.objects.get_or_create(
        name_zh=name_zh,
        defaults={
            "name_en": name_en,
            "kind": kind,
            "is_demo": True,
            "latitude": lat,
            "longitude": lon,
        },
    )
    if not created and org.latitude is None and lat is not None:
        org.latitude, org.longitude = lat, lon
        org.save(update_fields=["latitude", "longitude"])
    return org


def _at(day_offset: int, hh: int, mm: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


def load(out: Writer) -> None:
    if Visit.objects.filter(is_demo=True, title_zh=VISIT_TITLE).exists():
        return
    actor = (
        User.objects.filter(username="staff").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )
    if actor is None:
        out.write("  engagements demo skipped: no staff user to record it\n")
        return
    with transaction.atomic():
        orgs = {zh: _org(zh, en, kind, lat, lon) for zh, en, kind, lat, lon in ORGS}
        company = orgs["蓉创精准医疗科技有限公司"]
        if not company.focus_areas.exists():  # precision medicine: diagnostics and oncology
            company.focus_areas.set(
                Term.objects.filter(
                    Q(scheme=Term.Scheme.TECHNOLOGY, code__in=["ivd", "ai_medical"])
                    | Q(scheme=Term.Scheme.THERAPEUTIC_AREA, label_en="Neoplasms")
                )
            )
        visit = _visit(actor, orgs)
        _return_visit(actor, orgs)
        _precise_visit(actor, orgs)
        forum = _events(actor, orgs)
        _cooperation(actor, orgs, visit, forum)
        post = news.draft_from(actor=actor, visit=visit)
        post.is_demo = True
        post.save(update_fields=["is_demo"])
        # Demo data: the Chinese version stands approved so the news page has an example;
        # the English one stays a draft, as a machine-assembled version must (issue #18).
        news.review(actor=actor, post=post, approve={"zh": True}, changed=set())
        news.publish(actor=actor, post=post)
        forum_post = news.draft_from(actor=actor, event=forum)
        forum_post.is_demo = True
        forum_post.save(update_fields=["is_demo"])
        demo_registration.load(out)
    out.write(
        "  engagements: 3 visits, 1 meeting, 3 events, 2 news posts, "
        "1 agreement between organizations (demo)\n"
    )


def _cooperation(actor: User, orgs: dict[str, Organization], visit: Visit, forum: Event) -> None:
    """The strategic cooperation intention reached at the visit, as an agreement between
    the center, Chengdu Medical City and the park's office (no project): its obligations,
    the visit that reached it and the forum that carries it out. And the visiting company's
    group (集团 / 子公司)."""
    center, medical_city = orgs["医工融合创新中心"], orgs["成都医学城"]
    bureau, company = orgs["园区招商服务中心"], orgs["蓉创精准医疗科技有限公司"]
    agreement = agreements.create_agreement(
        actor=actor,
        project=None,
        values={
            "kind": AgreementKind.STRATEGIC,
            "title": "关于共同举办生物医药产业论坛和学术会议的战略合作意向",
            "status": AgreementStatus.SIGNED,
            "signed_on": visit.date,
            "notes": "考察成都医学城时达成；每季度联合举办一次论坛或学术会议。",
        },
        parties=[center, medical_city, bureau],
        related_projects=Project.objects.filter(is_demo=True, target_park=medical_city)[:2],
        is_demo=True,
    )
    agreements.add_obligation(
        actor=actor,
        agreement=agreement,
        kind=ObligationKind.REPORT,
        description="提交年度联合论坛与学术会议计划",
        due_date=visit.date + timedelta(days=30),
        responsible=actor,
    )
    agreements.add_obligation(
        actor=actor,
        agreement=agreement,
        kind=ObligationKind.OTHER,
        description="每季度联合举办一次产业论坛或学术会议",
        trigger="每季度首月内确定主题与时间",
    )
    visit.agreements.add(agreement)
    forum.agreements.add(agreement)
    group = _org(
        "蓉创医疗集团有限公司",
        "Rongchuang Medical Group",
        OrganizationKind.COMPANY,
        30.602,
        104.072,
    )
    company.parent = group
    company.save(update_fields=["parent"])


def _fits(actor: User, company: Organization, parks: list[Organization]) -> dict[int, str]:
    """Each park's fit summary for the company as matchmaking's park tab scores it (what the
    briefing pack prints)."""
    source = park_fit.company_source(actor, company.pk)
    every = Organization.objects.filter(kind=OrganizationKind.PARK).count()
    wanted = {p.pk for p in parks}
    return {
        f.park.pk: f.summary()
        for f in park_fit.ranked_parks(actor, source, k=every)
        if f.park.pk in wanted
    }


def _precise_visit(actor: User, orgs: dict[str, Organization]) -> None:
    """A planned "precise inspection": the itinerary drafted from the company's best parks."""
    center, company = orgs["医工融合创新中心"], orgs["蓉创精准医疗科技有限公司"]
    visit = Visit(
        title_zh="精准考察：为蓉创精准医疗匹配园区",
        title_en="Precise inspection: best-fitting parks for Rongchuang",
        date=timezone.localdate() + timedelta(days=32),
        start_time=time(8, 30),
        start_label="天府广场 Tianfu Square",
        start_latitude=30.657,
        start_longitude=104.066,
        organizer=center,
        company=company,
        is_demo=True,
        purpose="按企业需求从匹配度最高的园区起草行程",
    )
    records.save(
        actor=actor,
        instance=visit,
        fields=["title_zh", "date"],
        m2m={"organizations": [center, company]},
    )
    visits.draft_from_fit(actor=actor, visit=visit, limit=3)


def _visit(actor: User, orgs: dict[str, Organization]) -> Visit:
    center, company = orgs["医工融合创新中心"], orgs["蓉创精准医疗科技有限公司"]
    medical_city, bio_town = orgs["成都医学城"], orgs["成都天府国际生物城"]
    life_park, bureau = orgs["天府生命科技园"], orgs["园区招商服务中心"]
    day = timezone.localdate() - timedelta(days=12)
    visit = Visit(
        title_zh=VISIT_TITLE,
        title_en="Taking a company chairman to inspect Chengdu Medical City and other parks",
        purpose="为企业精准医疗检测中心项目选址，了解各园区载体、政策与产业配套。",
        date=day,
        start_time=time(8, 30),
        start_label="天府广场 Tianfu Square",
        start_latitude=30.657,
        start_longitude=104.066,
        organizer=center,
        company=company,
        is_demo=True,
    )
    # The pipeline's demo projects aiming at Chengdu Medical City, when they are loaded.
    projects = list(Project.objects.filter(is_demo=True, target_park=medical_city)[:2])
    records.save(
        actor=actor,
        instance=visit,
        fields=["title_zh", "date"],
        m2m={
            "organizations": [center, company, bureau],
            "projects": projects,
            "agreements": list(Agreement.objects.filter(project__in=projects)[:2]),
        },
    )
    fits = _fits(actor, company, [bio_town, medical_city, life_park])
    # Added in an unhelpful order; the suggested order is then accepted.
    stops = [
        visits.add_stop(
            actor=actor,
            visit=visit,
            organization=bio_town,
            window_start=time(14, 0),
            window_end=time(16, 30),
            duration_min=90,
            hosts="生物城招商部 刘经理",
            fit_summary=fits.get(bio_town.pk, ""),
        ),
        visits.add_stop(
            actor=actor,
            visit=visit,
            organization=medical_city,
            window_start=time(9, 30),
            window_end=time(11, 0),
            duration_min=100,
            hosts="园区招商服务中心 赵主任、园区运营公司 孙总",
            fit_summary=fits.get(medical_city.pk, ""),
        ),
        visits.add_stop(
            actor=actor,
            visit=visit,
            organization=life_park,
            window_start=time(11, 30),
            window_end=time(13, 30),
            duration_min=60,
            hosts="园区运营方 何经理",
            fit_summary=fits.get(life_park.pk, ""),
        ),
    ]
    plan = visits.plan_for(visit, stops)
    visits.set_order(actor=actor, visit=visit, order=plan.order, accept=True)
    minutes: dict[int | None, str] = {
        medical_city.pk: "参观三医创新中心湿实验室与GMP标准厂房；园区介绍入驻政策与产业基金；"
        "企业介绍精准医疗检测中心项目需求（约2000平方米，含洁净区）。",
        bio_town.pk: "参观公共P2平台和孵化器；了解细胞与基因治疗配套政策。",
        life_park.pk: "座谈CRO合作资源与研发办公载体。",
    }
    for stop in stops:
        stop.refresh_from_db()
        visits.record_minutes(actor=actor, stop=stop, minutes=minutes[stop.organization_id])
    people = [
        ("王建国", company, "董事长"),
        ("林晓", center, "创新中心主任"),
        ("赵敏", bureau, "招商服务中心主任"),
        ("孙磊", medical_city, "园区运营公司总经理"),
        ("周航", medical_city, "招商专员"),
    ]
    for name, org, role in people:
        records.add_participant(actor=actor, record=visit, name=name, organization=org, role=role)
    records.set_presence(
        actor=actor, record=visit, present_ids=visit.participants.values_list("pk", flat=True)
    )
    medical_stop = next(s for s in stops if s.organization_id == medical_city.pk)
    records.add_outcome(
        actor=actor,
        record=visit,
        kind=OutcomeKind.INTENTION,
        counterpart=medical_city,
        stop=medical_stop,
        text="创新中心与成都医学城达成战略合作意向：共同举办生物医药产业论坛和学术会议",
    )
    records.add_outcome(
        actor=actor,
        record=visit,
        kind=OutcomeKind.COMMITMENT,
        counterpart=company,
        text="约定一个月内再次回访，对接载体选址与入驻方案",
    )
    records.add_follow_up(
        actor=actor,
        record=visit,
        title="安排回访成都医学城并准备选址比选材料",
        owner=actor,
        due_date=day + timedelta(days=30),
        stop=medical_stop,
    )
    records.add_follow_up(
        actor=actor,
        record=visit,
        title="起草论坛与学术会议共同主办方案",
        owner_name="赵敏",
        due_date=day + timedelta(days=14),
    )
    meeting = Meeting(
        title="与园区招商服务中心座谈",
        starts_at=_at(-12, 10, 0),
        ends_at=_at(-12, 11, 0),
        location="成都医学城 会议室",
        visit=visit,
        minutes="双方介绍合作意愿；商定论坛筹备分工。",
        is_demo=True,
    )
    records.save(
        actor=actor,
        instance=meeting,
        fields=["title", "starts_at"],
        m2m={"organizations": [center, bureau, medical_city, company]},
    )
    records.add_outcome(
        actor=actor,
        record=meeting,
        kind=OutcomeKind.DECISION,
        text="成立论坛筹备联络小组，每两周沟通一次",
    )
    visits.mark_done(
        actor=actor,
        visit=visit,
        summary="考察三个园区，与成都医学城达成战略合作意向，约定回访。",
    )
    return visit


def _return_visit(actor: User, orgs: dict[str, Organization]) -> None:
    center, company = orgs["医工融合创新中心"], orgs["蓉创精准医疗科技有限公司"]
    visit = Visit(
        title_zh="回访成都医学城",
        title_en="Return visit to Chengdu Medical City",
        date=timezone.localdate() + timedelta(days=18),
        start_time=time(9, 0),
        organizer=center,
        company=company,
        is_demo=True,
        purpose="落实选址比选与论坛筹备",
    )
    records.save(
        actor=actor,
        instance=visit,
        fields=["title_zh", "date"],
        m2m={"organizations": [center, company]},
    )
    visits.add_stop(
        actor=actor,
        visit=visit,
        organization=orgs["成都医学城"],
        window_start=time(9, 30),
        window_end=time(11, 30),
        duration_min=120,
    )


def _events(actor: User, orgs: dict[str, Organization]) -> Event:
    center, medical_city = orgs["医工融合创新中心"], orgs["成都医学城"]
    society = orgs["成都生物医药产业促进会"]
    forum = Event(
        kind="forum",
        title_zh="医工融合创新发展论坛",
        title_en="Medical-Industrial Integration Innovation Forum",
        description_zh="由创新中心与成都医学城共同主办，聚焦科技成果转化与园区落地。",
        description_en="Co-hosted by the innovation center and Chengdu Medical City: from "
        "research results to landing in a park.",
        organizer=center,
        venue="成都医学城会展中心",
        address="四川省成都市温江区",
        starts_at=_at(40, 9, 0),
        ends_at=_at(40, 17, 30),
        capacity=200,
        status="published",
        is_demo=True,
    )
    records.save(
        actor=actor,
        instance=forum,
        fields=["title_zh", "starts_at"],
        m2m={"co_organizers": [medical_city, society]},
    )
    for hh, mm, hh2, mm2, zh, en, room, speakers in [
        (9, 0, 9, 30, "开幕致辞", "Opening", "主会场", ["林晓", "孙磊"]),
        (
            9,
            30,
            10,
            30,
            "主旨报告：从实验室到园区",
            "Keynote: from lab to park",
            "主会场",
            ["陈静"],
        ),
        (10, 45, 12, 0, "成果路演", "Achievement roadshow", "分会场A", ["王建国"]),
        (10, 45, 12, 0, "园区政策解读", "Park incentives explained", "分会场B", ["赵敏"]),
    ]:
        events.add_session(
            actor=actor,
            event=forum,
            starts_at=_at(40, hh, mm),
            ends_at=_at(40, hh2, mm2),
            title_zh=zh,
            title_en=en,
            room=room,
            speaker_names=speakers,
        )
    for i, (name, org) in enumerate(
        [
            ("李娜", "蓉创精准医疗"),
            ("张伟", "某医院科研处"),
            ("刘洋", "某投资机构"),
        ]
    ):
        events.register(
            event=forum,
            name=name,
            email=f"guest{i + 1}@demo.luodi.invalid",
            organization_name=org,
            # They read the forum's notice (in Chinese) and agreed, as the form asks.
            options=registration_options.Options(
                consent_version=registration_options.notice(forum, "zh-hans").version
            ),
            actor=actor,
        )
    conference = Event(
        kind="conference",
        title_zh="转化医学学术会议",
        title_en="Translational Medicine Academic Conference",
        description_zh="与成都医学城共同主办的学术会议，筹备中。",
        organizer=center,
        venue="待定",
        starts_at=_at(75, 9, 0),
        ends_at=_at(76, 17, 0),
        capacity=300,
        status="draft",
        is_demo=True,
    )
    records.save(
        actor=actor,
        instance=conference,
        fields=["title_zh", "starts_at"],
        m2m={"co_organizers": [medical_city]},
    )
    roadshow = Event(
        kind="roadshow",
        title_zh="医疗器械成果路演对接会",
        title_en="Medical Device Achievements Roadshow",
        organizer=center,
        venue="天府生命科技园路演厅",
        starts_at=_at(25, 14, 0),
        ends_at=_at(25, 17, 0),
        capacity=60,
        status="published",
        is_demo=True,
    )
    devices = Achievement.objects.filter(kind="device", disclosure="public", status="published")
    records.save(
        actor=actor,
        instance=roadshow,
        fields=["title_zh", "starts_at"],
        m2m={
            "co_organizers": [orgs["天府生命科技园"]],
            "achievements": list(devices.order_by("pk")[:3]),
        },
    )
    return forum
