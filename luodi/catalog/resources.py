"""One description per catalog object type, shared by the generic list/detail/form views,
exports and the menu, so each type is declared once instead of five near-copy views."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from luodi.accounts.rules import AnyUser
from luodi.catalog import forms, rules
from luodi.catalog.models import Achievement, Carrier, ClinicalNeed, Organization, Person
from luodi.text import join_items


@dataclass(frozen=True)
class Column:
    """A list (and list export) column. `value` is handed the row as the disclosure policy
    lets the user see it (`disclosure.redacted`): a withheld field reads as None there."""

    header: str | Promise
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Resource:
    slug: str
    model: type[Model]
    label: str | Promise
    label_plural: str | Promise
    visible: Callable[[AnyUser], QuerySet[Any]]
    form: type[forms.OwnedForm]
    filter_form: type[forms.FilterForm]
    columns: list[Column]
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    m2m: tuple[str, ...] = ()
    reviewed: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def form_fields(self) -> list[str]:
        """Plain (non-m2m) fields that the edit form writes."""
        return [n for n in (self.form._meta.fields or []) if n not in self.m2m]

    @property
    def perm_name(self) -> str:
        return self.model._meta.model_name or ""

    def queryset(self, user: AnyUser) -> QuerySet[Any]:
        return self.visible(user).select_related(*self.related).prefetch_related(*self.prefetch)


RESOURCES: dict[str, Resource] = {
    r.slug: r
    for r in [
        Resource(
            slug="organizations",
            model=Organization,
            label=_("organization"),
            label_plural=_("Organizations"),
            visible=rules.organizations_visible_to,
            form=forms.OrganizationForm,
            filter_form=forms.OrganizationFilter,
            m2m=("focus_areas",),
            columns=[
                Column(_("name"), lambda o: o.display_name),
                Column(_("kind"), lambda o: o.get_kind_display()),
                Column(_("district"), lambda o: o.district),
                Column(_("name (English)"), lambda o: o.name_en),
            ],
        ),
        Resource(
            slug="achievements",
            model=Achievement,
            label=_("achievement"),
            label_plural=_("Achievements"),
            visible=rules.achievements_visible_to,
            form=forms.AchievementForm,
            filter_form=forms.AchievementFilter,
            related=("owner",),
            prefetch=("therapeutic_areas",),
            m2m=("therapeutic_areas", "technology_fields"),
            columns=[
                Column(_("title"), lambda a: a.title),
                Column(_("type"), lambda a: a.get_kind_display()),
                Column(_("development stage"), lambda a: a.get_stage_display()),
                Column(_("owner"), lambda a: a.owner.display_name),
                Column(_("therapeutic areas"), lambda a: join_items(a.therapeutic_areas.all())),
                Column(_("disclosure tier"), lambda a: a.get_disclosure_display()),
            ],
        ),
        Resource(
            slug="needs",
            model=ClinicalNeed,
            label=_("clinical need"),
            label_plural=_("Clinical needs"),
            visible=rules.needs_visible_to,
            form=forms.ClinicalNeedForm,
            filter_form=forms.ClinicalNeedFilter,
            related=("organization", "specialty"),
            columns=[
                Column(_("title"), lambda n: n.title),
                Column(_("specialty"), lambda n: n.specialty or ""),
                Column(_("hospital / organization"), lambda n: n.organization.display_name),
            ],
        ),
        Resource(
            slug="people",
            model=Person,
            label=_("person"),
            label_plural=_("People"),
            visible=rules.people_visible_to,
            form=forms.PersonForm,
            filter_form=forms.PersonFilter,
            related=("organization",),
            columns=[
                Column(_("name"), lambda p: str(p)),
                Column(_("title / position"), lambda p: p.title),
                Column(
                    _("organization"),
                    lambda p: p.organization.display_name if p.organization else "",
                ),
            ],
        ),
        Resource(
            slug="carriers",
            model=Carrier,
            label=_("carrier"),
            label_plural=_("Carriers"),
            visible=rules.carriers_visible_to,
            form=forms.CarrierForm,
            filter_form=forms.CarrierFilter,
            related=("park",),
            reviewed=False,
            columns=[
                Column(_("name"), lambda c: c.name),
                Column(_("park"), lambda c: c.park.display_name),
                Column(_("type"), lambda c: c.get_carrier_type_display()),
                Column(_("available area (m²)"), lambda c: c.area_available_m2),
                Column(_("total area (m²)"), lambda c: c.area_total_m2),
                Column(_("ready date"), lambda c: c.ready_date or ""),
            ],
        ),
    ]
}
