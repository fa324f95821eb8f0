"""Writes of challenges: create and edit, open / close / cancel, invite organizations,
assign reviewers. Each is one transaction and one audit entry; `actor` is keyword-only
and explicit. Permission checks are the callers' (rules.py); the checks here are of the
data, the same for a form, the API and the demo. Proposals: proposals.py.

Notifications (invitations) go out through luodi.notifications after the transaction
commits (mail.py), so a rolled-back write tells nobody."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.models import ClinicalNeed, Organization
from luodi.challenges import mail
from luodi.challenges.choices import (
    CHALLENGE_TRANSITIONS,
    ChallengeStatus,
    Visibility,
)
from luodi.challenges.models import Challenge, Invitation
from luodi.concurrency import claim, save_values

FIELDS = (
    "poster",
    "need",
    "title_zh",
    "title_en",
    "problem_zh",
    "problem_en",
    "budget_min_fen",
    "budget_max_fen",
    "timeline",
    "eligibility",
    "ip_terms",
    "deadline",
    "visibility",
)
# Ten billion yuan: anything larger is a typing error (and stays far inside a bigint).
MAX_FEN = 10**12
# Invitations sent at once (a page of matches at most).
MAX_INVITES = 50


def check(values: Mapping[str, Any], today: date | None = None) -> None:
    """Raise ValidationError (by field) when the values cannot describe a challenge."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not (values.get("title_zh") or "").strip() and not (values.get("title_en") or "").strip():
        add("title_zh", _("Give the title in Chinese or in English."))
    problem_zh, problem_en = values.get("problem_zh") or "", values.get("problem_en") or ""
    if not problem_zh.strip() and not problem_en.strip():
        add("problem_zh", _("Describe the problem in Chinese or in English."))
    if values.get("deadline") is None:
        add("deadline", _("Enter the deadline for proposals."))
    if values.get("visibility") not in Visibility.values:
        add("visibility", _("Choose who may see the challenge."))
    low, high = values.get("budget_min_fen"), values.get("budget_max_fen")
    for name, amount in (("budget_min_fen", low), ("budget_max_fen", high)):
        if amount is not None and not 0 < amount <= MAX_FEN:
            add(name, _("Enter an amount more than zero (at most ten billion yuan)."))
    if low is not None and high is not None and low > high:
        add("budget_max_fen", _("The upper end of the budget is below its lower end."))
    need: ClinicalNeed | None = values.get("need")
    poster: Organization | None = values.get("poster")
    if need is not None and poster is not None and need.organization_id != poster.pk:
        add("need", _("This clinical need is not the posting organization's."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_challenge(
    *,
    actor: User,
    challenge: Challenge | None,
    values: Mapping[str, Any],
    expected_version: int | None = None,
    is_demo: bool = False,
    ip: str | None = None,
) -> Challenge:
    """Create a challenge (a draft) or change one; only the fields in `values` change. An
    awarded or cancelled challenge is not edited any more. A stale `expected_version`
    raises Conflict and nothing is written."""
    if challenge is not None and challenge.status in (
        ChallengeStatus.AWARDED,
        ChallengeStatus.CANCELLED,
    ):
        raise ValidationError(_("An awarded or cancelled challenge cannot be edited."))
    clean = {name: values[name] for name in FIELDS if name in values}
    merged = {**audit.snapshot(challenge, FIELDS), **clean}
    check(merged)
    is_new = challenge is None
    target = challenge or Challenge(created_by=actor, is_demo=is_demo)
    open_now = not is_new and target.status == ChallengeStatus.OPEN
    if open_now and "deadline" in clean and clean["deadline"] < timezone.localdate():
        raise ValidationError({"deadline": [_("An open challenge's deadline cannot be past.")]})
    save_values(
        actor=actor,
        instance=target,
        fields=FIELDS,
        values=clean,
        expected_version=expected_version,
        ip=ip,
    )
    return target


@transaction.atomic
def set_status(
    *,
    actor: User,
    challenge: Challenge,
    status: str,
    expected_version: int | None = None,
    today: date | None = None,
    ip: str | None = None,
) -> Challenge:
    """Open, close (to review), reopen or cancel a challenge. Awarding is the proposals'
    (proposals.award). Claims the version, so an edit form opened before conflicts."""
    today = today or timezone.localdate()
    before = challenge.status
    if status not in CHALLENGE_TRANSITIONS.get(before, set()):
        raise ValidationError(
            {
                "status": [
                    _("A challenge cannot move from %(a)s to %(b)s.")
                    % {
                        "a": ChallengeStatus(before).label,
                        "b": ChallengeStatus(status).label
                        if status in ChallengeStatus.values
                        else status,
                    }
                ]
            }
        )
    if status == ChallengeStatus.OPEN and challenge.deadline < today:
        raise ValidationError({"deadline": [_("Move the deadline to today or later first.")]})
    claim(challenge, expected_version)
    challenge.status = status
    fields = ["status", "updated_at"]
    if status == ChallengeStatus.OPEN and challenge.opened_at is None:
        challenge.opened_at = timezone.now()
        fields.append("opened_at")
    challenge.save(update_fields=fields)
    audit.record(
        actor=actor,
        verb=f"challenge.{status}",
        target=challenge,
        changes={"status": [before, status]},
        ip=ip,
    )
    return challenge


@transaction.atomic
def invite(
    *,
    actor: User,
    challenge: Challenge,
    organizations: Iterable[Organization],
    reasons: Mapping[int, str] | None = None,
    link: str = "",
    ip: str | None = None,
) -> list[Invitation]:
    """Invite organizations to the challenge; their members hear of it (email and their
    robots, after commit). An organization invited already is not invited twice; the
    poster is never invited. Returns the invitations created."""
    orgs = {o.pk: o for o in organizations}
    if challenge.status in (ChallengeStatus.AWARDED, ChallengeStatus.CANCELLED):
        raise ValidationError(_("An awarded or cancelled challenge invites nobody."))
    if not orgs:
        raise ValidationError({"organizations": [_("Choose the organizations to invite.")]})
    if len(orgs) > MAX_INVITES:
        raise ValidationError(
            {"organizations": [_("Invite at most %(n)d at once.") % {"n": MAX_INVITES}]}
        )
    if challenge.poster_id in orgs:
        raise ValidationError({"organizations": [_("The posting organization is not invited.")]})
    have = set(challenge.invitations.values_list("organization_id", flat=True))
    created = [
        Invitation.objects.create(
            challenge=challenge,
            organization=org,
            invited_by=actor,
            reason=((reasons or {}).get(pk) or "")[:500],
        )
        for pk, org in orgs.items()
        if pk not in have
    ]
    if created:
        new_ids = [i.organization_id for i in created]
        audit.record(
            actor=actor,
            verb="challenge.invite",
            target=challenge,
            changes={"organizations": sorted(new_ids)},
            ip=ip,
        )
        transaction.on_commit(
            lambda: mail.send_invitations(challenge_id=challenge.pk, org_ids=new_ids, link=link)
        )
    return created


def find_reviewer(identifier: str) -> User | None:
    """An active account named exactly by its username or email address."""
    text = identifier.strip()
    if not text:
        return None
    by_name = User.objects.filter(is_active=True, username=text).first()
    return by_name or User.objects.filter(is_active=True, email__iexact=text).order_by("pk").first()


@transaction.atomic
def add_reviewer(
    *, actor: User, challenge: Challenge, reviewer: User | None, ip: str | None = None
) -> User:
    if reviewer is None or not reviewer.is_active:
        raise ValidationError({"reviewer": [_("No active account has this username or email.")]})
    if challenge.reviewers.filter(pk=reviewer.pk).exists():
        raise ValidationError({"reviewer": [_("This person reviews the challenge already.")]})
    challenge.reviewers.add(reviewer)
    audit.record(
        actor=actor,
        verb="challenge.add_reviewer",
        target=challenge,
        changes={"reviewer": reviewer.pk},
        ip=ip,
    )
    return reviewer


@transaction.atomic
def remove_reviewer(
    *, actor: User, challenge: Challenge, reviewer: User, ip: str | None = None
) -> None:
    challenge.reviewers.remove(reviewer)
    audit.record(
        actor=actor,
        verb="challenge.remove_reviewer",
        target=challenge,
        changes={"reviewer": reviewer.pk},
        ip=ip,
    )


def from_need(need: ClinicalNeed) -> dict[str, Any]:
    """A new challenge's initial values taken from a clinical need."""
    problem_parts = [need.problem, need.current_practice, need.constraints]
    return {
        "poster": need.organization,
        "need": need,
        "title_zh": need.title_zh,
        "title_en": need.title_en,
        "problem_zh": "\n\n".join(p for p in problem_parts if p.strip()),
        "eligibility": need.desired_solution,
    }
