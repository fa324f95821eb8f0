"""The checks around matchmaking writes, shared by the web views and the API: load the source
and the target through the user's visible querysets, check the permission, then call the
domain function. Raises ObjectDoesNotExist (→ 404), PermissionDenied (→ 403) or
ValidationError (→ 400/422)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts.models import User
from luodi.accounts.rules import org_ids
from luodi.catalog import rules as catalog_rules
from luodi.catalog.choices import Disclosure, ReviewStatus
from luodi.catalog.models import Achievement, Organization
from luodi.disclosure.models import NdaInvitation
from luodi.matchmaking import adapters, domain, queries
from luodi.matchmaking.models import AccessRequest, MatchRecord, SourceKind, TargetKind
from luodi.matchmaking.rules import (
    Pair,
    access_requests_visible_to,
    invitations_visible_to,
    may_act_on_pair,
    source_owner_id,
)
from luodi.matchmaking.scoring import Scored

INVITATION_DAYS = 90


def act(
    *,
    user: User,
    source_kind: str,
    source_id: int,
    target_kind: str,
    target_id: int,
    status: str,
    reason: str = "",
    note: str = "",
    score: float = 0.0,
    ip: str | None = None,
    link: str = "",
) -> MatchRecord:
    """Shortlist, introduce, decline (…) one suggested pair. `link` (the inbox's address)
    goes into the alert both sides get when the pair is introduced."""
    source = queries.load_source(user, source_kind, source_id)
    if target_kind not in source.tabs:
        raise ObjectDoesNotExist
    terms = adapters.Terms.cached()
    owner_id = source_owner_id(source.obj)
    achievement: Achievement | None = source.obj if source_kind == SourceKind.ACHIEVEMENT else None
    if target_kind == TargetKind.ACHIEVEMENT:
        target = queries.candidate_achievements(user).get(pk=target_id)
        achievement = target
        item = adapters.achievement_profile_for(user, target, terms)
        counterparty_id = (
            source.obj.pk if source_kind == SourceKind.ORGANIZATION else target.owner_id
        )
    else:
        org = queries.candidate_orgs(user, target_kind).get(pk=target_id)
        counterparty_id = org.pk
        item = source.item or adapters.ItemProfile(pk=0, kind="org", title="", summary="")
    if not may_act_on_pair(user, Pair(source.obj, counterparty_id)):
        raise PermissionDenied
    return domain.set_match_status(
        actor=user,
        source_kind=source_kind,
        source_id=source_id,
        target_kind=target_kind,
        target_id=target_id,
        status=status,
        achievement=achievement,
        source_owner=Organization.objects.filter(pk=owner_id).first() if owner_id else None,
        counterparty=Organization.objects.get(pk=counterparty_id),
        features=item.features(),
        score=max(-10.0, min(10.0, score)),
        reason=reason,
        note=note,
        ip=ip,
        link=link,
    )


def actable(user: User, source: queries.Source, items: list[Scored]) -> set[int]:
    """The candidates of one tab that `user` may act on (may_act_on_pair, as `act`
    checks): the match panel shows their buttons."""
    owners: dict[int, int | None] = {}
    if source.kind != SourceKind.ORGANIZATION:
        achievements = [s.pk for s in items if s.target_kind == TargetKind.ACHIEVEMENT]
        if achievements:
            owners = dict(
                Achievement.objects.filter(pk__in=achievements).values_list("pk", "owner_id")
            )
    out = set()
    for s in items:
        if s.target_kind != TargetKind.ACHIEVEMENT:
            counterparty_id: int | None = s.pk
        elif source.kind == SourceKind.ORGANIZATION:
            counterparty_id = source.obj.pk
        else:
            counterparty_id = owners.get(s.pk)
        if may_act_on_pair(user, Pair(source.obj, counterparty_id)):
            out.add(s.pk)
    return out


def change_record(
    *,
    user: User,
    record_id: int,
    status: str,
    reason: str = "",
    note: str = "",
    ip: str | None = None,
    link: str = "",
) -> MatchRecord:
    from luodi.matchmaking.rules import records_visible_to

    rec = records_visible_to(user).get(pk=record_id)
    if not user.has_perm("matchmaking.change_record", rec):
        raise PermissionDenied
    return domain.set_match_status(
        actor=user,
        source_kind=rec.source_kind,
        source_id=rec.source_id,
        target_kind=rec.target_kind,
        target_id=rec.target_id,
        status=status,
        reason=reason,
        note=note,
        score=rec.score,
        ip=ip,
        link=link,
    )


def request_access(
    *,
    user: User,
    achievement_id: int,
    message: str = "",
    accept_nda: bool = False,
    ip: str | None = None,
) -> AccessRequest:
    """Only for an achievement the user can see and whose dossier is withheld from them."""
    a = catalog_rules.achievements_visible_to(user).get(pk=achievement_id)
    if a.disclosure == Disclosure.PUBLIC or user.has_perm("catalog.view_dossier", a):
        raise PermissionDenied
    orgs = sorted(org_ids(user))
    if a.disclosure == Disclosure.CONFIDENTIAL:
        # Request for the organization that was invited, so that revoking the invitation
        # also closes this request and the grant it leads to.
        invited = catalog_rules.live_invitations(user).filter(achievement_id=a.pk)
        orgs = sorted(invited.values_list("organization_id", flat=True)) or orgs
    org = Organization.objects.filter(pk=orgs[0]).first() if orgs else None
    return domain.request_access(
        actor=user, achievement=a, organization=org, message=message, accept_nda=accept_nda, ip=ip
    )


def accept_nda(*, user: User, request_id: int, ip: str | None = None) -> AccessRequest:
    req = access_requests_visible_to(user).get(pk=request_id)
    if not user.has_perm("matchmaking.accept_nda", req):
        raise PermissionDenied
    return domain.accept(actor=user, request=req, ip=ip)


def decide_access(
    *,
    user: User,
    request_id: int,
    approve: bool,
    expires_at: datetime | None = None,
    ip: str | None = None,
) -> AccessRequest:
    req = access_requests_visible_to(user).get(pk=request_id)
    if not user.has_perm("matchmaking.decide_access", req):
        raise PermissionDenied
    if approve:
        domain.approve(
            actor=user,
            request=req,
            expires_at=expires_at or timezone.now() + timedelta(days=90),
            ip=ip,
        )
        req.refresh_from_db()
        return req
    return domain.reject(actor=user, request=req, ip=ip)


def invite_to_nda(
    *,
    user: User,
    achievement_id: int,
    organization_id: int,
    expires_at: datetime | None = None,
    ip: str | None = None,
) -> NdaInvitation:
    """Invite an organization to a confidential achievement's NDA flow (owner or staff). The
    organization must be one the user may see; an invisible one is a field error, not a 404,
    so that the form can say so (its existence is not confirmed either way)."""
    achievement = catalog_rules.achievements_visible_to(user).get(pk=achievement_id)
    if not user.has_perm("matchmaking.invite_nda", achievement):
        raise PermissionDenied
    org = catalog_rules.organizations_visible_to(user).filter(pk=organization_id).first()
    if org is None:
        raise ValidationError({"organization": [_("Choose an organization you can see.")]})
    return domain.invite_to_nda(
        actor=user,
        achievement=achievement,
        organization=org,
        expires_at=expires_at or timezone.now() + timedelta(days=INVITATION_DAYS),
        ip=ip,
    )


def revoke_invitation(*, user: User, invitation_id: int, ip: str | None = None) -> NdaInvitation:
    invitation = invitations_visible_to(user).get(pk=invitation_id)
    if not user.has_perm("matchmaking.invite_nda", invitation.achievement):
        raise PermissionDenied
    return domain.revoke_invitation(actor=user, invitation=invitation, ip=ip)


def publish_open_call(*, user: User, need_id: int, link: str = "", ip: str | None = None) -> int:
    """Publish a need as an open call; notify the top matched companies and teams (inbox and
    email). `link` is the need's absolute address for the email."""
    source = queries.load_source(user, SourceKind.NEED, need_id)
    if not user.has_perm("matchmaking.act_on_source", source.obj):
        raise PermissionDenied
    if source.obj.status != ReviewStatus.PUBLISHED or source.obj.archived_at is not None:
        # The notified parties could not open it, and the email would carry its title.
        raise ValidationError({"need": [_("Publish the clinical need before the open call.")]})
    ctx = queries.Context.make(user)
    notify: set[int] = set()
    for tab in (TargetKind.COMPANY, TargetKind.TEAM):
        ml = queries.matches(user, source, tab, k=10, ctx=ctx)
        notify |= {s.pk for s in ml.items if not s.blocked and s.score > 0}
    for s in queries.matches(user, source, TargetKind.ACHIEVEMENT, k=10, ctx=ctx).items:
        a = Achievement.objects.filter(pk=s.pk).values_list("owner_id", flat=True).first()
        if a and s.score > 0:
            notify.add(a)
    notify.discard(source.obj.organization_id)
    domain.publish_open_call(
        actor=user,
        need=source.obj,
        notify=Organization.objects.filter(pk__in=notify),
        link=link,
        ip=ip,
    )
    return len(notify)


__all__ = [
    "ObjectDoesNotExist",
    "accept_nda",
    "act",
    "change_record",
    "decide_access",
    "invite_to_nda",
    "publish_open_call",
    "request_access",
    "revoke_invitation",
]
