"""Writes of assessments: one function per change, keyword-only arguments, the acting person
passed in (None with a label for an external reviewer, who has no account), one audit entry
each, `update_fields` on every save. Permission checks are the callers' (rules.py); the
checks here are of the data, the same for a page, the API and the demo.

Mails (invitation, closed) are queued as jobs in the same transaction (tasks.py), so a
rolled-back write sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.assessments import results, tasks
from luodi.assessments.choices import READINESS_LABELS, Mode, Status
from luodi.assessments.models import Assessment, Invitation, Score, Template, TemplateCriterion
from luodi.catalog.choices import Disclosure, OrganizationKind
from luodi.catalog.models import Achievement
from luodi.concurrency import claim
from luodi.disclosure.models import AccessGrant

NDA_VERSION = "review-2026-01"
MAX_CRITERIA = 20
MAX_WEIGHT = 100
MAX_SCALE = 100
# Grants made for a reviewer's NDA last until the deadline plus this, at most.
GRANT_GRACE_DAYS = 7
MAX_DEADLINE_DAYS = 366


def nda_text() -> str:
    return _(
        "As a reviewer I keep the dossier confidential: I use it only for this assessment, "
        "do not disclose it or copy it, and do not use it for my own or a third party's "
        "benefit. My access ends with the assessment; every view is recorded."
    )


def _label(actor: User | None, invitation: Invitation | None = None) -> str:
    if actor is not None:
        return ""
    return f"reviewer:{invitation.email}" if invitation is not None else "system"


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


# -- templates ------------------------------------------------------------------------------


def criteria_errors(criteria: Sequence[Mapping[str, Any]]) -> list[str]:
    """Why `criteria` cannot make a template (empty: they can)."""
    errors: list[str] = []
    if not criteria:
        errors.append(_("Add at least one criterion."))
    if len(criteria) > MAX_CRITERIA:
        errors.append(_("At most %(n)d criteria.") % {"n": MAX_CRITERIA})
    codes = [str(c.get("code") or "") for c in criteria]
    if len(set(codes)) != len(codes):
        errors.append(_("Each criterion needs its own code."))
    for c in criteria:
        label = c.get("label_zh") or c.get("code") or "?"
        if not c.get("code") or not c.get("label_zh"):
            errors.append(_("Each criterion needs a code and a Chinese label."))
        if not 1 <= int(c.get("weight") or 0) <= MAX_WEIGHT:
            errors.append(_("%(c)s: the weight is 1 to 100.") % {"c": label})
        low, high = int(c.get("scale_min", 0)), int(c.get("scale_max", 0))
        if not 0 <= low < high <= MAX_SCALE:
            errors.append(
                _("%(c)s: the lowest score must be below the highest (0 to 100).") % {"c": label}
            )
    return errors


@transaction.atomic
def save_template(
    *,
    actor: User,
    template: Template | None,
    name_zh: str,
    name_en: str = "",
    description: str = "",
    criteria: Sequence[Mapping[str, Any]],
    expected_version: int | None = None,
    ip: str | None = None,
) -> Template:
    """Create or change a template and replace its criteria (running assessments keep their
    snapshot). The default template may be edited too; copying it first is the usual way."""
    errors: dict[str, list[str]] = {}
    if not name_zh.strip():
        errors["name_zh"] = [_("Give the template a name.")]
    if problems := criteria_errors(criteria):
        errors["criteria"] = problems
    if errors:
        raise ValidationError(errors)
    is_new = template is None
    target = template or Template(created_by=actor)
    target.name_zh, target.name_en, target.description = name_zh.strip(), name_en, description
    if is_new:
        target.save()
    else:
        claim(target, expected_version)
        target.save(update_fields=["name_zh", "name_en", "description", "updated_at"])
    target.criteria.all().delete()
    TemplateCriterion.objects.bulk_create(
        TemplateCriterion(
            template=target,
            position=i,
            code=str(c["code"]),
            label_zh=str(c["label_zh"]),
            label_en=str(c.get("label_en") or ""),
            description_zh=str(c.get("description_zh") or ""),
            description_en=str(c.get("description_en") or ""),
            weight=int(c["weight"]),
            scale_min=int(c["scale_min"]),
            scale_max=int(c["scale_max"]),
        )
        for i, c in enumerate(criteria)
    )
    audit.record(
        actor=actor,
        verb="assessment_template.create" if is_new else "assessment_template.update",
        target=target,
        changes={"criteria": [str(c["code"]) for c in criteria]},
        ip=ip,
    )
    return target


def _rows(template: Template) -> list[dict[str, Any]]:
    return [
        {**c.snapshot(), "scale_min": c.scale_min, "scale_max": c.scale_max}
        for c in template.criteria.all()
    ]


@transaction.atomic
def copy_template(*, actor: User, template: Template, ip: str | None = None) -> Template:
    copy = save_template(
        actor=actor,
        template=None,
        name_zh=_("%(name)s (copy)") % {"name": template.name_zh},
        name_en=f"{template.name_en} (copy)" if template.name_en else "",
        description=template.description,
        criteria=_rows(template),
        ip=ip,
    )
    copy.copied_from = template
    copy.save(update_fields=["copied_from"])
    return copy


# -- opening, inviting ------------------------------------------------------------------------


def _under_way() -> str:
    return _("This achievement has an assessment under way: summarise it first.")


@transaction.atomic
def open_assessment(
    *,
    actor: User,
    achievement: Achievement,
    template: Template,
    mode: str,
    deadline: date,
    base_url: str = "",
    is_demo: bool = False,
    today: date | None = None,
    ip: str | None = None,
) -> Assessment:
    """Open the next round for `achievement` with `template`'s criteria as they are now. One
    round at a time: an unfinished one (open or closed, not summarised) is refused."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if mode not in Mode.values:
        errors["mode"] = [_("Choose blind or open review.")]
    if deadline < today:
        errors["deadline"] = [_("The deadline cannot be in the past.")]
    elif deadline > today + timedelta(days=MAX_DEADLINE_DAYS):
        errors["deadline"] = [_("The deadline is at most a year away.")]
    criteria = [c.snapshot() for c in template.criteria.all()]
    if not criteria:
        errors["template"] = [_("This template has no criteria.")]
    # Lock the achievement's rounds: two staff opening at once get rounds n+1 and a refusal.
    Achievement.objects.select_for_update().filter(pk=achievement.pk).first()
    rounds = Assessment.objects.filter(achievement=achievement)
    if rounds.exclude(status=Status.SUMMARISED).exists():
        errors["achievement"] = [_under_way()]
    if errors:
        raise ValidationError(errors)
    number = (rounds.aggregate(n=Max("round"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                achievement=achievement,
                round=number,
                template=template,
                criteria=criteria,
                mode=mode,
                deadline=deadline,
                base_url=base_url[:200],
                opened_by=actor,
                is_demo=is_demo,
            )
    except IntegrityError as exc:
        raise ValidationError({"achievement": [_under_way()]}) from exc
    audit.record(
        actor=actor,
        verb="assessment.open",
        target=achievement,
        changes={
            "assessment": assessment.pk,
            "round": number,
            "template": template.pk,
            "mode": mode,
            "deadline": deadline.isoformat(),
        },
        ip=ip,
    )
    return assessment


@transaction.atomic
def invite(
    *,
    actor: User,
    assessment: Assessment,
    user: User | None = None,
    name: str = "",
    email: str = "",
    language: str = "",
    send: bool = True,
    ip: str | None = None,
) -> Invitation:
    """Invite an internal reviewer (`user`) or an external one (`name` and `email`, no
    account). A member of the owner cannot review its own achievement."""
    if not assessment.is_open:
        raise ValidationError({"__all__": [_("This assessment is closed: no more reviewers.")]})
    errors: dict[str, list[str]] = {}
    email = email.strip().lower()
    if user is None:
        if not name.strip():
            errors["name"] = [_("Enter the reviewer's name.")]
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
        if User.objects.filter(email__iexact=email, is_active=True).exists() and not errors:
            errors["email"] = [_("This person has an account: invite them as an internal expert.")]
    else:
        if not user.is_active:
            errors["user"] = [_("This account is not active.")]
        elif user.memberships.filter(organization_id=assessment.achievement.owner_id).exists():
            errors["user"] = [_("A member of the owner cannot review its own achievement.")]
    taken = Invitation.objects.filter(assessment=assessment)
    if user is not None and taken.filter(user=user).exists():
        errors["user"] = [_("Already invited.")]
    if user is None and email and taken.filter(user__isnull=True, email=email).exists():
        errors["email"] = [_("Already invited.")]
    if errors:
        raise ValidationError(errors)
    languages = dict(settings.LANGUAGES)
    chosen = language if language in languages else ""
    invitation = Invitation.objects.create(
        assessment=assessment,
        user=user,
        name=name.strip() if user is None else "",
        email=email if user is None else "",
        language=chosen or (user.preferred_language() if user else settings.LANGUAGE_CODE),
        invited_by=actor,
    )
    audit.record(
        actor=actor,
        verb="assessment.invite",
        target=assessment.achievement,
        changes={
            "assessment": assessment.pk,
            "invitation": invitation.pk,
            "reviewer": user.pk if user else "external",
        },
        ip=ip,
    )
    if send:
        tasks.send_invitation.enqueue(invitation.pk)
    return invitation


def _revoke_grant(invitation: Invitation, now: datetime) -> None:
    if invitation.grant_id is not None:
        AccessGrant.objects.filter(pk=invitation.grant_id, revoked_at__isnull=True).update(
            revoked_at=now
        )


@transaction.atomic
def revoke(*, actor: User, invitation: Invitation, ip: str | None = None) -> Invitation:
    """Withdraw an invitation: the link stops working, scores given are kept out of the
    aggregate, an NDA grant made for it is revoked."""
    if invitation.revoked_at is not None:
        return invitation
    now = timezone.now()
    invitation.revoked_at = now
    invitation.save(update_fields=["revoked_at"])
    _revoke_grant(invitation, now)
    audit.record(
        actor=actor,
        verb="assessment.revoke_reviewer",
        target=invitation.assessment.achievement,
        changes={"assessment": invitation.assessment_id, "invitation": invitation.pk},
        ip=ip,
    )
    return invitation


# -- the reviewer's part ------------------------------------------------------------------------


def needs_nda(assessment: Assessment) -> bool:
    return assessment.achievement.disclosure == Disclosure.CONFIDENTIAL


@transaction.atomic
def declare(
    *,
    actor: User | None,
    invitation: Invitation,
    conflict: bool,
    note: str = "",
    accept_nda: bool = False,
    ip: str | None = None,
) -> Invitation:
    """The reviewer's conflict-of-interest declaration, once. A conflict ends their part
    (recorded, no scores, no dossier). Otherwise, for a confidential achievement, the NDA
    must be accepted now: an internal reviewer then holds an AccessGrant (the disclosure
    app's record of who may open the dossier) until the deadline plus GRANT_GRACE_DAYS; an
    external one's acceptance is kept on the invitation, their link being their only way in."""
    assessment = invitation.assessment
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not assessment.is_open:
        raise ValidationError({"__all__": [_("This assessment is closed.")]})
    if locked.revoked_at is not None:
        raise ValidationError({"__all__": [_("This invitation was withdrawn.")]})
    if locked.declared_at is not None:
        raise ValidationError({"__all__": [_("You have already made your declaration.")]})
    if conflict and not note.strip():
        raise ValidationError({"conflict_note": [_("Describe the conflict in a few words.")]})
    nda = not conflict and needs_nda(assessment)
    if nda and not accept_nda:
        raise ValidationError(
            {"accept_nda": [_("This achievement is confidential: accept the NDA to review it.")]}
        )
    now = timezone.now()
    invitation.declared_at, invitation.has_conflict = now, conflict
    invitation.conflict_note = note.strip() if conflict else ""
    fields = ["declared_at", "has_conflict", "conflict_note"]
    if nda:
        invitation.nda_version, invitation.nda_accepted_at = NDA_VERSION, now
        fields += ["nda_version", "nda_accepted_at"]
        if invitation.user_id is not None:
            invitation.grant = AccessGrant.objects.create(
                achievement=assessment.achievement,
                user_id=invitation.user_id,
                nda_version=NDA_VERSION,
                nda_accepted_at=now,
                approved_by=assessment.opened_by,
                approved_at=now,
                expires_at=_end_of(assessment.deadline + timedelta(days=GRANT_GRACE_DAYS)),
            )
            fields.append("grant")
    invitation.save(update_fields=fields)
    audit.record(
        actor=actor,
        actor_label=_label(actor, invitation),
        verb="assessment.declare",
        target=assessment.achievement,
        changes={
            "assessment": assessment.pk,
            "invitation": invitation.pk,
            "conflict": conflict,
            "nda_version": invitation.nda_version or None,
        },
        ip=ip,
    )
    return invitation


def score_field(code: str) -> str:
    return f"score_{code}"


@transaction.atomic
def submit_scores(
    *,
    actor: User | None,
    invitation: Invitation,
    values: Mapping[str, int | None],
    comments: Mapping[str, str] | None = None,
    comment: str = "",
    ip: str | None = None,
) -> Invitation:
    """Save the reviewer's scores, one per criterion, each within its scale (errors by field
    `score_<code>`). They may be changed until the assessment closes."""
    assessment = invitation.assessment
    if not assessment.is_open:
        raise ValidationError({"__all__": [_("This assessment is closed: scores are final.")]})
    if not invitation.cleared:
        raise ValidationError({"__all__": [_("Declare your conflict of interest first.")]})
    if needs_nda(assessment) and invitation.nda_accepted_at is None:
        raise ValidationError({"__all__": [_("Accept the NDA first.")]})
    comments = comments or {}
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    for c in assessment.criteria:
        value = values.get(c["code"])
        if value is None:
            errors[score_field(c["code"])] = [_("Give a score.")]
        elif not c["min"] <= value <= c["max"]:
            errors[score_field(c["code"])] = [
                _("Between %(lo)d and %(hi)d.") % {"lo": c["min"], "hi": c["max"]}
            ]
        else:
            clean[c["code"]] = int(value)
    if unknown := sorted(set(values) - {c["code"] for c in assessment.criteria}):
        errors["__all__"] = [_("Unknown criteria: %(c)s") % {"c": ", ".join(unknown)}]
    if errors:
        raise ValidationError(errors)
    Score.objects.filter(invitation=invitation).delete()
    Score.objects.bulk_create(
        Score(
            invitation=invitation,
            criterion=code,
            value=value,
            comment=str(comments.get(code) or "").strip(),
        )
        for code, value in clean.items()
    )
    invitation.comment = comment.strip()
    invitation.submitted_at = timezone.now()
    invitation.save(update_fields=["comment", "submitted_at"])
    audit.record(
        actor=actor,
        actor_label=_label(actor, invitation),
        verb="assessment.score",
        target=assessment.achievement,
        changes={"assessment": assessment.pk, "invitation": invitation.pk, "scores": clean},
        ip=ip,
    )
    return invitation


# -- closing, summarising, re-assessing ---------------------------------------------------------


@transaction.atomic
def close(
    *,
    actor: User,
    assessment: Assessment,
    expected_version: int | None = None,
    ip: str | None = None,
) -> Assessment:
    """No more declarations or scores; NDA grants made for reviewers end now. The reviewers
    who scored and the person who opened it are told (tasks.send_closed)."""
    if assessment.status != Status.OPEN:
        raise ValidationError({"status": [_("This assessment is not open.")]})
    claim(assessment, expected_version)
    now = timezone.now()
    assessment.status, assessment.closed_at = Status.CLOSED, now
    assessment.save(update_fields=["status", "closed_at", "updated_at"])
    for invitation in assessment.invitations.exclude(grant__isnull=True):
        _revoke_grant(invitation, now)
    audit.record(
        actor=actor,
        verb="assessment.close",
        target=assessment.achievement,
        changes={"assessment": assessment.pk},
        ip=ip,
    )
    tasks.send_closed.enqueue(assessment.pk)
    return assessment


@transaction.atomic
def summarise(
    *,
    actor: User,
    assessment: Assessment,
    readiness: int,
    strengths: str,
    risks: str,
    summary: str,
    suggested_kinds: Iterable[str],
    expected_version: int | None = None,
    ip: str | None = None,
) -> Assessment:
    """Write (or correct) the result of a closed assessment: readiness (TRL), strengths,
    risks, a summary and the kinds of partner suggested; the overall weighted score is
    computed from the scores now and kept with it."""
    kinds = list(dict.fromkeys(suggested_kinds))
    errors: dict[str, list[str]] = {}
    if assessment.status == Status.OPEN:
        errors["__all__"] = [_("Close the assessment before summarising it.")]
    if readiness not in READINESS_LABELS:
        errors["readiness"] = [_("Choose a readiness level.")]
    if not summary.strip():
        errors["summary"] = [_("Write the summary.")]
    if unknown := [k for k in kinds if k not in OrganizationKind.values]:
        errors["suggested_kinds"] = [_("Unknown kinds: %(k)s") % {"k": ", ".join(unknown)}]
    agg = results.aggregate_for(assessment)
    if agg.overall is None and "__all__" not in errors:
        errors["__all__"] = [_("No reviewer has scored: there is nothing to summarise.")]
    if errors:
        raise ValidationError(errors)
    assert agg.overall is not None
    claim(assessment, expected_version)
    before = audit.snapshot(assessment, ["readiness", "status", "overall_permille"])
    assessment.readiness = readiness
    assessment.strengths, assessment.risks = strengths.strip(), risks.strip()
    assessment.summary, assessment.suggested_kinds = summary.strip(), kinds
    assessment.overall_permille = round(agg.overall * 1000)
    assessment.status = Status.SUMMARISED
    assessment.summarised_by, assessment.summarised_at = actor, timezone.now()
    assessment.save(
        update_fields=[
            "readiness",
            "strengths",
            "risks",
            "summary",
            "suggested_kinds",
            "overall_permille",
            "status",
            "summarised_by",
            "summarised_at",
            "updated_at",
        ]
    )
    audit.record(
        actor=actor,
        verb="assessment.summarise",
        target=assessment.achievement,
        changes={
            "assessment": assessment.pk,
            "before": before,
            "readiness": readiness,
            "overall_permille": assessment.overall_permille,
            "suggested_kinds": kinds,
        },
        ip=ip,
    )
    return assessment


def reassess(
    *,
    actor: User,
    previous: Assessment,
    deadline: date,
    mode: str | None = None,
    template: Template | None = None,
    base_url: str = "",
    ip: str | None = None,
) -> Assessment:
    """A later round for the same achievement (history kept): the previous round's template
    unless another is given."""
    chosen = template or previous.template or Template.objects.filter(is_default=True).first()
    if chosen is None:
        raise ValidationError({"template": [_("Choose a template.")]})
    return open_assessment(
        actor=actor,
        achievement=previous.achievement,
        template=chosen,
        mode=mode or previous.mode,
        deadline=deadline,
        base_url=base_url or previous.base_url,
        ip=ip,
    )
