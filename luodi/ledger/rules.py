"""Who may see and keep an institution's transfer ledger, and which parts of an entry a
user sees.

- Staff see and keep every institution's ledger.
- A partner sees and keeps the ledgers of its own organizations (the hospital's or
  university's technology-transfer office is a member of it), and no other.
- A viewer (a bureau) and every other partner see nothing: no entry, no summary — a 404 on
  pages and in the API, so not even an institution's having a ledger is confirmed.

Field-level policy: an entry is shown whole (amounts, dates, notes) to whoever may see it;
what it links to is shown only as far as the user may see that record itself — its
achievement through `catalog.rules.achievements_visible_to` (a confidential achievement of a
co-party stays unnamed), its agreement through `pipeline.rules.agreements_visible_to` (a
member of a party who may not see the project), the patent fee it mirrors through
`patents.rules.payments_visible_to`. Every page, API answer and export reads the
links through `visible_links`.
"""

from __future__ import annotations

from dataclasses import dataclass

import rules
from django.db.models import Q, QuerySet

from luodi.accounts.rules import AnyUser, Link, is_institution_member, is_partner, is_staff, org_ids
from luodi.catalog.models import Organization
from luodi.catalog.rules import achievements_visible_to, institution_picker, institutions_kept_by
from luodi.ledger.models import LedgerEntry
from luodi.patents.rules import payments_visible_to
from luodi.pipeline.models import Agreement
from luodi.pipeline.rules import agreements_visible_to

# The institutions whose ledger `user` may open: the catalog's rule for an institution's books.
institutions_visible_to = institutions_kept_by


def institutions_offered(user: AnyUser) -> QuerySet[Organization]:
    """The institution picker: also any organization that already keeps a ledger."""
    return institution_picker(user, LedgerEntry.objects.values("institution_id"))


def entries_visible_to(user: AnyUser) -> QuerySet[LedgerEntry]:
    if is_staff(user):
        return LedgerEntry.objects.all()
    if not is_partner(user):
        return LedgerEntry.objects.none()
    return LedgerEntry.objects.filter(institution_id__in=org_ids(user))


def agreements_of(user: AnyUser, institution: Organization) -> QuerySet[Agreement]:
    """Agreements `user` may see to which `institution` is a party: named among the parties,
    or a party of the agreement's project (as domain.belongs reads it)."""
    party = Q(parties=institution) | Q(project__owner=institution)
    party |= Q(project__company=institution) | Q(project__investor=institution)
    party |= Q(project__target_park=institution) | Q(project__clinical_centers=institution)
    ids = Agreement.objects.filter(party).values("pk")
    return agreements_visible_to(user).filter(pk__in=ids).order_by("-pk")


may_keep = is_staff | (is_partner & is_institution_member)

rules.add_perm("ledger.keep_ledger", may_keep)


@dataclass(frozen=True)
class PatentFee:
    """The patent annual fee an entry mirrors: the patent (by its number) and the year."""

    id: int
    number: str
    year: int


@dataclass(frozen=True)
class Links:
    achievement: Link | None
    agreement: Link | None
    patent_fee: PatentFee | None = None


def visible_links(user: AnyUser, entries: list[LedgerEntry]) -> dict[int, Links]:
    """What each entry links to, as far as `user` may see each record (two queries for the
    whole list)."""
    ach_ids = {e.achievement_id for e in entries if e.achievement_id}
    agr_ids = {e.agreement_id for e in entries if e.agreement_id}
    achievements = {
        a.pk: Link(a.pk, a.title) for a in achievements_visible_to(user).filter(pk__in=ach_ids)
    }
    agreements = {
        a.pk: Link(a.pk, a.title) for a in agreements_visible_to(user).filter(pk__in=agr_ids)
    }
    fee_ids = {e.fee_payment_id for e in entries if e.fee_payment_id}
    fees = {
        p.pk: PatentFee(p.patent_id, p.patent.application_number, p.year)
        for p in payments_visible_to(user).filter(pk__in=fee_ids).select_related("patent")
    }
    return {
        e.pk: Links(
            achievement=achievements.get(e.achievement_id) if e.achievement_id else None,
            agreement=agreements.get(e.agreement_id) if e.agreement_id else None,
            patent_fee=fees.get(e.fee_payment_id) if e.fee_payment_id else None,
        )
        for e in entries
    }
