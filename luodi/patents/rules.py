"""Who may see and keep patents, and which parts of one a user sees.

- Staff see and keep every patent.
- A partner sees the patents one of its organizations owns or pays the fees of, and keeps
  (edits, records fees on) those its organizations own.
- A viewer (a bureau) sees none: numbers, fees and who pays them are the owners' business.

Field-level policy: a patent is shown whole to whoever may see it; what it links to is
shown only as far as the user may see that record itself — achievements through
`catalog.rules.achievements_visible_to` (an owner's confidential achievement stays hidden
from a fee payer that is not its owner), inventors through `people_visible_to`, agreements
through `pipeline.rules.agreements_visible_to`. Every page, API answer and export reads the
links through `visible_links`.
"""

from __future__ import annotations

from dataclasses import dataclass

import rules
from django.db.models import Q, QuerySet

from luodi.accounts.rules import AnyUser, is_partner, is_staff, org_ids
from luodi.catalog.models import Achievement, Organization, Person
from luodi.catalog.rules import (
    achievements_visible_to,
    organizations_attachable_by,
    people_visible_to,
)
from luodi.patents.models import FeePayment, Patent
from luodi.pipeline.models import Agreement
from luodi.pipeline.rules import agreements_visible_to


def patents_visible_to(user: AnyUser) -> QuerySet[Patent]:
    if is_staff(user):
        return Patent.objects.all()
    if not is_partner(user):
        return Patent.objects.none()
    mine = org_ids(user)
    ids = Patent.objects.filter(Q(owners__in=mine) | Q(fee_payer_id__in=mine)).values("pk")
    return Patent.objects.filter(pk__in=ids)


def payments_visible_to(user: AnyUser) -> QuerySet[FeePayment]:
    return FeePayment.objects.filter(patent__in=patents_visible_to(user))


def owners_choosable_by(user: AnyUser) -> QuerySet[Organization]:
    """Organizations `user` may name as owners or fee payer: any for staff, else its own."""
    return organizations_attachable_by(user)


@rules.predicate
def is_owner_member(user: AnyUser, patent: Patent | None) -> bool:
    if patent is None or patent.pk is None:
        return False
    return patent.owners.filter(pk__in=org_ids(user)).exists()


may_keep = is_staff | (is_partner & is_owner_member)

rules.add_perm("patents.add_patent", is_staff | is_partner)
rules.add_perm("patents.change_patent", may_keep)
rules.add_perm("patents.record_fee", may_keep)


@dataclass(frozen=True)
class Links:
    achievements: list[Achievement]
    inventors: list[Person]
    agreements: list[Agreement]


def visible_links(user: AnyUser, patent: Patent) -> Links:
    """What the patent links to, as far as `user` may see each record."""
    return Links(
        achievements=list(
            achievements_visible_to(user).filter(patent_records=patent).order_by("pk")
        ),
        inventors=list(people_visible_to(user).filter(patents=patent).order_by("pk")),
        agreements=list(agreements_visible_to(user).filter(patents=patent).order_by("pk")),
    )
