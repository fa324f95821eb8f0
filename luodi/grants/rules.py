"""Who may see and keep an institution's grants (赋权), and which parts of one a user sees.

- Staff see and keep every institution's grants.
- A partner sees and keeps the grants of its own organizations (the institution's
  technology-transfer office is a member of it), and no other.
- The team members themselves: Luodi has no link between a user account and a catalog
  Person (accounts.User carries no person, catalog.Person no user), so a team member sees
  a grant only as a member of the institution. Matching by e-mail address was not done: an
  address typed into a Person record proves nothing about who signs in with it.
- A viewer (a bureau) and every other partner see nothing — a 404 on pages and in the API,
  so not even an achievement's having been granted is confirmed.

Field-level policy: a grant is shown whole (shares, valuation, decision, notice, documents)
to whoever may see it; the achievement is named only to who may see it
(`catalog.rules.achievements_visible_to`) and each team member only as far as the user may
see that person (`people_visible_to`), with the share shown either way (the split must add
up). Every page, API answer, export and report reads them through `visible_links`.
"""

from __future__ import annotations

from dataclasses import dataclass

import rules
from django.db.models import QuerySet

from luodi.accounts.rules import AnyUser, Link, is_institution_member, is_partner, is_staff, org_ids
from luodi.catalog.models import Achievement, Organization, Person
from luodi.catalog.rules import (
    achievements_visible_to,
    institution_picker,
    institutions_kept_by,
    people_visible_to,
)
from luodi.grants.models import Grant, GrantDocument, GrantMember

# The institutions whose grants `user` may open: the catalog's rule for an institution's books.
institutions_visible_to = institutions_kept_by


def institutions_offered(user: AnyUser) -> QuerySet[Organization]:
    """The institution picker: also any organization that already has a grant."""
    return institution_picker(user, Grant.objects.values("institution_id"))


def sees_grants_of(user: AnyUser, institution: Organization) -> bool:
    return institutions_visible_to(user).filter(pk=institution.pk).exists()


def grants_visible_to(user: AnyUser) -> QuerySet[Grant]:
    if is_staff(user):
        return Grant.objects.all()
    if not is_partner(user):
        return Grant.objects.none()
    return Grant.objects.filter(institution_id__in=org_ids(user))


def documents_visible_to(user: AnyUser) -> QuerySet[GrantDocument]:
    return GrantDocument.objects.filter(grant__in=grants_visible_to(user))


def achievements_offered(user: AnyUser, institution: Organization) -> QuerySet[Achievement]:
    """The achievements a grant of `institution` may name: its own, as far as `user` sees."""
    return achievements_visible_to(user).filter(owner=institution).order_by("pk")


def people_offered(user: AnyUser) -> QuerySet[Person]:
    return people_visible_to(user).order_by("name_zh", "name_en", "pk")


may_keep = is_staff | (is_partner & is_institution_member)

rules.add_perm("grants.keep_grant", may_keep)


@dataclass(frozen=True)
class MemberLine:
    person_id: int | None  # None: a person the user may not see
    name: str
    share_bp: int


@dataclass(frozen=True)
class Links:
    achievement: Link | None
    members: list[MemberLine]


def visible_links(user: AnyUser, grants: list[Grant]) -> dict[int, Links]:
    """The achievement and team members of each grant, as far as `user` may see each record
    (three queries for the whole list). A member the user may not see keeps their share
    with no name, so the split still adds up."""
    ach_ids = {g.achievement_id for g in grants}
    achievements = {
        a.pk: Link(a.pk, a.title) for a in achievements_visible_to(user).filter(pk__in=ach_ids)
    }
    members = list(
        GrantMember.objects.filter(grant__in=[g.pk for g in grants]).order_by(
            "grant_id", "position", "pk"
        )
    )
    seen = {
        p.pk: str(p) for p in people_visible_to(user).filter(pk__in={m.person_id for m in members})
    }
    by_grant: dict[int, list[MemberLine]] = {g.pk: [] for g in grants}
    for m in members:
        name = seen.get(m.person_id)
        line = MemberLine(m.person_id if name is not None else None, name or "", m.share_bp)
        by_grant[m.grant_id].append(line)
    return {
        g.pk: Links(achievement=achievements.get(g.achievement_id), members=by_grant[g.pk])
        for g in grants
    }
