"""Writes of proposals: submit (with or without an account), withdraw, score, move between
stages, award. One transaction and one audit entry each; the acting user is passed in
(None: the applicant without an account, named in the audit entry by their email).

Stages: screen (on submission) → assess → finalist → awarded; declined from any of the
first three (and back to screening); withdrawn by the applicant before an award. Every move
appends a StageMove (from, to, who, when) and claims the proposal's version, so two
reviewers moving the same proposal at once cannot both win.

An award (of a finalist) opens a transformation project in pipeline (stage "lead") through
`pipeline.domain.projects.create_project` — its subject the linked achievement, else the
challenge's clinical need; its owner the proposing organization; the poster as company,
target park, investor or clinical center by its kind — and a draft technology-development
agreement between both through `pipeline.domain.agreements.create_agreement`. The first
award marks the challenge awarded; further finalists may still be awarded after it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.models import Achievement, Organization
from luodi.challenges import mail
from luodi.challenges.choices import (
    SCORED,
    STAGE_TRANSITIONS,
    WITHDRAWABLE,
    ChallengeStatus,
    Readiness,
    Stage,
    Visibility,
)
from luodi.challenges.domain import MAX_FEN
from luodi.challenges.models import Attachment, Challenge, Proposal, Score, StageMove
from luodi.challenges.rules import project_staff
from luodi.concurrency import claim
from luodi.pipeline.choices import AgreementKind, AgreementStatus
from luodi.pipeline.domain.agreements import create_agreement
from luodi.pipeline.domain.projects import create_project
from luodi.pipeline.uploads import check_upload

FIELDS = (
    "applicant_name",
    "applicant_email",
    "applicant_organization",
    "title",
    "summary",
    "approach",
    "readiness",
    "plan",
    "team",
    "budget_ask_fen",
)
REQUIRED = {
    "applicant_name": gettext_lazy("Enter your name."),
    "applicant_email": gettext_lazy("Enter your email address."),
    "applicant_organization": gettext_lazy("Enter your organization."),
    "title": gettext_lazy("Give the proposal a title."),
    "summary": gettext_lazy("Summarise the proposal."),
    "approach": gettext_lazy("Describe the hypothesis and the approach."),
    "plan": gettext_lazy("Give the plan and its milestones."),
}
MAX_ATTACHMENTS = 5
MAX_LINKED = 20
# The project role the poster takes, by its kind (a hospital is a clinical center).
POSTER_ROLE = {
    OrganizationKind.PARK: "target_park",
    OrganizationKind.COMPANY: "company",
    OrganizationKind.CRO: "company",
    OrganizationKind.INVESTOR: "investor",
}


def check(values: Mapping[str, Any]) -> None:
    """Raise ValidationError (by field) when the values cannot describe a proposal."""
    errors: dict[str, list[str]] = {}
    for name, message in REQUIRED.items():
        if not str(values.get(name) or "").strip():
            errors[name] = [str(message)]
    email = values.get("applicant_email") or ""
    if email and "applicant_email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["applicant_email"] = [_("Enter a valid email address.")]
    if values.get("readiness") not in Readiness.values:
        errors["readiness"] = [_("Choose the technology readiness level.")]
    ask = values.get("budget_ask_fen")
    if ask is not None and not 0 < ask <= MAX_FEN:
        errors["budget_ask_fen"] = [_("Enter an amount more than zero (at most ten billion yuan).")]
    if errors:
        raise ValidationError(errors)


def _refuse_closed(challenge: Challenge, today: date) -> None:
    if challenge.status != ChallengeStatus.OPEN:
        raise ValidationError(_("This challenge does not take proposals now."))
    if today > challenge.deadline:
        raise ValidationError(
            {
                "__all__": [
                    _("The deadline for proposals has passed (%(day)s).")
                    % {"day": challenge.deadline.isoformat()}
                ]
            }
        )


@transaction.atomic
def submit(
    *,
    challenge: Challenge,
    values: Mapping[str, Any],
    actor: User | None,
    organization: Organization | None = None,
    achievements: Iterable[Achievement] = (),
    uploads: Sequence[UploadedFile] = (),
    private_link: Any = None,
    review_link: str = "",
    today: date | None = None,
    at: datetime | None = None,
    is_demo: bool = False,
    alert: bool = True,
    ip: str | None = None,
) -> Proposal:
    """Submit a proposal. `actor` None: an applicant without an account (public challenges
    only). A signed-in applicant submits for `organization`, which the caller checked is
    theirs; an invited challenge takes proposals only from invited organizations.
    `private_link(proposal) -> str` builds the link of the confirmation email; `alert=False`
    (the demo) tells the managers nothing."""
    today = today or timezone.localdate()
    _refuse_closed(challenge, today)
    numbers = ("readiness", "budget_ask_fen")
    data = {n: values.get(n) if n in numbers else (values.get(n) or "") for n in FIELDS}
    if actor is not None:
        data["applicant_name"] = (
            data["applicant_name"] or actor.display_name or actor.get_username()
        )
        data["applicant_email"] = data["applicant_email"] or actor.email
        if organization is not None:
            data["applicant_organization"] = organization.display_name
    check(data)
    if actor is None and challenge.visibility != Visibility.PUBLIC:
        raise ValidationError(_("Only invited organizations may answer this challenge."))
    if organization is not None:
        if organization.pk == challenge.poster_id:
            raise ValidationError(
                {"organization": [_("The posting organization cannot answer its own challenge.")]}
            )
        invited = challenge.invitations.filter(organization=organization).exists()
        if challenge.visibility == Visibility.INVITED and not invited:
            raise ValidationError(
                {"organization": [_("This organization is not invited to the challenge.")]}
            )
    elif challenge.visibility == Visibility.INVITED:
        raise ValidationError(
            {"organization": [_("This organization is not invited to the challenge.")]}
        )
    linked = list(achievements)
    if len(linked) > MAX_LINKED:
        raise ValidationError(
            {"achievements": [_("Link at most %(n)d achievements.") % {"n": MAX_LINKED}]}
        )
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": [_("Attach at most %(n)d files.") % {"n": MAX_ATTACHMENTS}]}
        )
    types = []
    for upload in uploads:
        try:
            types.append(check_upload(upload))
        except ValidationError as exc:
            raise ValidationError({"attachments": exc.messages}) from exc
    now = at or timezone.now()
    proposal = Proposal.objects.create(
        challenge=challenge,
        organization=organization,
        submitted_by=actor,
        stage=Stage.SCREEN,
        stage_entered_at=now,
        created_at=now,
        language=get_language() or "",
        is_demo=is_demo,
        **{k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()},
    )
    proposal.achievements.set(linked)
    StageMove.objects.create(
        proposal=proposal,
        from_stage="",
        to_stage=Stage.SCREEN,
        actor=actor,
        actor_label=actor.get_username() if actor else proposal.applicant_email,
        note=_("Proposal submitted."),
        created_at=now,
    )
    stored: list[Attachment] = []
    try:
        for upload, content_type in zip(uploads, types, strict=True):
            doc = Attachment(
                proposal=proposal,
                content_type=content_type,
                original_name=PurePath(upload.name or "attachment").name[:255],
                size=upload.size or 0,
            )
            doc.file.save(upload.name or "attachment", upload, save=False)
            stored.append(doc)
            doc.save()
        audit.record(
            actor=actor,
            actor_label="" if actor else proposal.applicant_email,
            verb="proposal.submit",
            target=proposal,
            changes={
                "challenge": challenge.pk,
                "organization": organization.pk if organization else None,
                "attachments": [d.original_name for d in stored],
            },
            ip=ip,
        )
    except Exception:
        # The rows roll back with the transaction; the files must not stay behind.
        for doc in stored:
            doc.file.delete(save=False)
        raise
    link = private_link(proposal) if private_link else ""
    if link:
        transaction.on_commit(
            lambda: mail.send_confirmation(proposal_id=proposal.pk, private_link=link)
        )
    if alert:
        transaction.on_commit(
            lambda: mail.send_new_proposal(proposal_id=proposal.pk, link=review_link)
        )
    return proposal


def _move(
    *,
    actor: User | None,
    proposal: Proposal,
    to: str,
    note: str,
    expected_version: int | None,
    ip: str | None,
    label: str = "",
    extra: Sequence[str] = (),
) -> Proposal:
    before = proposal.stage
    claim(proposal, expected_version)
    now = timezone.now()
    proposal.stage, proposal.stage_entered_at = to, now
    proposal.save(update_fields=["stage", "stage_entered_at", "updated_at", *extra])
    StageMove.objects.create(
        proposal=proposal,
        from_stage=before,
        to_stage=to,
        actor=actor,
        actor_label=(actor.get_username() if actor else label)[:150],
        note=note[:500],
        created_at=now,
    )
    audit.record(
        actor=actor,
        actor_label=label,
        verb=f"proposal.{to}",
        target=proposal,
        changes={"stage": [before, to], "note": note},
        ip=ip,
    )
    return proposal


@transaction.atomic
def move(
    *,
    actor: User,
    proposal: Proposal,
    to: str,
    note: str = "",
    expected_version: int | None = None,
    ip: str | None = None,
) -> Proposal:
    """A reviewer's move of a proposal to another stage (see STAGE_TRANSITIONS)."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    before = proposal.stage
    if to not in STAGE_TRANSITIONS.get(before, set()):
        label = Stage(to).label if to in Stage.values else to
        raise ValidationError(
            {
                "stage": [
                    _("A proposal cannot move from %(a)s to %(b)s.")
                    % {"a": Stage(before).label, "b": label}
                ]
            }
        )
    if to == Stage.DECLINED and not note.strip():
        raise ValidationError({"note": [_("Say why the proposal is declined.")]})
    return _move(
        actor=actor, proposal=proposal, to=to, note=note, expected_version=expected_version, ip=ip
    )


@transaction.atomic
def withdraw(*, actor: User | None, proposal: Proposal, ip: str | None = None) -> Proposal:
    """The applicant takes the proposal back (before an award)."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.stage not in WITHDRAWABLE:
        raise ValidationError({"stage": [_("This proposal can no longer be withdrawn.")]})
    return _move(
        actor=actor,
        proposal=proposal,
        to=Stage.WITHDRAWN,
        note=_("Withdrawn by the applicant."),
        expected_version=None,
        ip=ip,
        label="" if actor else proposal.applicant_email,
    )


@transaction.atomic
def score(
    *,
    actor: User,
    proposal: Proposal,
    value: int,
    comment: str = "",
    ip: str | None = None,
) -> Score:
    """The reviewer's score at the proposal's current stage (1–5); scoring again at the
    same stage replaces the score."""
    if proposal.stage not in SCORED:
        raise ValidationError(
            {"stage": [_("Proposals are scored while screened, assessed or finalists.")]}
        )
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise ValidationError({"score": [_("Score from 1 (weak) to 5 (excellent).")]})
    row, created = Score.objects.update_or_create(
        proposal=proposal,
        reviewer=actor,
        stage=proposal.stage,
        defaults={"score": value, "comment": comment.strip()},
    )
    audit.record(
        actor=actor,
        verb="proposal.score",
        target=proposal,
        changes={"stage": proposal.stage, "score": value, "new": created},
        ip=ip,
    )
    return row


@transaction.atomic
def award(
    *,
    actor: User,
    proposal: Proposal,
    organization: Organization | None = None,
    achievement: Achievement | None = None,
    note: str = "",
    expected_version: int | None = None,
    link: str = "",
    is_demo: bool = False,
    ip: str | None = None,
) -> Proposal:
    """Award a finalist: the project and draft agreement, then the stage and the
    challenge's status. `organization` names the proposing organization in the catalog
    when the applicant had no account; `achievement` the project's subject when the
    proposal links none (else the first it links)."""
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("challenge")
        .get(pk=proposal.pk)
    )
    challenge = (
        Challenge.objects.select_for_update(of=("self",))
        .select_related("poster", "need")
        .get(pk=proposal.challenge_id)
    )
    if proposal.stage != Stage.FINALIST:
        raise ValidationError({"stage": [_("Only a finalist can be awarded.")]})
    if challenge.status not in (
        ChallengeStatus.OPEN,
        ChallengeStatus.CLOSED,
        ChallengeStatus.AWARDED,
    ):
        raise ValidationError({"stage": [_("This challenge is not being reviewed.")]})
    owner = proposal.organization or organization
    subject = achievement or proposal.achievements.order_by("pk").first()
    errors: dict[str, list[str]] = {}
    if owner is None:
        errors["organization"] = [_("Name the proposing organization in the catalog.")]
    elif owner.pk == challenge.poster_id:
        errors["organization"] = [
            _("The posting organization cannot be awarded its own challenge.")
        ]
    if subject is None and challenge.need is None:
        errors["achievement"] = [
            _(
                "Name the achievement the project develops (the proposal links none, and "
                "the challenge has no clinical need)."
            )
        ]
    if errors:
        raise ValidationError(errors)
    assert owner is not None
    fields: dict[str, Any] = {}
    centers: list[Organization] = []
    poster = challenge.poster
    if poster is not None:
        if poster.kind == OrganizationKind.HOSPITAL:
            centers.append(poster)
        elif role := POSTER_ROLE.get(OrganizationKind(poster.kind)):
            fields[role] = poster
    if staff := project_staff(actor):
        fields["staff"] = staff
    fields["summary"] = proposal.summary
    title = _("%(challenge)s — %(proposer)s") % {
        "challenge": challenge.title,
        "proposer": owner.display_name,
    }
    project = create_project(
        actor=actor,
        title=title,
        achievement=subject,
        clinical_need=challenge.need if subject is None else None,
        owner=owner,
        clinical_centers=centers,
        fields=fields,
        is_demo=is_demo,
        ip=ip,
    )
    parties = [owner, *([poster] if poster is not None else [])]
    notes = [_("From the challenge “%(title)s”.") % {"title": challenge.title}]
    if challenge.ip_terms.strip():
        notes.append(_("IP terms: %(terms)s") % {"terms": challenge.ip_terms.strip()})
    agreement = create_agreement(
        actor=actor,
        project=project,
        values={
            "kind": AgreementKind.DEVELOPMENT,
            "title": _("Development agreement: %(title)s") % {"title": challenge.title},
            "status": AgreementStatus.DRAFT,
            "notes": "\n".join(notes),
        },
        parties=parties,
        is_demo=is_demo,
        ip=ip,
    )
    proposal.project, proposal.agreement = project, agreement
    if organization is not None and proposal.organization_id is None:
        proposal.organization = organization
    _move(
        actor=actor,
        proposal=proposal,
        to=Stage.AWARDED,
        note=note or _("Awarded."),
        expected_version=expected_version,
        ip=ip,
        extra=["project", "agreement", "organization"],
    )
    if challenge.status != ChallengeStatus.AWARDED:
        before = challenge.status
        challenge.status = ChallengeStatus.AWARDED
        challenge.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            verb="challenge.awarded",
            target=challenge,
            changes={"status": [before, ChallengeStatus.AWARDED], "proposal": proposal.pk},
            ip=ip,
        )
    transaction.on_commit(lambda: mail.send_award(proposal_id=proposal.pk, link=link))
    return proposal
