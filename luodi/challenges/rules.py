"""Who may see and run challenges and their proposals, and which parts of a challenge a
user sees.

Challenges:
- A public challenge that is open, closed or awarded is seen by everyone, without an
  account too (its public page and proposal form).
- An invited challenge in those statuses is seen by signed-in partners and staff as a
  teaser (title, problem, deadline, eligibility) so that an organization can ask to be
  invited; its budget and IP terms only by the invited organizations' members, its
  managers, its reviewers and staff (`terms_visible`). Anonymous users and viewers do not
  see it at all (404).
- A draft or cancelled challenge is seen only by its managers, its reviewers and staff.
- Managers: staff, and the partner members of the posting organization (a challenge the
  association posted — no poster — is managed by staff only).

Proposals are seen only by the challenge's managers, its assigned reviewers, staff and the
proposing applicant (the user who submitted it and the members of the organization it was
submitted for; an applicant without an account reaches theirs through the signed link of
its confirmation email). Anyone else gets a 404, in pages and in the API.
Reviewers score and move proposals; managers do too, and award and invite.
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from luodi.accounts.models import User
from luodi.accounts.rules import AnyUser, is_partner, is_staff, org_ids
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.models import ClinicalNeed, Organization
from luodi.catalog.rules import organizations_attachable_by
from luodi.challenges.choices import LISTED, Visibility
from luodi.challenges.models import Attachment, Challenge, Proposal

# Organizations that post challenges.
POSTER_KINDS = (
    OrganizationKind.COMPANY,
    OrganizationKind.PARK,
    OrganizationKind.HOSPITAL,
    OrganizationKind.CRO,
    OrganizationKind.INVESTOR,
    OrganizationKind.INSTITUTE,
)


def public_challenges() -> QuerySet[Challenge]:
    """What anyone may read, without an account too."""
    return Challenge.objects.filter(visibility=Visibility.PUBLIC, status__in=LISTED)


def _managed_q(user: AnyUser) -> Q:
    if not is_partner(user):
        return Q(pk__in=[])
    return Q(poster_id__in=org_ids(user))


def challenges_visible_to(user: AnyUser) -> QuerySet[Challenge]:
    if is_staff(user):
        return Challenge.objects.all()
    if not user.is_authenticated or not user.is_active:
        return public_challenges()
    listed = Q(visibility=Visibility.PUBLIC, status__in=LISTED)
    if is_partner(user):
        listed |= Q(status__in=LISTED)  # invited ones too, as teasers
    reviewing = Challenge.reviewers.through.objects.filter(user_id=user.pk).values("challenge_id")
    ids = Challenge.objects.filter(listed | _managed_q(user) | Q(pk__in=reviewing)).values("pk")
    return Challenge.objects.filter(pk__in=ids)


def challenges_managed_by(user: AnyUser) -> QuerySet[Challenge]:
    if is_staff(user):
        return Challenge.objects.all()
    return Challenge.objects.filter(_managed_q(user))


def proposals_visible_to(user: AnyUser) -> QuerySet[Proposal]:
    if is_staff(user):
        return Proposal.objects.all()
    if not user.is_authenticated or not user.is_active:
        return Proposal.objects.none()
    reviewing = Challenge.reviewers.through.objects.filter(user_id=user.pk).values("challenge_id")
    managed = challenges_managed_by(user).values("pk")
    mine = Q(submitted_by_id=user.pk)
    if is_partner(user):
        mine |= Q(organization_id__in=org_ids(user))
    ids = Proposal.objects.filter(
        Q(challenge_id__in=managed) | Q(challenge_id__in=reviewing) | mine
    ).values("pk")
    return Proposal.objects.filter(pk__in=ids)


def attachments_visible_to(user: AnyUser) -> QuerySet[Attachment]:
    return Attachment.objects.filter(proposal__in=proposals_visible_to(user))


def posters_offered(user: AnyUser) -> QuerySet[Organization]:
    """Organizations `user` may post a challenge for: its own (of a posting kind), any for
    staff."""
    return (
        organizations_attachable_by(user)
        .filter(kind__in=POSTER_KINDS)
        .order_by("name_zh", "name_en", "pk")
    )


def needs_convertible_by(user: AnyUser) -> QuerySet[ClinicalNeed]:
    """Clinical needs `user` may turn into a challenge: any for staff, its own
    organizations' for a partner."""
    if is_staff(user):
        return ClinicalNeed.objects.all()
    if not is_partner(user):
        return ClinicalNeed.objects.none()
    return ClinicalNeed.objects.filter(organization_id__in=org_ids(user))


def applicant_orgs(user: AnyUser) -> QuerySet[Organization]:
    """Organizations a signed-in applicant may submit a proposal for: its own."""
    if not is_partner(user):
        return Organization.objects.none()
    return Organization.objects.filter(pk__in=org_ids(user)).order_by("name_zh", "pk")


# -- predicates -------------------------------------------------------------------------------


@rules.predicate
def is_poster_member(user: AnyUser, challenge: Challenge | None) -> bool:
    if challenge is None:
        return False
    return challenge.poster_id is not None and challenge.poster_id in org_ids(user)


@rules.predicate
def is_reviewer(user: AnyUser, challenge: Challenge | None) -> bool:
    if challenge is None or not user.is_authenticated or challenge.pk is None:
        return False
    return challenge.reviewers.filter(pk=user.pk).exists()


@rules.predicate
def is_invitee(user: AnyUser, challenge: Challenge | None) -> bool:
    if challenge is None or challenge.pk is None:
        return False
    return challenge.invitations.filter(organization_id__in=org_ids(user)).exists()


@rules.predicate
def may_post_any(user: AnyUser) -> bool:
    return posters_offered(user).exists()


@rules.predicate
def may_submit(user: AnyUser, challenge: Challenge | None) -> bool:
    """A signed-in partner may submit for its organization: to a public challenge, or to an
    invited one its organization is invited to; never to its own."""
    if challenge is None or not is_partner(user) or not org_ids(user):
        return False
    if is_poster_member(user, challenge):
        return False
    return challenge.visibility == Visibility.PUBLIC or bool(is_invitee(user, challenge))


@rules.predicate
def is_applicant(user: AnyUser, proposal: Proposal | None) -> bool:
    """Its submitter or a member of the organization it was submitted for: the side that
    may withdraw it."""
    if proposal is None or not user.is_authenticated:
        return False
    return proposal.submitted_by_id == user.pk or proposal.organization_id in org_ids(user)


may_manage = is_staff | (is_partner & is_poster_member)
may_review = may_manage | is_reviewer

rules.add_perm("challenges.add_challenge", is_staff | (is_partner & may_post_any))
rules.add_perm("challenges.manage_challenge", may_manage)
rules.add_perm("challenges.review_challenge", may_review)
rules.add_perm("challenges.submit_proposal", may_submit)
rules.add_perm("challenges.withdraw_proposal", is_applicant)


def terms_visible(user: AnyUser, challenge: Challenge) -> bool:
    """Field-level: the budget and IP terms of an invited challenge only to its invitees,
    managers, reviewers and staff; of a public one to everyone who sees it."""
    if challenge.visibility == Visibility.PUBLIC:
        return True
    return bool(may_review(user, challenge) or is_invitee(user, challenge))


def posts_for_association(user: AnyUser) -> bool:
    """Only staff post a challenge without a poster (the association's own)."""
    return bool(is_staff(user))


def project_staff(user: User) -> User | None:
    """The responsible staff member of a project an award opens: the awarding user when
    it is association staff."""
    return user if is_staff(user) else None


def managers_of(challenge: Challenge) -> QuerySet[User]:
    """Who hears of a new proposal: the posting organization's members (staff, for a
    challenge the association posted: its creator)."""
    if challenge.poster_id is None:
        return User.objects.filter(pk=challenge.created_by_id or 0, is_active=True)
    return User.objects.filter(
        is_active=True, memberships__organization_id=challenge.poster_id
    ).distinct()
