"""Writes in matchmaking: one function per change, keyword-only arguments, the actor passed
in, one audit entry each.

Match records: suggested → shortlisted → introduced → in discussion → converted, or declined
(with a reason) from any open state; a declined pair can be reopened as shortlisted.
Access: request → NDA accepted in the platform (version and time) → the owner or staff
approves → a catalog `AccessGrant` that expires; or rejected.
A confidential achievement is requestable only by an organization the owner (or staff)
invited to the NDA (`invite_to_nda`); revoking the invitation hides the achievement again,
closes the organization's open requests and revokes its live grants.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.choices import Disclosure, OrganizationKind, ReviewStatus
from luodi.catalog.models import Achievement, ClinicalNeed, Organization
from luodi.disclosure.models import AccessGrant, NdaInvitation
from luodi.matchmaking import mail
from luodi.matchmaking.models import (
    AccessRequest,
    AccessStatus,
    DeclineReason,
    MatchRecord,
    MatchStatus,
    OpenCall,
)
from luodi.matchmaking.rules import leads_converted_projects

NDA_VERSION = "2026-01"

S = MatchStatus
TRANSITIONS: dict[str, set[str]] = {
    S.SUGGESTED: {S.SHORTLISTED, S.INTRODUCED, S.DECLINED},
    S.SHORTLISTED: {S.INTRODUCED, S.DECLINED},
    S.INTRODUCED: {S.IN_DISCUSSION, S.DECLINED},
    S.IN_DISCUSSION: {S.CONVERTED, S.DECLINED},
    S.DECLINED: {S.SHORTLISTED},
    S.CONVERTED: set(),
}


def nda_text() -> str:
    return _(
        "I accept, for my organization, to keep the dossier confidential: to use it only to "
        "evaluate a cooperation with the owner, not to disclose it to third parties, and not to "
        "copy it beyond that purpose. Access expires at the date the owner sets; every view is "
        "recorded."
    )


@transaction.atomic
def set_match_status(
    *,
    actor: User,
    source_kind: str,
    source_id: int,
    target_kind: str,
    target_id: int,
    status: str,
    achievement: Achievement | None = None,
    source_owner: Organization | None = None,
    counterparty: Organization | None = None,
    features: dict[str, Any] | None = None,
    score: float = 0.0,
    reason: str = "",
    note: str = "",
    ip: str | None = None,
    link: str = "",
    alert: bool = True,
) -> MatchRecord:
    """Create the pair's record if needed and move it to `status`. Moving it to
    "introduced" alerts both sides after commit (`mail.send_match_alert`; `alert=False`
    for history written by loaders)."""
    if status == S.DECLINED and reason not in DeclineReason.values:
        raise ValidationError({"reason": [_("Choose a reason for declining.")]})
    if status == S.DECLINED and reason == DeclineReason.OTHER and not note.strip():
        raise ValidationError({"note": [_("Say why, when the reason is “other”.")]})
    rec, created = MatchRecord.objects.select_for_update().get_or_create(
        source_kind=source_kind,
        source_id=source_id,
        target_kind=target_kind,
        target_id=target_id,
        defaults={
            "achievement": achievement,
            "source_owner": source_owner,
            "counterparty": counterparty,
            "created_by": actor,
            "score": score,
        },
    )
    before = rec.status
    if status != before and status not in TRANSITIONS[before]:
        raise ValidationError(
            {
                "status": [
                    _("A match cannot move from %(a)s to %(b)s.")
                    % {"a": S(before).label, "b": S(status).label}
                ]
            }
        )
    rec.status = status
    rec.decline_reason = reason if status == S.DECLINED else ""
    rec.note = note
    rec.score = score or rec.score
    if features is not None:
        rec.features = features
    if status == S.CONVERTED and rec.project_id is None:
        rec.project = _open_project(actor=actor, rec=rec, ip=ip)
    rec.save(
        update_fields=[
            "status",
            "decline_reason",
            "note",
            "score",
            "features",
            "project",
            "updated_at",
        ]
    )
    audit.record(
        actor=actor,
        verb=f"match.{status}",
        target=rec,
        changes={
            "status": [before if not created else None, status],
            "reason": reason,
            "note": note,
        },
        ip=ip,
    )
    if alert and status == S.INTRODUCED and before != S.INTRODUCED:
        # After commit: a rolled-back move must not alert anyone.
        transaction.on_commit(lambda: mail.send_match_alert(match_id=rec.pk, link=link))
    return rec


# Which project role each side of a converted match takes, by organization kind.
_PROJECT_ROLE: dict[str, str] = {
    OrganizationKind.PARK: "target_park",
    OrganizationKind.COMPANY: "company",
    OrganizationKind.CRO: "company",
    OrganizationKind.INVESTOR: "investor",
}


def _open_project(*, actor: User, rec: MatchRecord, ip: str | None) -> Any:
    """A converted match becomes a transformation project (pipeline) in stage "lead", with
    both sides in their roles: the achievement's owner as owner, the park, company or
    investor (whichever side it is) as target park, company or investor, a clinical center
    among the project's centers, and the staff member who converted it as responsible."""
    from luodi.pipeline.domain.projects import create_project

    need = (
        ClinicalNeed.objects.filter(pk=rec.source_id).first() if rec.source_kind == "need" else None
    )
    if rec.achievement is None and need is None:
        return None
    sides = [o for o in (rec.counterparty, rec.source_owner) if o is not None]
    fields: dict[str, Any] = {}
    centers = []
    for org in sides:
        if org.kind == OrganizationKind.HOSPITAL and rec.target_kind == "center":
            centers.append(org)
        role = _PROJECT_ROLE.get(org.kind)
        if role and role not in fields:
            fields[role] = org
    if leads_converted_projects(actor):
        fields["staff"] = actor
    return create_project(
        actor=actor,
        achievement=rec.achievement,
        clinical_need=need,
        clinical_centers=centers,
        fields=fields,
        ip=ip,
    )


@transaction.atomic
def request_access(
    *,
    actor: User,
    achievement: Achievement,
    organization: Organization | None,
    message: str = "",
    accept_nda: bool = False,
    ip: str | None = None,
) -> AccessRequest:
    open_states = [AccessStatus.REQUESTED, AccessStatus.NDA_ACCEPTED]
    req = AccessRequest.objects.filter(
        achievement=achievement, requested_by=actor, status__in=open_states
    ).first()
    if req is None:
        req = AccessRequest.objects.create(
            achievement=achievement, organization=organization, requested_by=actor, message=message
        )
        audit.record(
            actor=actor,
            verb="access.request",
            target=req.achievement,
            changes={"request": req.pk, "organization": audit.jsonable(organization)},
            ip=ip,
        )
    if accept_nda and req.status == AccessStatus.REQUESTED:
        accept(actor=actor, request=req, ip=ip)
    return req


@transaction.atomic
def accept(*, actor: User, request: AccessRequest, ip: str | None = None) -> AccessRequest:
    """The requester accepts the NDA text of NDA_VERSION in the platform."""
    if request.status != AccessStatus.REQUESTED:
        raise ValidationError({"status": [_("This request is not waiting for the NDA.")]})
    request.status = AccessStatus.NDA_ACCEPTED
    request.nda_version = NDA_VERSION
    request.nda_accepted_at = timezone.now()
    request.save(update_fields=["status", "nda_version", "nda_accepted_at"])
    audit.record(
        actor=actor,
        verb="access.accept_nda",
        target=request.achievement,
        changes={"request": request.pk, "nda_version": NDA_VERSION},
        ip=ip,
    )
    return request


@transaction.atomic
def approve(
    *, actor: User, request: AccessRequest, expires_at: datetime, ip: str | None = None
) -> AccessGrant:
    if request.status != AccessStatus.NDA_ACCEPTED or request.nda_accepted_at is None:
        raise ValidationError({"status": [_("Access can be approved once the NDA is accepted.")]})
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError({"expires_at": [_("The expiry must be in the future.")]})
    grant = AccessGrant.objects.create(
        achievement=request.achievement,
        organization=request.organization,
        user=None if request.organization_id else request.requested_by,
        nda_version=request.nda_version,
        nda_accepted_at=request.nda_accepted_at,
        approved_by=actor,
        approved_at=now,
        expires_at=expires_at,
    )
    request.status = AccessStatus.APPROVED
    request.decided_by, request.decided_at = actor, now
    request.expires_at, request.grant = expires_at, grant
    request.save(update_fields=["status", "decided_by", "decided_at", "expires_at", "grant"])
    audit.record(
        actor=actor,
        verb="access.approve",
        target=request.achievement,
        changes={"request": request.pk, "grant": grant.pk, "expires_at": expires_at.isoformat()},
        ip=ip,
    )
    return grant


@transaction.atomic
def reject(*, actor: User, request: AccessRequest, ip: str | None = None) -> AccessRequest:
    if request.status not in (AccessStatus.REQUESTED, AccessStatus.NDA_ACCEPTED):
        raise ValidationError({"status": [_("This request was already decided.")]})
    request.status = AccessStatus.REJECTED
    request.decided_by, request.decided_at = actor, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        verb="access.reject",
        target=request.achievement,
        changes={"request": request.pk},
        ip=ip,
    )
    return request


def _invitation_errors(
    achievement: Achievement, organization: Organization
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if achievement.disclosure != Disclosure.CONFIDENTIAL:
        errors["achievement"] = [
            _("Only a confidential achievement needs an invitation; others are listed already.")
        ]
    elif achievement.status != ReviewStatus.PUBLISHED or achievement.archived_at is not None:
        errors["achievement"] = [_("Invite once the achievement is published (not archived).")]
    if organization.pk == achievement.owner_id:
        errors["organization"] = [_("The owner's own organization sees the achievement already.")]
    elif organization.archived_at is not None or organization.merged_into_id is not None:
        errors["organization"] = [_("This organization is archived; it cannot be invited.")]
    elif organization.status != ReviewStatus.PUBLISHED:
        errors["organization"] = [_("This organization is not published yet.")]
    return errors


@transaction.atomic
def invite_to_nda(
    *,
    actor: User,
    achievement: Achievement,
    organization: Organization,
    expires_at: datetime,
    ip: str | None = None,
) -> NdaInvitation:
    """Let `organization` see the achievement's teaser and request dossier access."""
    errors = _invitation_errors(achievement, organization)
    now = timezone.now()
    if expires_at <= now:
        errors["expires_at"] = [_("The expiry must be in the future.")]
    if errors:
        raise ValidationError(errors)
    current = (
        NdaInvitation.objects.select_for_update()
        .filter(achievement=achievement, organization=organization, revoked_at__isnull=True)
        .first()
    )
    if current is not None and current.expires_at > now:
        raise ValidationError({"organization": [_("This organization is invited already.")]})
    if current is not None:
        # An expired invitation is closed so that the new one is the only open one.
        current.revoked_at = current.expires_at
        current.save(update_fields=["revoked_at"])
    invitation = NdaInvitation.objects.create(
        achievement=achievement, organization=organization, invited_by=actor, expires_at=expires_at
    )
    audit.record(
        actor=actor,
        verb="access.invite",
        target=achievement,
        changes={
            "invitation": invitation.pk,
            "organization": audit.jsonable(organization),
            "expires_at": expires_at.isoformat(),
        },
        ip=ip,
    )
    return invitation


@transaction.atomic
def revoke_invitation(
    *, actor: User, invitation: NdaInvitation, ip: str | None = None
) -> NdaInvitation:
    """Hide the achievement from the organization again: the invitation is revoked, its open
    requests are rejected and its live grants revoked (a grant alone would keep it listed)."""
    if invitation.revoked_at is not None:
        raise ValidationError({"status": [_("This invitation was already revoked.")]})
    now = timezone.now()
    invitation.revoked_at, invitation.revoked_by = now, actor
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    a_id, org_id = invitation.achievement_id, invitation.organization_id
    closed = AccessRequest.objects.filter(
        achievement_id=a_id,
        organization_id=org_id,
        status__in=[AccessStatus.REQUESTED, AccessStatus.NDA_ACCEPTED],
    ).update(status=AccessStatus.REJECTED, decided_by=actor, decided_at=now)
    revoked = AccessGrant.objects.filter(
        achievement_id=a_id, organization_id=org_id, revoked_at__isnull=True
    ).update(revoked_at=now)
    audit.record(
        actor=actor,
        verb="access.revoke_invitation",
        target=invitation.achievement,
        changes={
            "invitation": invitation.pk,
            "organization": invitation.organization_id,
            "requests_closed": closed,
            "grants_revoked": revoked,
        },
        ip=ip,
    )
    return invitation


@transaction.atomic
def publish_open_call(
    *,
    actor: User,
    need: ClinicalNeed,
    notify: Iterable[Organization],
    link: str = "",
    ip: str | None = None,
) -> OpenCall:
    """Publish a need as an open call and notify the matched organizations: they see it in
    their matchmaking inbox, and their members with an address get an email after commit
    (each publish is an explicit "notify", so a republish emails again)."""
    call, _created = OpenCall.objects.get_or_create(need=need, defaults={"published_by": actor})
    orgs = list(notify)
    call.notified.add(*orgs)
    audit.record(
        actor=actor,
        verb="need.open_call",
        target=need,
        changes={"notified": sorted(o.pk for o in orgs)},
        ip=ip,
    )
    org_pks = [o.pk for o in orgs]
    if org_pks:
        # After commit: a rolled-back publish must not have emailed anyone.
        transaction.on_commit(
            lambda: mail.send_open_call_emails(need_id=need.pk, org_ids=org_pks, link=link)
        )
    return call
