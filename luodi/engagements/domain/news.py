"""News posts: a draft written from a visit or an event in the association's news style (who,
when, where, what was agreed, next steps), a Chinese and an English version each reviewed on
its own, and publication of the approved versions only.

Why per language: the drafts are assembled by the machine from records that hold internal
details, and the English one especially reads as a machine wrote it. A version goes public
only after a person approved it (issue #18); what the draft says of outcomes, follow-ups and
the visit summary is what the author ticked in, nothing else."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.engagements.models import (
    Event,
    FollowUp,
    LanguageState,
    NewsPost,
    Outcome,
    OutcomeKind,
    Participant,
    PostStatus,
    RegistrationStatus,
    Visit,
)

LANGUAGES = ("zh", "en")
# Chinese left in the English draft (names without an English name, outcomes recorded in
# Chinese) is marked so: the English version cannot be approved while a mark is left.
TO_TRANSLATE = "[to translate: "
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")


def mark_untranslated(text: str) -> str:
    return _CJK.sub(lambda m: f"{TO_TRANSLATE}{m.group(0)}]", text)


class PublishRefused(Exception):
    """Publishing is refused; the message says why, for the person publishing."""


@dataclass(frozen=True)
class Include:
    """What the author chose to put in a draft beyond who, when and where."""

    outcomes: Sequence[Outcome] = ()
    follow_ups: Sequence[FollowUp] = ()
    summary: bool = False


@dataclass
class Text:
    title_zh: str = ""
    title_en: str = ""
    zh: list[str] = field(default_factory=list)
    en: list[str] = field(default_factory=list)


def _zh_list(items: Sequence[str]) -> str:
    return "、".join(items)


def _en_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _zh(org: Organization) -> str:
    return org.name_zh or org.name_en


def _en(org: Organization) -> str:
    return org.name_en or org.name_zh


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def _clause(text: str) -> str:
    return text.strip().rstrip("。.;；，,")


def person(p: Participant, *, en: bool = False) -> str:
    """ "九联集团董事长张伟": organization, role and name, each said once (a name entered as
    "张董事长" with the role "董事长" stays "张董事长", not "董事长张董事长")."""
    org = (_en(p.organization) if en else _zh(p.organization)) if p.organization else ""
    role = p.role.strip()
    name = p.name.strip()
    if role and role.casefold() in name.casefold():
        role = ""
    if en:
        return name + (f", {role}" if role else "") + (f" of {org}" if org else "")
    return f"{org if org and org not in name else ''}{role}{name}"


def _stops(visit: Visit) -> tuple[list[str], list[str]]:
    """The stops' names in itinerary order, each once."""
    stops = list(visit.stops.select_related("organization").order_by("position", "id"))
    zh = _unique(_zh(s.organization) if s.organization else s.place for s in stops)
    en = _unique(_en(s.organization) if s.organization else s.place for s in stops)
    return zh, en


def _headline_places(zh: list[str], en: list[str]) -> tuple[str, str]:
    """Up to three stops by name, then "等N地"; the headline never names a place that is not
    on the itinerary."""
    if len(zh) <= 3:
        return _zh_list(zh), _en_list(en)
    return (
        f"{_zh_list(zh[:2])}等{len(zh)}地",
        f"{', '.join(en[:2])} and {len(en) - 2} more sites",
    )


def _agreed(text: Text, outcomes: Sequence[Outcome]) -> None:
    """What was agreed, one sentence per outcome, without repeating "达成" when the recorded
    text already says it ("与九联集团达成…")."""
    for o in outcomes:
        body = _clause(o.text)
        if not body:
            continue
        with_zh = _zh(o.counterpart) if o.counterpart else ""
        with_en = _en(o.counterpart) if o.counterpart else ""
        full_clause = any(w in body for w in ("达成", "签署", "签订", "同意", "意向", "将"))
        if o.kind == OutcomeKind.INTENTION and not full_clause:
            zh = f"双方就{body}达成合作意向" if not with_zh else f"与{with_zh}就{body}达成合作意向"
            text.zh.append(f"考察期间，{zh}。" if with_zh else f"{zh}。")
        elif body.startswith(("与", "同")):
            # "与九联集团达成…" names no one who agreed: say when, as the news would.
            text.zh.append(f"考察期间，{body}。")
        else:
            text.zh.append(f"{body}。")
        lead = "It was agreed" if not with_en else f"It was agreed with {with_en}"
        text.en.append(f"{lead}: {body}.")


def _next_steps(text: Text, follow_ups: Sequence[FollowUp]) -> None:
    steps = [_clause(f.title) for f in follow_ups if _clause(f.title)]
    if steps:
        text.zh.append("下一步，" + "；".join(steps) + "。")
        text.en.append("Next steps: " + "; ".join(steps) + ".")


def visit_text(visit: Visit, include: Include = Include()) -> Text:
    """The draft about `visit`: who went where and when, then only what `include` holds."""
    zh_stops, en_stops = _stops(visit)
    org_zh, org_en = _zh(visit.organizer), _en(visit.organizer)
    guests = [o for o in visit.organizations.all() if o.pk != visit.organizer_id]
    if visit.company and visit.company not in guests:
        guests.insert(0, visit.company)
    # The delegation is named by its leader, the first participant entered (protocol order),
    # not by a list of everyone who went.
    leader = visit.participants.select_related("organization").exclude(present=False).first()
    when_zh = f"{visit.date.year}年{visit.date.month}月{visit.date.day}日"
    when_en = visit.date.strftime("%-d %B %Y")
    guest_zh = _zh_list([_zh(g) for g in guests])
    guest_en = _en_list([_en(g) for g in guests])
    if leader is not None:
        who_zh, who_en = f"{person(leader)}一行", f"a delegation led by {person(leader, en=True)}"
    elif guests:
        who_zh, who_en = f"{guest_zh}代表团", f"a delegation of {guest_en}"
    else:
        who_zh, who_en = "代表团", "a delegation"
    place_zh, place_en = _headline_places(zh_stops, en_stops)
    head_zh = guest_zh or "代表团"
    text = Text(
        title_zh=f"{org_zh}陪同{head_zh}赴{place_zh}考察" if place_zh else f"{head_zh}考察调研",
        title_en=(
            f"{guest_en or 'Delegation'} visits {place_en} with {org_en}"
            if place_en
            else f"{guest_en or 'Delegation'} on an inspection visit with {org_en}"
        ),
    )
    where_zh = f"赴{_zh_list(zh_stops)}考察调研" if zh_stops else "考察调研"
    where_en = f" to {_en_list(en_stops)}" if en_stops else ""
    text.zh.append(f"{when_zh}，{who_zh}在{org_zh}陪同下{where_zh}。")
    text.en.append(
        f"On {when_en}, {who_en} made an inspection visit{where_en}, accompanied by {org_en}."
    )
    if include.summary and visit.summary.strip():
        text.zh.append(visit.summary.strip())
        text.en.append(visit.summary.strip())
    _agreed(text, include.outcomes)
    _next_steps(text, include.follow_ups)
    return text


def event_text(event: Event, include: Include = Include()) -> Text:
    co_zh = [_zh(o) for o in event.co_organizers.all()]
    co_en = [_en(o) for o in event.co_organizers.all()]
    org_zh, org_en = _zh(event.organizer), _en(event.organizer)
    local = timezone.localtime(event.starts_at)
    attended = (
        event.registrations.filter(checked_in_at__isnull=False).count()
        or event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    )
    title_zh = event.title_zh or event.title_en
    title_en = event.title_en or event.title_zh
    text = Text(title_zh=f"“{title_zh}”在{event.venue}举行", title_en=title_en)
    text.zh.append(
        f"{local.year}年{local.month}月{local.day}日，由{org_zh}主办"
        + (f"、{_zh_list(co_zh)}协办" if co_zh else "")
        + f"的“{title_zh}”在{event.venue}举行"
        + (f"，共有{attended}位嘉宾参会。" if attended else "。")
    )
    text.en.append(
        f"On {local.strftime('%-d %B %Y')}, {title_en}, organized by {org_en}"
        + (f" with {_en_list(co_en)}" if co_en else "")
        + f", took place at {event.venue}"
        + (f", with {attended} guests attending." if attended else ".")
    )
    if event.description_zh or event.description_en:
        text.zh.append(event.description_zh or event.description_en)
        text.en.append(event.description_en or event.description_zh)
    if include.summary and event.outcome_notes.strip():
        text.zh.append(event.outcome_notes.strip())
        text.en.append(event.outcome_notes.strip())
    _agreed(text, include.outcomes)
    _next_steps(text, include.follow_ups)
    return text


def default_outcomes(outcomes: Iterable[Outcome]) -> list[Outcome]:
    """Ticked in advance: cooperation intentions, the news of a visit. Commitments, decisions
    and follow-ups are often internal ("园区两周内提供…"): the author ticks them in."""
    return [o for o in outcomes if o.kind == OutcomeKind.INTENTION]


@transaction.atomic
def draft_from(
    *,
    actor: User,
    visit: Visit | None = None,
    event: Event | None = None,
    include: Include | None = None,
    ip: str | None = None,
) -> NewsPost:
    """A new post, both versions in draft: nothing of it is public until a person approves a
    version and publishes."""
    source = visit or event
    if source is None:
        raise ValueError("a news draft needs a visit or an event")
    if include is None:
        include = Include(outcomes=default_outcomes(source.outcomes.select_related("counterpart")))
    text = visit_text(visit, include) if visit is not None else event_text(source, include)  # type: ignore[arg-type]
    post = NewsPost.objects.create(
        title_zh=text.title_zh,
        title_en=mark_untranslated(text.title_en),
        body_zh="\n\n".join(text.zh),
        body_en=mark_untranslated("\n\n".join(text.en)),
        visit=visit,
        event=event,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        verb="newspost.draft",
        target=post,
        changes={
            "from": f"visit {visit.pk}" if visit else f"event {event and event.pk}",
            "outcomes": [o.pk for o in include.outcomes],
            "follow_ups": [f.pk for f in include.follow_ups],
            "summary": include.summary,
        },
        ip=ip,
    )
    return post


def _sync_status(post: NewsPost) -> None:
    public = any(post.state(lang) == LanguageState.PUBLISHED for lang in LANGUAGES)
    post.status = PostStatus.PUBLISHED if public else PostStatus.DRAFT
    if public:
        post.published_at = post.published_at or timezone.now()


_REVIEW_FIELDS = [
    "zh_state",
    "en_state",
    "zh_approved_by",
    "en_approved_by",
    "zh_approved_at",
    "en_approved_at",
    "status",
    "published_at",
    "updated_at",
]


@transaction.atomic
def review(
    *,
    actor: User,
    post: NewsPost,
    approve: dict[str, bool],
    changed: set[str],
    ip: str | None = None,
) -> None:
    """Record what the person who saved the form approves. A ticked version is approved by
    them (again, when its text changed: they saw the new text); an unticked one goes back to
    draft, and off the public page if it was there. `changed`: languages whose text changed."""
    now = timezone.now()
    before = {lang: post.state(lang) for lang in LANGUAGES}
    for lang in LANGUAGES:
        state = post.state(lang)
        if approve.get(lang):
            if state == LanguageState.DRAFT or lang in changed:
                setattr(post, f"{lang}_approved_by", actor)
                setattr(post, f"{lang}_approved_at", now)
            if state == LanguageState.DRAFT:
                setattr(post, f"{lang}_state", LanguageState.APPROVED)
        elif state != LanguageState.DRAFT:
            setattr(post, f"{lang}_state", LanguageState.DRAFT)
            setattr(post, f"{lang}_approved_by", None)
            setattr(post, f"{lang}_approved_at", None)
    _sync_status(post)
    post.save(update_fields=_REVIEW_FIELDS)
    after = {lang: post.state(lang) for lang in LANGUAGES}
    if after != before or changed:
        audit.record(
            actor=actor,
            verb="newspost.review",
            target=post,
            changes={"states": [before, after], "text_changed": sorted(changed)},
            ip=ip,
        )


def too_early(post: NewsPost) -> str | None:
    """Why the post's visit does not allow publishing yet, or None."""
    visit = post.visit
    if visit is not None and visit.date > timezone.localdate():
        return _(
            "The visit is dated %(date)s, in the future: its news can be published once "
            "it has taken place."
        ) % {"date": visit.date.isoformat()}
    return None


def publish_problem(post: NewsPost) -> str | None:
    """Why `post` may not be published now, or None."""
    early = too_early(post)
    if early:
        return early
    if not any(post.state(lang) != LanguageState.DRAFT for lang in LANGUAGES):
        return _(
            "No version is approved yet. Read the Chinese or the English version and tick "
            "the approval box under it, then publish: only approved versions are published."
        )
    return None


@transaction.atomic
def publish(*, actor: User, post: NewsPost, ip: str | None = None) -> list[str]:
    """Publish the approved versions (drafts stay unpublished); returns the languages now
    public. PublishRefused when none is approved or the visit has not happened yet."""
    problem = publish_problem(post)
    if problem:
        raise PublishRefused(problem)
    for lang in LANGUAGES:
        if post.state(lang) == LanguageState.APPROVED:
            setattr(post, f"{lang}_state", LanguageState.PUBLISHED)
    _sync_status(post)
    post.save(update_fields=_REVIEW_FIELDS)
    public = [lang for lang in LANGUAGES if post.state(lang) == LanguageState.PUBLISHED]
    audit.record(
        actor=actor, verb="newspost.publish", target=post, changes={"languages": public}, ip=ip
    )
    return public


@transaction.atomic
def unpublish(*, actor: User, post: NewsPost, ip: str | None = None) -> None:
    """Withdraw every version from the public page; they stay approved for a later publish."""
    for lang in LANGUAGES:
        if post.state(lang) == LanguageState.PUBLISHED:
            setattr(post, f"{lang}_state", LanguageState.APPROVED)
    _sync_status(post)
    post.save(update_fields=_REVIEW_FIELDS)
    audit.record(actor=actor, verb="newspost.unpublish", target=post, ip=ip)


TEXT_FIELDS = ["title_zh", "body_zh", "title_en", "body_en"]


@transaction.atomic
def save_post(
    *,
    actor: User,
    post: NewsPost,
    before: dict[str, str],
    approve: dict[str, bool],
    publish_now: bool = False,
    expected_version: int | None = None,
    ip: str | None = None,
) -> list[str] | None:
    """Save an edited post (carrying its new text; `before`: the text it had), record what
    `actor` approves, and publish when asked; all or nothing. Raises concurrency.Conflict
    when someone saved since `expected_version`, PublishRefused when publishing is refused.
    Returns the languages public after publishing, None when not publishing."""
    from luodi.engagements.domain import records

    changed = {
        lang
        for lang in LANGUAGES
        if any(before[f"{f}_{lang}"] != getattr(post, f"{f}_{lang}") for f in ("title", "body"))
    }
    records.save(
        actor=actor,
        instance=post,
        fields=TEXT_FIELDS,
        before=before,
        expected_version=expected_version,
        ip=ip,
    )
    review(actor=actor, post=post, approve=approve, changed=changed, ip=ip)
    return publish(actor=actor, post=post, ip=ip) if publish_now else None


@dataclass(frozen=True)
class Shown:
    """The version of a post a reader gets: their language when it is published, otherwise
    the published one, with `fallback` set so the page can say so."""

    lang: str
    title: str
    body: str
    fallback: bool


def shown(post: NewsPost, lang: str, *, preview: bool = False) -> Shown | None:
    """What the public page shows of `post` to a reader of `lang` (zh or en); None when no
    version is published. `preview` (staff) shows the reader's language whatever its state."""
    order = [lang, *(x for x in LANGUAGES if x != lang)]
    for candidate in order:
        if preview or post.is_public(candidate):
            title = getattr(post, f"title_{candidate}")
            body = getattr(post, f"body_{candidate}")
            if title or body or not preview:
                return Shown(candidate, title, body, candidate != lang)
    return None
