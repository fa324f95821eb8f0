"""Who may import what, and merge organizations.

Staff import every kind, import ClinicalTrials.gov exports and merge organizations.
Partners import people, achievements and clinical needs for their own organizations only:
a row naming another organization is a row error (checked per row by `may_write_for_org`).
A queued import run (runs.py) is seen only by the person who started it.
"""

from __future__ import annotations

from collections.abc import Callable

import rules
from django.db.models import QuerySet

from luodi.accounts.rules import AnyUser, is_partner, is_staff, is_viewer, org_ids
from luodi.ingest.fields import ACHIEVEMENTS, NEEDS, ORGANIZATIONS, PEOPLE
from luodi.ingest.models import ImportRun

PARTNER_KINDS = frozenset({PEOPLE, ACHIEVEMENTS, NEEDS})
ALL_KINDS = frozenset({ORGANIZATIONS, *PARTNER_KINDS})
# Kinds registered by other apps (fields.register_kind): who may import each. Rows are
# still checked one by one by the kind's writer.
REGISTERED_KINDS: dict[str, Callable[[AnyUser], bool]] = {}


def register_kind(kind: str, may_import: Callable[[AnyUser], bool]) -> None:
    REGISTERED_KINDS[kind] = may_import


@rules.predicate
def may_import_kind(user: AnyUser, kind: str | None) -> bool:
    if kind in REGISTERED_KINDS:
        return bool(user.is_authenticated and REGISTERED_KINDS[kind](user))
    if kind not in ALL_KINDS:
        return False
    if is_staff(user):
        return True
    return bool(is_partner(user) and kind in PARTNER_KINDS and org_ids(user))


can_import = is_staff | (is_partner & rules.predicate(lambda user: bool(org_ids(user))))
may_import_ctgov = is_staff
# Organization profiles and carriers (profiles.py): staff, who edit them.
may_import_profiles = is_staff
may_merge_organizations = is_staff
# Whose rows may name any organization, or none (partners: only their own, per row).
writes_for_any_org = is_staff


def may_write_for_org(user: AnyUser, org_id: int | None) -> bool:
    """Whether an imported row may name this organization as owner / employer / hospital."""
    if writes_for_any_org(user):
        return True
    return org_id is not None and org_id in org_ids(user)


def import_runs_visible_to(user: AnyUser) -> QuerySet[ImportRun]:
    """A run shows the rows of someone's file: only the person who started it sees it."""
    if not user.is_authenticated:
        return ImportRun.objects.none()
    return ImportRun.objects.filter(user_id=user.pk)


def kinds_for(user: AnyUser) -> list[str]:
    kinds = (ORGANIZATIONS, PEOPLE, ACHIEVEMENTS, NEEDS, *REGISTERED_KINDS)
    return [k for k in kinds if may_import_kind(user, k)]


rules.add_perm("ingest.import_table", can_import)
rules.add_perm("ingest.import_kind", may_import_kind)
rules.add_perm("ingest.import_ctgov", may_import_ctgov)
rules.add_perm("ingest.merge_organization", may_merge_organizations)
rules.add_perm("ingest.write_for_any_organization", writes_for_any_org)
rules.add_perm("ingest.export", can_import | is_viewer)
