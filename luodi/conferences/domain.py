"""Every write of the call for abstracts and the timetable: configuring a conference and its
rooms, a submission (with or without an account), reviewer assignments and reviews, the
decision, and placing an accepted abstract in the programme (an engagements agenda session,
through engagements' own `add_session`, so its room and speaker conflict checks apply)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import MembershipRole, User
from luodi.concurrency import claim
from luodi.conferences.choices import ACCEPTED, AbstractStatus, Decision
from luodi.conferences.models import Abstract, AbstractAuthor, AbstractReview, Conference, Room
from luodi.engagements.domain import events as event_domain
from luodi.engagements.models import Event, Session, Speaker
from luodi.notifications.domain import Message, notify
from luodi.notifications.models import EventKind

log = logging.getLogger(__name__)

MAX_AUTHORS = 8
_SALT = "luodi.conferences.abstract"


class CallClosed(Exception):
    pass


class AlreadyAssigned(Exception):
    pass


@dataclass(frozen=True)
class AuthorIn:
    name: str
    affiliation: str = ""
    presenting: bool = False


# -- the private link of a submission ----------------------------------------------------------


def follow_token(abstract: Abstract) -> str:
    return signing.dumps(abstract.pk, salt=_SALT)


def abstract_for_token(token: str) -> Abstract | None:
    try:
        pk = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    return Abstract.objects.filter(pk=pk).select_related("conference__event").first()


def follow_path(abstract: Abstract) -> str:
    return reverse("conferences:follow", args=[follow_token(abstract)])


# -- configuration ----------------------------------------------------------------------------


CONFERENCE_FIELDS = [
    "call_opens_at",
    "call_closes_at",
    "topics",
    "reviews_wanted",
    "blind_review",
    "day_starts",
    "day_ends",
    "slot_minutes",
]


def _check_conference(conf: Conference) -> None:
    errors: dict[str, list[str]] = {}
    if conf.call_closes_at <= conf.call_opens_at:
        errors["call_closes_at"] = [_("The call must close after it opens.")]
    if conf.day_ends <= conf.day_starts:
        errors["day_ends"] = [_("The programme day must end after it starts.")]
    if conf.slot_minutes < 5:
        errors["slot_minutes"] = [_("A slot lasts at least 5 minutes.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_conference(
    *,
    actor: User,
    event: Event,
    values: dict[str, object],
    expected_version: int | None = None,
    is_demo: bool = False,
    ip: str | None = None,
) -> Conference:
    """Create the event's conference settings or change them (Conflict when someone else
    saved since `expected_version`; ValidationError for inconsistent values)."""
    conf = Conference.objects.filter(event=event).first()
    is_new = conf is None
    if conf is None:
        conf = Conference(event=event, is_demo=is_demo)
    before = {name: audit.jsonable(getattr(conf, name, None)) for name in CONFERENCE_FIELDS}
    for name in CONFERENCE_FIELDS:
        if name in values:
            setattr(conf, name, values[name])
    _check_conference(conf)
    if is_new:
        conf.save()
    else:
        claim(conf, expected_version)
        conf.save(update_fields=CONFERENCE_FIELDS)
    audit.record(
        actor=actor,
        verb="conference.create" if is_new else "conference.update",
        target=event,
        changes={
            n: [before[n], audit.jsonable(getattr(conf, n))]
            for n in CONFERENCE_FIELDS
            if before[n] != audit.jsonable(getattr(conf, n))
        },
        ip=ip,
    )
    return conf


@transaction.atomic
def add_room(
    *,
    actor: User,
    conference: Conference,
    name: str,
    capacity: int | None = None,
    ip: str | None = None,
) -> Room:
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Name the room.")]})
    if conference.rooms.filter(name__iexact=name).exists():
        raise ValidationError({"name": [_("This conference already has a room of that name.")]})
    position = conference.rooms.count()
    room = Room.objects.create(
        conference=conference, name=name, capacity=capacity, position=position
    )
    audit.record(
        actor=actor,
        verb="conference.add_room",
        target=conference.event,
        changes={"room": name},
        ip=ip,
    )
    return room


# -- submission -------------------------------------------------------------------------------


def _check_authors(authors: Sequence[AuthorIn]) -> list[AuthorIn]:
    cleaned = [
        AuthorIn(a.name.strip(), a.affiliation.strip(), a.presenting)
        for a in authors
        if a.name.strip()
    ]
    if not cleaned:
        raise ValidationError({"authors": [_("Name at least one author.")]})
    if len(cleaned) > MAX_AUTHORS:
        raise ValidationError({"authors": [_("At most %(n)d authors.") % {"n": MAX_AUTHORS}]})
    if sum(a.presenting for a in cleaned) != 1:
        raise ValidationError({"authors": [_("Mark exactly one author as presenting.")]})
    names = [a.name.casefold() for a in cleaned]
    if len(set(names)) != len(names):
        raise ValidationError({"authors": [_("Each author once, please.")]})
    return cleaned


@transaction.atomic
def submit_abstract(
    *,
    conference: Conference,
    title: str,
    body: str,
    contact_email: str,
    authors: Sequence[AuthorIn],
    topic: str = "",
    preference: str = "either",
    submitter: User | None = None,
    now: datetime | None = None,
    is_demo: bool = False,
    ip: str | None = None,
) -> Abstract:
    """A submission, with or without an account. CallClosed outside the call's dates;
    ValidationError for an author list without exactly one presenting author or an unknown
    topic. The confirmation mail with the private link goes out after commit."""
    conference = Conference.objects.select_related("event").get(pk=conference.pk)
    if not conference.call_is_open(now or timezone.now()):
        raise CallClosed
    people = _check_authors(authors)
    topics = conference.topic_list
    if topics and topic not in topics:
        raise ValidationError({"topic": [_("Choose one of the conference's topics.")]})
    abstract = Abstract.objects.create(
        conference=conference,
        title=title.strip(),
        body=body.strip(),
        topic=topic,
        preference=preference,
        contact_email=contact_email.strip().lower(),
        submitted_by=submitter if submitter is not None and submitter.pk else None,
        is_demo=is_demo,
        created_at=now or timezone.now(),
    )
    AbstractAuthor.objects.bulk_create(
        AbstractAuthor(
            abstract=abstract,
            position=i,
            name=a.name,
            affiliation=a.affiliation,
            presenting=a.presenting,
        )
        for i, a in enumerate(people)
    )
    audit.record(
        actor=submitter,
        actor_label="" if submitter else "public abstract submission",
        verb="conference.submit_abstract",
        target=conference.event,
        changes={"abstract": abstract.pk, "title": abstract.title},
        ip=ip,
    )
    return abstract


def _organisers(event: Event) -> list[User]:
    people = list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id=event.organizer_id,
            memberships__role=MembershipRole.ADMIN,
        )
    )
    if event.created_by is not None and event.created_by not in people:
        people.append(event.created_by)
    return people


def send_submission_mail(abstract: Abstract, *, base_url: str) -> None:
    """The submitter's confirmation with the private link, and the organisers' notice (no
    contact details in it). Runs after the submission committed."""
    context = {
        "abstract": abstract,
        "event": abstract.conference.event,
        "link": base_url + follow_path(abstract),
    }
    text = render_to_string("conferences/email/submitted.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    send_mail(
        subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, [abstract.contact_email]
    )
    event = abstract.conference.event
    link = base_url + reverse("conferences:abstract", args=[abstract.pk])

    def compose(user: User | None, language: str) -> Message:
        return Message(
            subject=_("New abstract for %(event)s") % {"event": event.title},
            body=f"{abstract.title}\n{link}\n",
            link=link,
        )

    try:
        notify(
            kind=EventKind.EVENT_REGISTRATION,
            compose=compose,
            users=_organisers(event),
            organizations=[event.organizer],
            about=event,
            actor_label="public abstract submission",
        )
    except Exception:
        log.exception("Organiser notice for abstract %s could not be queued", abstract.pk)


# -- review -----------------------------------------------------------------------------------


@transaction.atomic
def assign_reviewer(
    *,
    actor: User,
    abstract: Abstract,
    reviewer: User,
    base_url: str = "",
    ip: str | None = None,
) -> AbstractReview:
    """Assign `reviewer` to the abstract (AlreadyAssigned the second time) and tell them."""
    if abstract.status != AbstractStatus.SUBMITTED:
        raise ValidationError({"reviewer": [_("This abstract has been decided already.")]})
    try:
        with transaction.atomic():
            review = AbstractReview.objects.create(abstract=abstract, reviewer=reviewer)
    except IntegrityError:
        raise AlreadyAssigned from None
    audit.record(
        actor=actor,
        verb="conference.assign_reviewer",
        target=abstract.conference.event,
        changes={"abstract": abstract.pk, "reviewer": reviewer.pk},
        ip=ip,
    )
    link = base_url + reverse("conferences:abstract", args=[abstract.pk])

    def compose(user: User | None, language: str) -> Message:
        return Message(
            subject=_("Please review an abstract: %(title)s") % {"title": abstract.title},
            body=f"{abstract.conference.event.title}\n{link}\n",
            link=link,
        )

    notify(kind=EventKind.REMINDER, compose=compose, users=[reviewer], about=abstract, actor=actor)
    return review


@transaction.atomic
def submit_review(
    *, actor: User, review: AbstractReview, score: int, comment: str, ip: str | None = None
) -> AbstractReview:
    review = (
        AbstractReview.objects.select_for_update(of=("self",))
        .select_related("abstract")
        .get(pk=review.pk)
    )
    if review.reviewer_id != actor.pk:
        raise ValidationError({"score": [_("This is not your review.")]})
    if review.abstract.status != AbstractStatus.SUBMITTED:
        raise ValidationError({"score": [_("This abstract has been decided already.")]})
    if not 1 <= score <= 5:
        raise ValidationError({"score": [_("Give a score from 1 to 5.")]})
    before = [review.score, review.comment]
    review.score, review.comment, review.reviewed_at = score, comment.strip(), timezone.now()
    review.save(update_fields=["score", "comment", "reviewed_at"])
    audit.record(
        actor=actor,
        verb="conference.review",
        target=review.abstract.conference.event,
        changes={"abstract": review.abstract_id, "review": [before, [score, review.comment]]},
        ip=ip,
    )
    return review


# -- decision and programme -------------------------------------------------------------------


def _locked(abstract: Abstract, expected_version: int | None) -> Abstract:
    locked = (
        Abstract.objects.select_for_update(of=("self",))
        .select_related("conference__event", "session")
        .get(pk=abstract.pk)
    )
    claim(locked, expected_version)
    return locked


@transaction.atomic
def decide(
    *,
    actor: User,
    abstract: Abstract,
    decision: str,
    expected_version: int | None = None,
    base_url: str = "",
    ip: str | None = None,
) -> Abstract:
    """Accept as oral or poster, or reject (Conflict when someone else changed the abstract
    since `expected_version`). Rejecting a placed abstract takes it out of the programme. The
    submitter is told by mail after commit."""
    if decision not in Decision.values:
        raise ValidationError({"decision": [_("Choose a decision.")]})
    abstract = _locked(abstract, expected_version)
    before = abstract.status
    abstract.status = decision
    abstract.decided_at = timezone.now()
    fields = ["status", "decided_at"]
    if decision not in ACCEPTED and abstract.session is not None:
        old = abstract.session
        abstract.session, abstract.room = None, None
        fields += ["session", "room"]
        abstract.save(update_fields=fields)
        old.delete()
    else:
        abstract.save(update_fields=fields)
    audit.record(
        actor=actor,
        verb="conference.decide",
        target=abstract.conference.event,
        changes={"abstract": abstract.pk, "status": [before, decision]},
        ip=ip,
    )
    if base_url and before != decision:
        transaction.on_commit(lambda: send_decision_mail(abstract, base_url=base_url))
    return abstract


def send_decision_mail(abstract: Abstract, *, base_url: str) -> None:
    context = {
        "abstract": abstract,
        "event": abstract.conference.event,
        "link": base_url + follow_path(abstract),
    }
    text = render_to_string("conferences/email/decided.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    send_mail(
        subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, [abstract.contact_email]
    )


def check_slot(conference: Conference, starts_at: datetime, ends_at: datetime) -> None:
    """ValidationError unless [starts_at, ends_at) lies on one of the event's days, within
    the programme day."""
    event = conference.event
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    first, last = (
        timezone.localtime(event.starts_at).date(),
        timezone.localtime(event.ends_at).date(),
    )
    if not (first <= start.date() <= last) or start.date() != end.date():
        raise ValidationError({"slot": [_("The slot is not on one of the conference's days.")]})
    if start.time() < conference.day_starts or end.time() > conference.day_ends:
        raise ValidationError({"slot": [_("The slot is outside the programme day.")]})


@transaction.atomic
def place(
    *,
    actor: User,
    abstract: Abstract,
    room: Room,
    starts_at: datetime,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Session:
    """Put an accepted abstract in the timetable at `room` from `starts_at` for one slot: an
    agenda session of the event, its presenting author the speaker. Moving a placed abstract
    replaces its session. Refused with engagements' AgendaConflict when the room or the
    presenter is already booked then (nothing changes), ValidationError when the abstract is
    not accepted or the slot lies outside the programme days."""
    abstract = _locked(abstract, expected_version)
    if abstract.status not in ACCEPTED:
        raise ValidationError({"slot": [_("Only an accepted abstract can be placed.")]})
    conf = abstract.conference
    if room.conference_id != conf.pk:
        raise ValidationError({"room": [_("Choose one of this conference's rooms.")]})
    ends_at = starts_at + timedelta(minutes=conf.slot_minutes)
    check_slot(conf, starts_at, ends_at)
    old = abstract.session
    if old is not None:
        abstract.session = None
        abstract.save(update_fields=["session"])
        old.delete()
    authors = list(abstract.authors.all())
    presenters = [a for a in authors if a.presenting]
    session = event_domain.add_session(
        actor=actor,
        event=conf.event,
        starts_at=starts_at,
        ends_at=ends_at,
        room=room.name,
        title_zh=abstract.title,
        title_en=abstract.title,
        speaker_names=[a.name for a in presenters],
        ip=ip,
    )
    for a in presenters:  # the speaker's profile: their affiliation, if none is known yet
        Speaker.objects.filter(event=conf.event, name=a.name, affiliation="").update(
            affiliation=a.affiliation
        )
    abstract.session, abstract.room = session, room
    abstract.save(update_fields=["session", "room"])
    audit.record(
        actor=actor,
        verb="conference.place",
        target=conf.event,
        changes={
            "abstract": abstract.pk,
            "room": room.name,
            "starts_at": audit.jsonable(starts_at),
        },
        ip=ip,
    )
    return session


@transaction.atomic
def unplace(
    *, actor: User, abstract: Abstract, expected_version: int | None = None, ip: str | None = None
) -> None:
    abstract = _locked(abstract, expected_version)
    old = abstract.session
    if old is None:
        return
    abstract.session, abstract.room = None, None
    abstract.save(update_fields=["session", "room"])
    old.delete()
    audit.record(
        actor=actor,
        verb="conference.unplace",
        target=abstract.conference.event,
        changes={"abstract": abstract.pk},
        ip=ip,
    )
