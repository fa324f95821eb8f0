"""Writes of reward policies and contributor shares. One transaction and one audit entry
each; `actor` is keyword-only. Permission checks are the callers' (rules.py); the checks
here are of the data, the same for the form, the API and the demo.

A policy is added as a new version (never changed): the version an income event uses is
the one in force on its received day. Its "version" for concurrency is the number of
versions the institution has: a form opened before another version was added conflicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog.models import Achievement, Organization, Person
from luodi.concurrency import Conflict, claim
from luodi.rewards.choices import FLOOR_BP, WHOLE_BP
from luodi.rewards.models import ContributorShare, ContributorTeam, RewardPolicy

POLICY_FIELDS = (
    "effective_from",
    "team_bp",
    "main_bp",
    "institution_bp",
    "department_bp",
    "department_name",
    "notice_days",
    "note",
)
RATES = ("team_bp", "main_bp", "institution_bp", "department_bp")
MAX_NOTICE_DAYS = 365


def policies_of(institution: Organization) -> QuerySet[RewardPolicy]:
    return RewardPolicy.objects.filter(institution=institution).order_by("-effective_from", "-pk")


def policy_in_force(institution: Organization | int, day: date) -> RewardPolicy | None:
    """The version in force on `day`: the latest whose day is not after it."""
    pk = institution if isinstance(institution, int) else institution.pk
    return (
        RewardPolicy.objects.filter(institution_id=pk, effective_from__lte=day)
        .order_by("-effective_from", "-pk")
        .first()
    )


def policy_version(institution: Organization) -> int:
    return RewardPolicy.objects.filter(institution=institution).count()


def check_policy(values: Mapping[str, Any]) -> None:
    """Raise ValidationError (by field) unless the values make a policy: whole numbers of
    basis points; team + institution + department = 100 %; the team at least 50 % and its
    main contributors at least 50 % of the team's part (the health sector's floor)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if values.get("effective_from") is None:
        add("effective_from", _("Enter the day the policy is in force from."))
    rates: dict[str, int] = {}
    for name in RATES:
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= WHOLE_BP:
            add(name, _("Enter a percentage from 0 to 100."))
        else:
            rates[name] = value
    if "team_bp" in rates and rates["team_bp"] < FLOOR_BP:
        add("team_bp", _("Below the policy floor: the research team receives at least 50%."))
    if "main_bp" in rates and rates["main_bp"] < FLOOR_BP:
        add(
            "main_bp",
            _(
                "Below the policy floor: main contributors receive at least half of the "
                "team's part."
            ),
        )
    parts = ("team_bp", "institution_bp", "department_bp")
    if all(p in rates for p in parts) and sum(rates[p] for p in parts) != WHOLE_BP:
        add(
            "__all__",
            _("The research team, the institution and the department must add up to 100%."),
        )
    days = values.get("notice_days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_NOTICE_DAYS:
        add("notice_days", _("Enter the days of public notice (1 to 365)."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_policy(
    *,
    actor: User,
    institution: Organization,
    values: Mapping[str, Any],
    expected_version: int | None = None,
    is_demo: bool = False,
    ip: str | None = None,
) -> RewardPolicy:
    """A new version of the institution's policy. `expected_version` is the number of
    versions the editor saw; another added meanwhile raises Conflict."""
    clean = {name: values.get(name) for name in POLICY_FIELDS}
    clean["department_name"] = clean["department_name"] or ""
    clean["note"] = clean["note"] or ""
    if clean["notice_days"] is None:
        clean["notice_days"] = 15
    check_policy(clean)
    # Serialise versions of one institution: lock its existing rows while counting.
    current = len(list(RewardPolicy.objects.select_for_update().filter(institution=institution)))
    if expected_version is not None and expected_version != current:
        raise Conflict(current)
    policy = RewardPolicy(institution=institution, created_by=actor, is_demo=is_demo, **clean)
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError:
        raise ValidationError(
            {"effective_from": [_("A version already takes effect on this day; choose another.")]}
        ) from None
    audit.record(
        actor=actor,
        verb="rewardpolicy.create",
        target=policy,
        changes={"created": {name: audit.jsonable(clean[name]) for name in POLICY_FIELDS}},
        ip=ip,
    )
    return policy


# -- contributor shares -------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareRow:
    person: Person
    share_bp: int
    is_main: bool


def candidates(achievement: Achievement) -> QuerySet[Person]:
    """Who may share in an achievement's rewards: its inventors (first), then the people of
    its owning institution."""
    inventor = Achievement.inventors.through.objects.filter(
        achievement_id=achievement.pk, person_id=OuterRef("pk")
    )
    inventors = Achievement.inventors.through.objects.filter(achievement_id=achievement.pk)
    pool = Q(pk__in=inventors.values("person_id")) | Q(organization_id=achievement.owner_id)
    return (
        Person.objects.filter(pool)
        .annotate(is_inventor=Exists(inventor))
        .order_by("-is_inventor", "name_zh", "name_en", "pk")
    )


def team_of(achievement: Achievement) -> ContributorTeam | None:
    return ContributorTeam.objects.filter(achievement=achievement).first()


def shares_of(achievement: Achievement) -> list[ContributorShare]:
    return list(
        ContributorShare.objects.filter(team__achievement=achievement).select_related("person")
    )


def check_shares(achievement: Achievement, rows: Sequence[ShareRow]) -> None:
    errors: list[str] = []
    people = [r.person.pk for r in rows]
    if not rows:
        errors.append(_("Name at least one contributor."))
    if len(set(people)) != len(people):
        errors.append(_("Each person may be named once."))
    if any(not 0 < r.share_bp <= WHOLE_BP for r in rows):
        errors.append(_("Each share is more than 0% and at most 100%."))
    if rows and sum(r.share_bp for r in rows) != WHOLE_BP:
        errors.append(_("The shares of the team must add up to 100%."))
    if rows and not any(r.is_main for r in rows):
        errors.append(_("Mark at least one main contributor."))
    allowed = set(candidates(achievement).filter(pk__in=people).values_list("pk", flat=True))
    if set(people) - allowed:
        errors.append(
            _("Only inventors of the achievement or people of its institution may be named.")
        )
    if errors:
        raise ValidationError({"shares": errors})


@transaction.atomic
def save_shares(
    *,
    actor: User,
    achievement: Achievement,
    rows: Sequence[ShareRow],
    expected_version: int | None = None,
    is_demo: bool = False,
    ip: str | None = None,
) -> ContributorTeam:
    """Replace the achievement's contributor shares with `rows` (a stale version: Conflict,
    nothing written)."""
    check_shares(achievement, rows)
    team = team_of(achievement)
    before: list[list[Any]] = []
    if team is None:
        if expected_version not in (None, 0):
            raise Conflict(0)
        try:
            with transaction.atomic():
                team = ContributorTeam.objects.create(achievement=achievement, is_demo=is_demo)
        except IntegrityError:
            raise Conflict(1) from None
    else:
        claim(team, expected_version)
        before = [[s.person_id, s.share_bp, s.is_main] for s in team.shares.all()]
        team.save(update_fields=["updated_at"])
        team.shares.all().delete()
    ContributorShare.objects.bulk_create(
        ContributorShare(team=team, person=r.person, share_bp=r.share_bp, is_main=r.is_main)
        for r in rows
    )
    after = [[r.person.pk, r.share_bp, r.is_main] for r in rows]
    audit.record(
        actor=actor,
        verb="contributorteam.update",
        target=team,
        changes={"achievement": achievement.pk, "shares": [before, after]},
        ip=ip,
    )
    return team
