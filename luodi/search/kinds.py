"""What is searchable, per object type: the index fields (never e-mail, phone or a dossier),
the permission queryset it starts from, and how a hit is shown."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import models
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from luodi.accounts.rules import AnyUser
from luodi.catalog import rules
from luodi.catalog.choices import AchievementKind, CarrierType, OrganizationKind, Stage
from luodi.catalog.models import (
    Achievement,
    Carrier,
    ClinicalNeed,
    Organization,
    Person,
    Term,
    Trial,
)


@dataclass(frozen=True)
class Card:
    """Display text of one hit (active language first), before highlighting."""

    title: str
    alt_title: str
    texts: list[str]  # snippet candidates, most relevant first
    meta: str
    url: str
    archived: bool = False


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str | Promise
    model: type[Model]
    visible: Callable[[AnyUser], QuerySet[Any]]
    fields: Callable[[Any], dict[str, str]]
    card: Callable[[Any], Card]
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    org_fk: str | None = None  # FK to Organization whose name is indexed with the record
    archivable: bool = True
    has_updated_at: bool = True

    def rows(self) -> QuerySet[Any]:
        """Every record (the index holds all text; permissions are applied per query)."""
        return (
            self.model._default_manager.all()
            .select_related(*self.related)
            .prefetch_related(*self.prefetch)
        )

    def doc_id(self, pk: int) -> str:
        return f"{self.slug}:{pk}"


@cache
def _both(choices: type[models.TextChoices], value: str) -> str:
    """A choice label in Chinese and English (both are searchable whatever the UI language)."""
    label = dict(choices.choices).get(value)
    if label is None:
        return ""
    with translation.override("zh-hans"):
        zh = str(label)
    with translation.override("en"):
        en = str(label)
    return zh if zh == en else f"{zh} {en}"


def _join(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p)


def _terms(terms: Iterable[Term]) -> str:
    return _join(*(_join(t.label_zh, t.label_en) for t in terms))


def _org_names(org: Organization | None) -> str:
    return _join(org.name_zh, org.name_en) if org is not None else ""


def _other(zh: str, en: str, shown: str) -> str:
    other = zh if shown == en else en
    return other if other and other != shown else ""


def _detail(slug: str, pk: int) -> str:
    return reverse("catalog:detail", args=(slug, pk))


def _dot(*parts: object) -> str:
    return " · ".join(str(p) for p in parts if p)


# -- organizations ---------------------------------------------------------------------------


def _org_fields(o: Organization) -> dict[str, str]:
    return {
        "title": _join(o.name_zh, o.name_en),
        "aliases": _join(*(str(a) for a in (o.aliases or []))),
        "summary": _join(o.description_zh, o.description_en),
        "keywords": _join(_both(OrganizationKind, o.kind), _terms(o.focus_areas.all())),
        "body": _join(o.district, o.city),
    }


def _org_card(o: Organization) -> Card:
    desc = o.description
    return Card(
        title=o.display_name,
        alt_title=_other(o.name_zh, o.name_en, o.display_name),
        texts=[
            desc,
            _other(o.description_zh, o.description_en, desc),
            "、".join(str(a) for a in (o.aliases or [])),
        ],
        meta=_dot(o.get_kind_display(), o.district),
        url=_detail("organizations", o.pk),
        archived=o.archived_at is not None,
    )


# -- achievements (the dossier is never indexed) ---------------------------------------------


def _achievement_fields(a: Achievement) -> dict[str, str]:
    return {
        "title": _join(a.title_zh, a.title_en),
        "summary": _join(a.summary_zh, a.summary_en),
        "keywords": _join(
            _terms(a.therapeutic_areas.all()),
            _terms(a.technology_fields.all()),
            _both(AchievementKind, a.kind),
            _both(Stage, a.stage),
        ),
        "body": _org_names(a.owner),
    }


def _achievement_card(a: Achievement) -> Card:
    summary = a.summary
    return Card(
        title=a.title,
        alt_title=_other(a.title_zh, a.title_en, a.title),
        texts=[
            summary,
            _other(a.summary_zh, a.summary_en, summary),
            "、".join(str(t) for t in a.therapeutic_areas.all()),
        ],
        meta=_dot(a.get_kind_display(), a.get_stage_display(), a.owner.display_name),
        url=_detail("achievements", a.pk),
        archived=a.archived_at is not None,
    )


# -- clinical needs --------------------------------------------------------------------------


def _need_fields(n: ClinicalNeed) -> dict[str, str]:
    return {
        "title": _join(n.title_zh, n.title_en),
        "summary": n.problem,
        "keywords": _terms([n.specialty]) if n.specialty else "",
        "body": _join(
            n.current_practice, n.desired_solution, n.constraints, _org_names(n.organization)
        ),
    }


def _need_card(n: ClinicalNeed) -> Card:
    return Card(
        title=n.title,
        alt_title=_other(n.title_zh, n.title_en, n.title),
        texts=[n.problem, n.desired_solution, n.current_practice, n.constraints],
        meta=_dot(n.organization.display_name, n.specialty or ""),
        url=_detail("needs", n.pk),
        archived=n.archived_at is not None,
    )


# -- people (never e-mail or phone) ----------------------------------------------------------


def _person_fields(p: Person) -> dict[str, str]:
    return {
        "title": _join(p.name_zh, p.name_en),
        "keywords": p.title,
        "summary": p.expertise,
        "body": _org_names(p.organization),
    }


def _person_card(p: Person) -> Card:
    name = str(p)
    return Card(
        title=name,
        alt_title=_other(p.name_zh, p.name_en, name),
        texts=[p.expertise, p.title],
        meta=_dot(p.title, p.organization.display_name if p.organization else ""),
        url=_detail("people", p.pk),
        archived=p.archived_at is not None,
    )


# -- carriers --------------------------------------------------------------------------------


def _carrier_fields(c: Carrier) -> dict[str, str]:
    return {
        "title": c.name,
        "summary": c.description,
        "keywords": _join(
            _both(CarrierType, c.carrier_type), *(str(x) for x in (c.certifications or []))
        ),
        "body": _org_names(c.park),
    }


def _carrier_card(c: Carrier) -> Card:
    return Card(
        title=c.name,
        alt_title="",
        texts=[c.description, "、".join(str(x) for x in (c.certifications or []))],
        meta=_dot(c.get_carrier_type_display(), c.park.display_name),
        url=_detail("carriers", c.pk),
        archived=c.archived_at is not None,
    )


# -- trials (public registry records) --------------------------------------------------------


def _trial_fields(t: Trial) -> dict[str, str]:
    return {
        "title": t.title,
        "summary": t.conditions,
        "keywords": _join(t.registry_id, t.phase),
        "body": _join(t.interventions, t.summary, _org_names(t.sponsor)),
    }


def _trial_card(t: Trial) -> Card:
    url = (
        f"https://clinicaltrials.gov/study/{t.registry_id}"
        if t.registry_id.upper().startswith("NCT")
        else ""
    )
    return Card(
        title=t.title,
        alt_title="",
        texts=[t.conditions, t.interventions, t.summary],
        meta=_dot(t.registry_id, t.phase, t.status),
        url=url,
    )


KINDS: dict[str, Kind] = {
    k.slug: k
    for k in [
        # Organizations first: the others index their organization's names (see engine).
        Kind(
            "organizations",
            _("Organizations"),
            Organization,
            rules.organizations_visible_to,
            _org_fields,
            _org_card,
            prefetch=("focus_areas",),
        ),
        Kind(
            "achievements",
            _("Achievements"),
            Achievement,
            rules.achievements_visible_to,
            _achievement_fields,
            _achievement_card,
            related=("owner",),
            prefetch=("therapeutic_areas", "technology_fields"),
            org_fk="owner_id",
        ),
        Kind(
            "needs",
            _("Clinical needs"),
            ClinicalNeed,
            rules.needs_visible_to,
            _need_fields,
            _need_card,
            related=("organization", "specialty"),
            org_fk="organization_id",
        ),
        Kind(
            "people",
            _("People"),
            Person,
            rules.people_visible_to,
            _person_fields,
            _person_card,
            related=("organization",),
            org_fk="organization_id",
        ),
        Kind(
            "carriers",
            _("Carriers"),
            Carrier,
            rules.carriers_visible_to,
            _carrier_fields,
            _carrier_card,
            related=("park",),
            org_fk="park_id",
            has_updated_at=False,
        ),
        Kind(
            "trials",
            _("Trials"),
            Trial,
            rules.trials_visible_to,
            _trial_fields,
            _trial_card,
            related=("sponsor",),
            org_fk="sponsor_id",
            archivable=False,
        ),
    ]
}
