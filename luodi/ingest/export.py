"""The import page's exports: the columns of each kind and who sees which rows; written by
`catalog.exports.export_rows`.

Callers pass what the user may see and nothing else: a queryset that already went through the
app's `*_visible_to(user)` (or a list built from one). That check is theirs (record level).
`columns` is a list of (header, accessor); an accessor is a callable taking the row, or an
attribute path with dots ("owner.display_name"). The default columns per kind (COLUMNS) use
the import's field labels as headers, so an exported file imports back as updates.

Fields are the disclosure policy's (`luodi.catalog.disclosure`): every row, and every record
an attribute path passes through, is read through `disclosure.redacted`, so a withheld field
(a teaser's patent numbers, another organization's person's phone) is an empty cell, not the
value. Rows know what their user may not see when they came through `disclosure.disclosed`
(`queryset_for` does it); a record that did not is read with all its groups withheld.

The file is written by `luodi.sheets`, which keeps every cell from running as a formula.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from luodi import sheets
from luodi.accounts.rules import AnyUser
from luodi.catalog import disclosure
from luodi.catalog.exports import Columns

XLSX = sheets.XLSX


def _names(qs: Any) -> str:
    return "; ".join(str(t) for t in qs.all())


COLUMNS: dict[str, Columns] = {
    "organizations": [
        (_("name (Chinese)"), "name_zh"),
        (_("name (English)"), "name_en"),
        (_("aliases"), "aliases"),
        (_("kind"), "get_kind_display"),
        (_("province"), "province"),
        (_("city"), "city"),
        (_("district"), "district"),
        (_("address"), "address"),
        (_("website"), "website"),
        (_("description (Chinese)"), "description_zh"),
        (_("description (English)"), "description_en"),
        (_("focus areas"), lambda o: _names(o.focus_areas)),
    ],
    "people": [
        (_("name (Chinese)"), "name_zh"),
        (_("name (English)"), "name_en"),
        (_("organization"), "organization.display_name"),
        (_("title / position"), "title"),
        (_("email"), "email"),
        (_("phone"), "phone"),
        (_("expertise"), "expertise"),
        (_("consents to be contacted"), "consent_to_contact"),
    ],
    "achievements": [
        (_("title (Chinese)"), "title_zh"),
        (_("title (English)"), "title_en"),
        (_("summary (Chinese)"), "summary_zh"),
        (_("summary (English)"), "summary_en"),
        (_("type"), "get_kind_display"),
        (_("owner"), "owner.display_name"),
        (_("development stage"), "get_stage_display"),
        (_("therapeutic areas"), lambda a: _names(a.therapeutic_areas)),
        (_("technology fields"), lambda a: _names(a.technology_fields)),
        (_("patent numbers"), "patent_numbers"),
        (_("IP status"), "ip_status"),
        (_("disclosure tier"), "get_disclosure_display"),
    ],
    "needs": [
        (_("title (Chinese)"), "title_zh"),
        (_("title (English)"), "title_en"),
        (_("problem"), "problem"),
        (_("current practice"), "current_practice"),
        (_("desired solution"), "desired_solution"),
        (_("constraints"), "constraints"),
        (_("specialty"), "specialty"),
        (_("hospital / organization"), "organization.display_name"),
    ],
}


def queryset_for(kind: str, user: AnyUser) -> QuerySet[Any]:
    """The records of a kind that `user` may see (the catalog's visible_to querysets), each
    marked with the fields `user` may not see of it (the export view hands the writer the
    queryset, not the user)."""
    return disclosure.disclosed(_visible(kind, user), user)


def _visible(kind: str, user: AnyUser) -> QuerySet[Any]:
    from luodi.catalog import rules as catalog_rules

    if kind == "organizations":
        return catalog_rules.organizations_visible_to(user).prefetch_related("focus_areas")
    if kind == "people":
        return catalog_rules.people_visible_to(user).select_related("organization")
    if kind == "achievements":
        return (
            catalog_rules.achievements_visible_to(user)
            .select_related("owner")
            .prefetch_related("therapeutic_areas", "technology_fields")
        )
    return catalog_rules.needs_visible_to(user).select_related("organization", "specialty")
