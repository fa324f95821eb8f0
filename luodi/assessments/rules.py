"""Who may see and do what in assessments.

- Staff open, invite, close, summarise and re-assess, keep the templates, and see everything:
  every reviewer's name, declaration and scores (`assessments.manage`, `view_scores`).
- A reviewer sees only the assessments they were invited to (a live invitation), and of
  those, before declaring a conflict of interest, only the achievement's title and owner (to
  judge the conflict, as an NDA invitation shows a teaser). After declaring no conflict (and
  accepting the NDA when the achievement is confidential) they see the dossier and score.
  A declared conflict ends their part. In blind review they never see other reviewers'
  names or scores; in open review they see them once their own scores are in.
  Internal reviewers (users) reach it signed in; external ones through their token link
  (tokens.py), which opens that one invitation only.
- The achievement's owner (its organization's members) sees the summarised result, never
  individual scores or reviewers.
- Everybody else: 404 on assessment pages and API answers.

The result shown on the achievement page and used by matchmaking (results.py) follows the
catalog's field-level policy: it is part of the achievement's dossier, so whoever may see
the dossier (`catalog.view_dossier`: staff, owner, submitter, a published public record's
readers, live grantees) sees the result, and no one else — not even through a ranking.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import rules
from django.db.models import Q, QuerySet

from luodi.accounts.rules import AnyUser, is_staff, org_ids
from luodi.assessments.choices import Mode, Status
from luodi.assessments.models import Assessment, Invitation, Template
from luodi.assessments.results import Result, latest_results
from luodi.catalog.models import Achievement


def live_invitations(user: AnyUser) -> QuerySet[Invitation]:
    """The user's own invitations (internal reviewer), not withdrawn."""
    if not user.is_authenticated:
        return Invitation.objects.none()
    return Invitation.objects.filter(user_id=user.pk, revoked_at__isnull=True)


def cleared_invitations(user: AnyUser) -> QuerySet[Invitation]:
    return live_invitations(user).filter(declared_at__isnull=False, has_conflict=False)


def assessments_visible_to(user: AnyUser) -> QuerySet[Assessment]:
    """Assessments whose page (or API record) `user` may open: all for staff; for a reviewer,
    those they are cleared on; for the owner's members, the summarised ones."""
    qs = Assessment.objects.all()
    if is_staff(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    reviewing = cleared_invitations(user).values("assessment_id")
    owned = Q(achievement__owner_id__in=org_ids(user), status=Status.SUMMARISED)
    return qs.filter(Q(pk__in=reviewing) | owned)


def templates_visible_to(user: AnyUser) -> QuerySet[Template]:
    return Template.objects.all() if is_staff(user) else Template.objects.none()


@rules.predicate
def is_owner_member(user: AnyUser, assessment: Assessment | None) -> bool:
    if assessment is None:
        return False
    return assessment.achievement.owner_id in org_ids(user)


@rules.predicate
def is_summarised(user: AnyUser, assessment: Assessment | None) -> bool:
    return assessment is not None and assessment.status == Status.SUMMARISED


@rules.predicate
def is_cleared_reviewer(user: AnyUser, assessment: Assessment | None) -> bool:
    if assessment is None:
        return False
    return cleared_invitations(user).filter(assessment_id=assessment.pk).exists()


def sees_co_reviewers(assessment: Assessment, invitation: Invitation | None) -> bool:
    """Whether the reviewer of `invitation` may see the other reviewers' names and scores:
    open review, once their own are in; never in blind review."""
    return (
        invitation is not None
        and assessment.mode == Mode.OPEN
        and invitation.cleared
        and invitation.submitted_at is not None
    )


manages = is_staff

rules.add_perm("assessments.manage", manages)
rules.add_perm("assessments.view_scores", manages)
rules.add_perm("assessments.view_result", manages | (is_owner_member & is_summarised))
rules.add_perm("assessments.review", is_cleared_reviewer)


def may_see_result(user: AnyUser, achievement: Achievement) -> bool:
    """The assessment result of `achievement` is part of its dossier (see above)."""
    return bool(user.has_perm("catalog.view_dossier", achievement))


def results_visible_to(
    user: AnyUser,
    achievements: Iterable[Achievement],
    dossier_shown: Mapping[int, bool] | None = None,
) -> dict[int, Result]:
    """The latest results of those `achievements` whose result `user` may see (one query).
    `dossier_shown`: the answers to `catalog.view_dossier` a caller already has for these
    rows (a ranking asks the disclosure policy once per candidate, not twice)."""
    if dossier_shown is None:
        return latest_results(a.pk for a in achievements if may_see_result(user, a))
    return latest_results(a.pk for a in achievements if dossier_shown[a.pk])
