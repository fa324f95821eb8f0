"""The landing record: one per project, created or updated."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.pipeline.models import LandingRecord, Project

LANDING_FIELDS = [
    "entity_name",
    "registered_on",
    "credit_code",
    "park",
    "carrier",
    "area_m2",
    "investment_wan",
    "jobs_planned",
    "notes",
]


@transaction.atomic
def record_landing(
    *, actor: User, project: Project, values: dict[str, Any], ip: str | None = None
) -> LandingRecord:
    record = LandingRecord.objects.filter(project=project).first()
    is_new = record is None
    record = record or LandingRecord(project=project)
    names = [n for n in values if n in LANDING_FIELDS]
    before = audit.snapshot(record, names) if not is_new else {}
    for name in names:
        setattr(record, name, values[name])
    if record.credit_code:
        record.credit_code = record.credit_code.strip().upper()
    record.recorded_by = actor
    record.full_clean(exclude=["project"])
    record.save()
    audit.record(
        actor=actor,
        verb="landing.create" if is_new else "landing.update",
        target=project,
        changes=audit.field_changes(before, record, names),
        ip=ip,
    )
    return record
