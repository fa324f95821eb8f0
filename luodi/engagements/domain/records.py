"""Generic saves and what follows a visit, meeting or event: participants, outcomes,
follow-ups."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.concurrency import save_recorded
from luodi.engagements.models import (
    Event,
    FollowUp,
    Meeting,
    Outcome,
    Participant,
    Visit,
    VisitStop,
)
from luodi.pipeline.domain import tasks as pipeline_tasks
from luodi.pipeline.models import Project

Record = Visit | Meeting | Event


def record_links(record: Record) -> dict[str, Any]:
    """The keyword naming `record` on an outcome, follow-up or participant."""
    return {record._meta.model_name or "": record}


@transaction.atomic
def save(
    *,
    actor: User,
    instance: models.Model,
    fields: Sequence[str],
    m2m: dict[str, Iterable[Any]] | None = None,
    before: dict[str, Any] | None = None,
    expected_version: int | None = None,
    ip: str | None = None,
) -> models.Model:
    """Create or update a visit, meeting, event or news post (already carrying its values).
    Raises concurrency.Conflict when `expected_version` (the version the editor loaded) is not
    the record's version any more; nothing is saved then."""
    is_new = instance.pk is None
    if is_new and hasattr(instance, "created_by_id"):
        instance.created_by = actor  # type: ignore[attr-defined]
    save_recorded(
        actor=actor,
        instance=instance,
        fields=fields,
        m2m=m2m,
        before=before,
        expected_version=expected_version,
        ip=ip,
    )
    return instance


@transaction.atomic
def add_participant(
    *,
    actor: User,
    record: Visit | Meeting,
    name: str,
    organization: Organization | None = None,
    role: str = "",
    ip: str | None = None,
) -> Participant:
    person = Participant.objects.create(
        name=name, organization=organization, role=role, **record_links(record)
    )
    audit.record(
        actor=actor,
        verb=audit.model_verb(record, "add_participant"),
        target=record,
        changes={"participant": name},
        ip=ip,
    )
    return person


@transaction.atomic
def remove_participant(*, actor: User, participant: Participant, ip: str | None = None) -> None:
    record = participant.visit or participant.meeting
    assert record is not None  # a participant belongs to exactly one (model constraint)
    name = participant.name
    participant.delete()
    audit.record(
        actor=actor,
        verb=audit.model_verb(record, "remove_participant"),
        target=record,
        changes={"participant": name},
        ip=ip,
    )


@transaction.atomic
def set_presence(
    *, actor: User, record: Visit | Meeting, present_ids: Iterable[int], ip: str | None = None
) -> None:
    """Who was actually there: the listed participants present, the others absent."""
    present = set(present_ids)
    people = list(record.participants.all())
    for p in people:
        p.present = p.pk in present
    Participant.objects.bulk_update(people, ["present"])
    audit.record(
        actor=actor,
        verb=audit.model_verb(record, "record_presence"),
        target=record,
        changes={"present": sorted(p.name for p in people if p.present)},
        ip=ip,
    )


@transaction.atomic
def add_outcome(
    *,
    actor: User,
    record: Record,
    kind: str,
    text: str,
    counterpart: Organization | None = None,
    stop: VisitStop | None = None,
    ip: str | None = None,
) -> Outcome:
    outcome = Outcome.objects.create(
        kind=kind, text=text, counterpart=counterpart, stop=stop, **record_links(record)
    )
    audit.record(
        actor=actor,
        verb=audit.model_verb(record, "add_outcome"),
        target=record,
        changes={"kind": kind, "text": text},
        ip=ip,
    )
    return outcome


@transaction.atomic
def add_follow_up(
    *,
    actor: User,
    record: Record,
    title: str,
    owner: User | None = None,
    owner_name: str = "",
    due_date: date | None = None,
    project: Project | None = None,
    stop: VisitStop | None = None,
    ip: str | None = None,
) -> FollowUp:
    """A follow-up with its owner. A user owner gets a pipeline task (the pipeline's own
    domain function, which refuses owners who may not see `project`: ValidationError); an
    owner outside the platform is recorded by name only."""
    task = None
    if owner is not None:
        task = pipeline_tasks.create_task(
            actor=actor, title=title, owner=owner, project=project, due_date=due_date, ip=ip
        )
    follow_up = FollowUp.objects.create(
        title=title,
        owner=owner,
        owner_name=owner_name,
        due_date=due_date,
        stop=stop,
        task=task,
        **record_links(record),
    )
    audit.record(
        actor=actor,
        verb=audit.model_verb(record, "add_follow_up"),
        target=record,
        changes={
            "task": title,
            "owner": follow_up.owner_label,
            "due": audit.jsonable(due_date),
            "pipeline_task": task.pk if task else None,
        },
        ip=ip,
    )
    return follow_up


@transaction.atomic
def toggle_follow_up(*, actor: User, follow_up: FollowUp, ip: str | None = None) -> FollowUp:
    """Mark done, or reopen; the pipeline task follows (through the pipeline's domain)."""
    done = follow_up.done_at is None
    follow_up.done_at = timezone.now() if done else None
    follow_up.save(update_fields=["done_at"])
    if follow_up.task is not None:
        change = pipeline_tasks.complete_task if done else pipeline_tasks.reopen_task
        change(actor=actor, task=follow_up.task, ip=ip)
    audit.record(
        actor=actor, verb="followup.done" if done else "followup.reopen", target=follow_up, ip=ip
    )
    return follow_up
