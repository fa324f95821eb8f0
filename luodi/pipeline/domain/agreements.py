"""Writes on agreements, their documents and obligations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.concurrency import claim
from luodi.pipeline.choices import ObligationStatus
from luodi.pipeline.domain.tasks import create_task
from luodi.pipeline.models import Agreement, AgreementDocument, Obligation, Project, Task
from luodi.pipeline.rules import agreement_assignees
from luodi.pipeline.uploads import check_upload

AGREEMENT_FIELDS = ["kind", "title", "status", "signed_on", "effective_from", "expires_on", "notes"]


def check_parties(project: Project | None, parties: list[Organization]) -> None:
    """An agreement between organizations (no project) names at least two of them."""
    if project is None and len({p.pk for p in parties}) < 2:
        raise ValidationError(
            {"parties": [_("An agreement between organizations needs at least two parties.")]}
        )


@transaction.atomic
def create_agreement(
    *,
    actor: User,
    project: Project | None,
    values: dict[str, Any],
    parties: Iterable[Organization] = (),
    related_projects: Iterable[Project] = (),
    is_demo: bool = False,
    ip: str | None = None,
) -> Agreement:
    """A project's agreement, or with `project=None` one between `parties`; raises
    ValidationError (nothing written) when it is incomplete."""
    parties = list(parties)
    check_parties(project, parties)
    agreement = Agreement(
        project=project,
        created_by=actor,
        is_demo=is_demo,
        **{k: v for k, v in values.items() if k in AGREEMENT_FIELDS},
    )
    agreement.full_clean(exclude=["project", "parties", "related_projects"])
    agreement.save()
    agreement.parties.set(parties)
    if project is None:
        agreement.related_projects.set(list(related_projects))
    audit.record(
        actor=actor,
        verb="agreement.create",
        target=agreement,
        changes={
            "project": project.pk if project else None,
            "kind": agreement.kind,
            "status": agreement.status,
            "parties": sorted(p.pk for p in parties),
        },
        ip=ip,
    )
    return agreement


@transaction.atomic
def update_agreement(
    *,
    actor: User,
    agreement: Agreement,
    values: dict[str, Any],
    parties: Iterable[Organization] | None = None,
    related_projects: Iterable[Project] | None = None,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Agreement:
    """Raises concurrency.Conflict when `expected_version` is not the agreement's version,
    ValidationError when an agreement between organizations would lose its second party."""
    names = [n for n in values if n in AGREEMENT_FIELDS]
    if parties is not None:
        parties = list(parties)
        check_parties(agreement.project, parties)
    claim(agreement, expected_version)
    before = audit.snapshot(agreement, names)
    for name in names:
        setattr(agreement, name, values[name])
    agreement.save(update_fields=[*names, "updated_at"])
    changes = audit.field_changes(before, agreement, names)
    if parties is not None:
        old = sorted(agreement.parties.values_list("pk", flat=True))
        agreement.parties.set(parties)
        new = sorted(p.pk for p in parties)
        if old != new:
            changes["parties"] = [old, new]
    if related_projects is not None and agreement.project_id is None:
        agreement.related_projects.set(list(related_projects))
    audit.record(
        actor=actor,
        verb="agreement.update",
        target=agreement,
        changes=changes,
        ip=ip,
    )
    return agreement


@transaction.atomic
def upload_document(
    *,
    actor: User,
    agreement: Agreement,
    upload: UploadedFile,
    doc_type: str,
    ip: str | None = None,
) -> AgreementDocument:
    """Store `upload` under MEDIA_ROOT after the type and size checks (ValidationError,
    nothing written, when they fail)."""
    content_type = check_upload(upload)
    doc = AgreementDocument(
        agreement=agreement,
        doc_type=doc_type,
        content_type=content_type,
        original_name=PurePath(upload.name or "document").name[:255],
        size=upload.size or 0,
        uploaded_by=actor,
    )
    doc.file.save(upload.name or "document", upload, save=False)
    try:
        doc.save()
        audit.record(
            actor=actor,
            verb="agreement.upload",
            target=agreement,
            changes={"document": doc.original_name, "size": doc.size},
            ip=ip,
        )
    except Exception:
        # The row is rolled back with the transaction; the file must not stay behind.
        doc.file.delete(save=False)
        raise
    return doc


def _task_title(obligation: Obligation) -> str:
    return _("%(kind)s: %(what)s") % {
        "kind": obligation.get_kind_display(),
        "what": obligation.description,
    }


@transaction.atomic
def add_obligation(
    *,
    actor: User,
    agreement: Agreement,
    kind: str,
    description: str,
    due_date: date | None = None,
    trigger: str = "",
    responsible: User | None = None,
    amount_wan: Decimal | None = None,
    ip: str | None = None,
) -> Obligation:
    """An obligation; with a responsible person it also creates their follow-up task (due on
    the due date, or undated until the trigger happens)."""
    if due_date is None and not trigger.strip():
        raise ValidationError({"due_date": [_("Give a due date or a trigger.")]})
    project = agreement.project
    if (
        responsible is not None
        and not agreement_assignees(agreement).filter(pk=responsible.pk).exists()
    ):
        raise ValidationError(
            {
                "responsible": [
                    _("The responsible person must be association staff or a member of a party.")
                ]
            }
        )
    obligation = Obligation.objects.create(
        agreement=agreement,
        kind=kind,
        description=description.strip(),
        due_date=due_date,
        trigger=trigger.strip(),
        responsible=responsible,
        amount_wan=amount_wan,
    )
    audit.record(
        actor=actor,
        verb="obligation.create",
        target=obligation,
        changes={
            "agreement": agreement.pk,
            "due_date": audit.jsonable(due_date),
            "trigger": obligation.trigger,
        },
        ip=ip,
    )
    if responsible is not None:
        create_task(
            actor=actor,
            project=project,
            title=_task_title(obligation)[:255],
            owner=responsible,
            due_date=due_date,
            obligation=obligation,
            ip=ip,
        )
    return obligation


@transaction.atomic
def set_obligation_status(
    *, actor: User, obligation: Obligation, status: str, ip: str | None = None
) -> Obligation:
    before = audit.snapshot(obligation, ["status"])
    obligation.status = status
    obligation.save(update_fields=["status"])
    if status != ObligationStatus.OPEN:
        # A fulfilled or waived obligation closes its follow-up task.
        from luodi.pipeline.domain.tasks import complete_task

        task = Task.objects.filter(obligation=obligation, status="open").first()
        if task is not None:
            complete_task(actor=actor, task=task, ip=ip)
    audit.record(
        actor=actor,
        verb="obligation.status",
        target=obligation,
        changes=audit.field_changes(before, obligation, ["status"]),
        ip=ip,
    )
    return obligation
