"""Report scopes: the parks and therapeutic areas a user may narrow a report to, and the
validated `Scope` built from a choice (web form and API share this, so both refuse the same).

Who may choose what:
- staff and viewers: the whole portfolio, any park they can see, any therapeutic area;
- partners: the whole portfolio (their own projects), their own park(s) only, any area.
A scope narrows numbers the role already sees; it never widens them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from luodi.accounts.rules import AnyUser, org_ids
from luodi.catalog.choices import OrganizationKind
from luodi.catalog.models import Organization
from luodi.catalog.rules import organizations_visible_to
from luodi.insights.base import EVERYTHING, Scope
from luodi.insights.layout import area_roots

if TYPE_CHECKING:
    from luodi.insights.models import ReportJob

ALL, PARK, AREA = "all", "park", "area"


class ScopeError(ValueError):
    """The requested scope is unknown or not allowed for this user."""


def allowed_parks(user: AnyUser) -> QuerySet[Organization]:
    parks = organizations_visible_to(user).filter(
        kind=OrganizationKind.PARK, archived_at__isnull=True
    )
    if user.has_perm("insights.report_on_any_park"):
        return parks.order_by("name_zh", "pk")
    return parks.filter(pk__in=org_ids(user)).order_by("name_zh", "pk")


def allowed_areas() -> list[tuple[int, str]]:
    """Top-level therapeutic areas (a choice covers every term below it)."""
    return sorted(set(area_roots().values()), key=lambda pair: (pair[1], pair[0]))


def encode(kind: str, ref: int | None = None) -> str:
    return ALL if kind == ALL or ref is None else f"{kind}:{ref}"


def decode(value: str) -> tuple[str, int | None]:
    """`park:3` → ("park", 3); `all` → ("all", None); anything else raises ScopeError."""
    if value == ALL:
        return ALL, None
    kind, _sep, ref = value.partition(":")
    if kind not in (PARK, AREA) or not ref.isdigit():
        raise ScopeError(_("Choose a scope from the list."))
    return kind, int(ref)


def form_choices(user: AnyUser) -> list[tuple[str, Any]]:
    """Grouped choices for a select: whole portfolio, then parks, then areas."""
    out: list[tuple[str, Any]] = [(ALL, _("Whole portfolio (within your permissions)"))]
    parks = [(encode(PARK, p.pk), str(p)) for p in allowed_parks(user)]
    if parks:
        out.append((_("Park"), parks))
    areas = [(encode(AREA, pk), label) for pk, label in allowed_areas()]
    if areas:
        out.append((_("Therapeutic area"), areas))
    return out


def resolve(user: AnyUser, kind: str, ref: int | None) -> Scope:
    """The Scope for a choice, or ScopeError when it is unknown or not the user's to make."""
    if kind == ALL:
        return Scope(label=_("Whole portfolio"))
    if kind == PARK and ref is not None:
        park = allowed_parks(user).filter(pk=ref).first()
        if park is None:
            raise ScopeError(_("You may not report on this park."))
        return Scope(PARK, park_id=park.pk, label=_("Park: %(name)s") % {"name": park})
    if kind == AREA and ref is not None:
        roots = area_roots()
        labels = dict(roots.values())
        if ref not in labels:
            raise ScopeError(_("Unknown therapeutic area."))
        subtree = tuple(sorted(t for t, (root, _l) in roots.items() if root == ref))
        return Scope(
            AREA,
            area_ids=subtree,
            label=_("Therapeutic area: %(name)s") % {"name": labels[ref]},
        )
    raise ScopeError(_("Choose a scope from the list."))


def of_job(job: ReportJob) -> Scope:
    """The stored scope of a report, re-checked against its requester's permissions now (a
    partner who left the park's organization no longer gets its numbers)."""
    if job.scope == ALL:
        return resolve(job.requested_by, ALL, None)
    ref = job.scope_park_id if job.scope == PARK else job.scope_area_id
    if ref is None:
        raise ScopeError(_("The park or area of this report no longer exists."))
    return resolve(job.requested_by, job.scope, ref)


__all__ = ["EVERYTHING", "Scope", "ScopeError", "form_choices", "of_job", "resolve"]
