"""What a held meeting leads to: proposals from the match engine before the session, and
after a meeting a matchmaking record (the pair "in discussion", so the engine learns from
it) or a transformation project in the pipeline."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.models import Achievement
from luodi.matchmaking.domain import set_match_status
from luodi.matchmaking.models import MatchRecord, MatchStatus, SourceKind, TargetKind
from luodi.partnering import domain
from luodi.partnering.choices import OCCUPYING, OPEN, MeetingState, Origin
from luodi.partnering.models import Meeting, Participant, PartneringSession
from luodi.partnering.suggest import suggestions
from luodi.pipeline.domain.projects import create_project

_TARGET: dict[str, str] = {
    OrganizationKind.INVESTOR: TargetKind.INVESTOR,
    OrganizationKind.PARK: TargetKind.PARK,
    OrganizationKind.HOSPITAL: TargetKind.CENTER,
}


def propose_from_engine(
    *,
    actor: User,
    session: PartneringSession,
    per_participant: int = 3,
    min_score: float = 0.05,
    is_demo: bool = False,
    ip: str | None = None,
) -> list[Meeting]:
    """For each participant, meetings with their best-ranked counterparts (at least
    `min_score`, none already planned), at their first common free slot. Ranked as the
    organiser sees the catalog; each meeting keeps its explanation."""
    made: list[Meeting] = []
    seats = list(session.participants.select_related("organization", "user"))
    for me in seats:
        have = Meeting.objects.filter(state__in=(*OPEN, *OCCUPYING)).filter(Q(a=me) | Q(b=me))
        room = per_participant - have.count()
        for s in suggestions(actor, me, limit=per_participant * 3):
            if room <= 0 or s.score < min_score:
                break
            if not domain.common_slots(me, s.participant):
                continue
            try:
                with transaction.atomic():
                    m = domain.propose(
                        actor=actor,
                        a=me,
                        b=s.participant,
                        origin=Origin.ENGINE,
                        score=s.score,
                        reasons=s.as_json(),
                        is_demo=is_demo,
                        ip=ip,
                    )
            except ValidationError:  # already planned the other way round
                continue
            made.append(m)
            room -= 1
    return made


def _pick(meeting: Meeting, achievement: Achievement | None) -> tuple[Achievement, Participant]:
    """The achievement the meeting was about and the side across from its owner."""
    sides = {meeting.a.organization_id: meeting.b, meeting.b.organization_id: meeting.a}
    if achievement is None or achievement.owner_id not in sides:
        raise ValidationError(
            {"achievement": [_("Choose an achievement of one of the two organizations.")]}
        )
    return achievement, sides[achievement.owner_id]


def _held(meeting: Meeting) -> None:
    if meeting.state != MeetingState.HELD:
        raise ValidationError({"state": [_("Record the meeting as held first.")]})


@transaction.atomic
def to_match_record(
    *, actor: User, meeting: Meeting, achievement: Achievement | None, ip: str | None = None
) -> MatchRecord:
    """The pair (achievement, the other organization) in matchmaking, moved to "in
    discussion": the meeting introduced them and they talked."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("a", "b").get(pk=meeting.pk)
    )
    _held(meeting)
    achievement, other = _pick(meeting, achievement)
    counterparty = other.organization
    key: dict[str, Any] = {
        "actor": actor,
        "source_kind": SourceKind.ACHIEVEMENT,
        "source_id": achievement.pk,
        "target_kind": _TARGET.get(counterparty.kind, TargetKind.COMPANY),
        "target_id": counterparty.pk,
        "achievement": achievement,
        "source_owner": achievement.owner,
        "counterparty": counterparty,
        "ip": ip,
        "alert": False,
    }
    current = (
        MatchRecord.objects.filter(
            source_kind=key["source_kind"],
            source_id=achievement.pk,
            target_kind=key["target_kind"],
            target_id=counterparty.pk,
        )
        .values_list("status", flat=True)
        .first()
    )
    note = _("Met at %(event)s") % {"event": meeting.session.event.title}
    if current in (None, MatchStatus.SUGGESTED, MatchStatus.SHORTLISTED):
        set_match_status(status=MatchStatus.INTRODUCED, note=note, **key)
    if current in (MatchStatus.IN_DISCUSSION, MatchStatus.CONVERTED):
        rec = MatchRecord.objects.get(
            source_kind=key["source_kind"],
            source_id=achievement.pk,
            target_kind=key["target_kind"],
            target_id=counterparty.pk,
        )
    else:
        rec = set_match_status(status=MatchStatus.IN_DISCUSSION, note=note, **key)
    meeting.match_record = rec
    meeting.save(update_fields=["match_record", "updated_at"])
    audit.record(
        actor=actor, verb="partnering.to_match", target=meeting, changes={"match": rec.pk}, ip=ip
    )
    return rec


_ROLE: dict[str, str] = {
    OrganizationKind.PARK: "target_park",
    OrganizationKind.COMPANY: "company",
    OrganizationKind.CRO: "company",
    OrganizationKind.INVESTOR: "investor",
}


@transaction.atomic
def to_project(
    *, actor: User, meeting: Meeting, achievement: Achievement | None, ip: str | None = None
) -> object:
    """A transformation project (pipeline, stage "lead") for the achievement, with the
    other organization in its role (company, investor or park)."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("a", "b").get(pk=meeting.pk)
    )
    _held(meeting)
    if meeting.project_id is not None:
        raise ValidationError({"__all__": [_("This meeting already led to a project.")]})
    achievement, other = _pick(meeting, achievement)
    role = _ROLE.get(other.organization.kind)
    project = create_project(
        actor=actor,
        achievement=achievement,
        clinical_centers=[other.organization]
        if other.organization.kind == OrganizationKind.HOSPITAL
        else [],
        fields={role: other.organization} if role else {},
        is_demo=meeting.is_demo,
        ip=ip,
    )
    meeting.project = project
    meeting.save(update_fields=["project", "updated_at"])
    audit.record(
        actor=actor,
        verb="partnering.to_project",
        target=meeting,
        changes={"project": project.pk},
        ip=ip,
    )
    return project
