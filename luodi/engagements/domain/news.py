"""News posts: a bilingual draft written from a visit or an event (who, where, what was
agreed), edited by staff, then published on the public news page."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.engagements.models import (
    Event,
    NewsPost,
    OutcomeKind,
    PostStatus,
    RegistrationStatus,
    Visit,
)


def _zh_list(items: list[str]) -> str:
    return "、".join(items)


def _en_list(items: list[str]) -> str:
    return (
        items[0]
        if len(items) == 1
        else ", ".join(items[:-1]) + " and " + items[-1]
        if items
        else ""
    )


def _names(orgs: list[Organization]) -> tuple[list[str], list[str]]:
    return ([o.name_zh or o.name_en for o in orgs], [o.name_en or o.name_zh for o in orgs])


def visit_text(visit: Visit) -> tuple[str, str, str, str]:
    """(title_zh, title_en, body_zh, body_en) of a news draft about `visit`."""
    stops = [s for s in visit.stops.select_related("organization").order_by("position", "id")]
    stop_orgs = [s.organization for s in stops if s.organization is not None]
    zh_stops, en_stops = _names(stop_orgs)
    zh_stops += [s.place for s in stops if s.organization is None and s.place]
    en_stops += [s.place for s in stops if s.organization is None and s.place]
    guests = [o for o in visit.organizations.all() if o.pk != visit.organizer_id]
    if visit.company and visit.company not in guests:
        guests.insert(0, visit.company)
    zh_guests, en_guests = _names(guests)
    org_zh, org_en = (
        visit.organizer.name_zh or visit.organizer.name_en,
        visit.organizer.name_en or visit.organizer.name_zh,
    )
    outcomes = list(visit.outcomes.select_related("counterpart"))
    intentions = [o.text for o in outcomes if o.kind == OutcomeKind.INTENTION]
    others = [o.text for o in outcomes if o.kind != OutcomeKind.INTENTION]
    counterparts = list(
        {o.counterpart.pk: o.counterpart for o in outcomes if o.counterpart}.values()
    )
    cp_zh, cp_en = _names(counterparts)
    present = [p for p in visit.participants.all() if p.present is not False]
    when_zh = f"{visit.date.year}年{visit.date.month}月{visit.date.day}日"
    when_en = visit.date.strftime("%-d %B %Y")

    # The headline names the visiting company (or says "a delegation") and two stops.
    head_zh = (visit.company.name_zh or visit.company.name_en) if visit.company else "代表团"
    head_en = (visit.company.name_en or visit.company.name_zh) if visit.company else "a delegation"
    more = len(zh_stops) > 2
    title_zh = f"{org_zh}陪同{head_zh}赴{_zh_list(zh_stops[:2])}{'等地' if more else ''}考察"
    title_en = (
        f"{org_en} accompanies {head_en} on an inspection of "
        f"{_en_list(en_stops[:2])}{' and other parks' if more else ''}"
    )
    zh = [
        f"{when_zh}，{org_zh}陪同{_zh_list(zh_guests) or '代表团'}一行赴"
        f"{_zh_list(zh_stops)}考察调研。"
    ]
    en = [
        f"On {when_en}, {org_en} accompanied {_en_list(en_guests) or 'a delegation'} "
        f"on an inspection visit to {_en_list(en_stops)}."
    ]
    if present:
        zh.append("参加考察的有" + _zh_list([f"{p.role}{p.name}" for p in present]) + "。")
        en.append(
            "Taking part: "
            + ", ".join(f"{p.name}{', ' + p.role if p.role else ''}" for p in present)
            + "."
        )
    if cp_zh:
        zh.append(f"代表团与{_zh_list(cp_zh)}进行了座谈交流。")
        en.append(f"The delegation held talks with {_en_list(cp_en)}.")
    if intentions:
        zh.append("双方达成合作意向：" + "；".join(intentions) + "。")
        en.append("Cooperation intentions reached: " + "; ".join(intentions) + ".")
    if others:
        zh.append("此外，" + "；".join(others) + "。")
        en.append("Further: " + "; ".join(others) + ".")
    if visit.summary:
        zh.append(visit.summary)
        en.append(visit.summary)
    return title_zh, title_en, "\n\n".join(zh), "\n\n".join(en)


def event_text(event: Event) -> tuple[str, str, str, str]:
    co_zh, co_en = _names(list(event.co_organizers.all()))
    org_zh = event.organizer.name_zh or event.organizer.name_en
    org_en = event.organizer.name_en or event.organizer.name_zh
    local = timezone.localtime(event.starts_at)
    attended = (
        event.registrations.filter(checked_in_at__isnull=False).count()
        or event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    )
    title_zh = event.title_zh or event.title_en
    title_en = event.title_en or event.title_zh
    zh = [
        f"{local.year}年{local.month}月{local.day}日，由{org_zh}主办"
        + (f"、{_zh_list(co_zh)}协办" if co_zh else "")
        + f"的“{title_zh}”在{event.venue}举行。"
    ]
    en = [
        f"On {local.strftime('%-d %B %Y')}, “{title_en}”, organized by {org_en}"
        + (f" with {_en_list(co_en)}" if co_en else "")
        + f", took place at {event.venue}."
    ]
    if attended:
        zh.append(f"共有{attended}位嘉宾参会。")
        en.append(f"{attended} guests attended.")
    if event.description_zh or event.description_en:
        zh.append(event.description_zh or event.description_en)
        en.append(event.description_en or event.description_zh)
    if event.outcome_notes:
        zh.append("会议成果：" + event.outcome_notes)
        en.append("Outcomes: " + event.outcome_notes)
    return title_zh, title_en, "\n\n".join(zh), "\n\n".join(en)


@transaction.atomic
def draft_from(
    *, actor: User, visit: Visit | None = None, event: Event | None = None, ip: str | None = None
) -> NewsPost:
    if visit is not None:
        title_zh, title_en, body_zh, body_en = visit_text(visit)
    elif event is not None:
        title_zh, title_en, body_zh, body_en = event_text(event)
    else:
        raise ValueError("a news draft needs a visit or an event")
    post = NewsPost.objects.create(
        title_zh=title_zh,
        title_en=title_en,
        body_zh=body_zh,
        body_en=body_en,
        visit=visit,
        event=event,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        verb="newspost.draft",
        target=post,
        changes={"from": f"visit {visit.pk}" if visit else f"event {event and event.pk}"},
        ip=ip,
    )
    return post


@transaction.atomic
def publish(*, actor: User, post: NewsPost, ip: str | None = None) -> None:
    post.status = PostStatus.PUBLISHED
    post.published_at = post.published_at or timezone.now()
    post.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(actor=actor, verb="newspost.publish", target=post, ip=ip)


@transaction.atomic
def unpublish(*, actor: User, post: NewsPost, ip: str | None = None) -> None:
    post.status = PostStatus.DRAFT
    post.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, verb="newspost.unpublish", target=post, ip=ip)
