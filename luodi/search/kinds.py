"""What is searchable, per object type: the retrieval kind it reads (whose documents never
hold an e-mail, a phone number or a dossier), the permission queryset that stays the
authority on what is shown and counted, and how a hit is shown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from luodi.accounts.rules import AnyUser
from luodi.catalog import rules
from luodi.catalog.choices import (
    AchievementKind,
    CarrierType,
    OrganizationKind,
    Stage,
    choice_label,
)
from luodi.catalog.models import (
    Achievement,
    Carrier,
    ClinicalNeed,
    Organization,
    Person,
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
    slug: str  # in URLs and the API: "achievements"
    label: str | Promise
    index: str  # the retrieval kind whose index is searched: "achievement"
    visible: Callable[[AnyUser], QuerySet[Any]]
    card: Callable[[Any], Card]
    names: tuple[str, ...]  # fields whose text is its name (both languages): exact names first
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    archivable: bool = True


def _join(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p)


def _other(zh: str, en: str, shown: str) -> str:
    other = zh if shown == en else en
    return other if other and other != shown else ""


def _detail(slug: str, pk: int) -> str:
    return reverse("catalog:detail", args=(slug, pk))


def _dot(*parts: object) -> str:
    return " · ".join(str(p) for p in parts if p)


# -- organizations ---------------------------------------------------------------------------


# Choice labels come through choice_label, not get_FOO_display(): that one translates every
# choice of the field on each call, a tenth of a search's time at 100k achievements.


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
        meta=_dot(choice_label(OrganizationKind, o.kind), o.district),
        url=_detail("organizations", o.pk),
        archived=o.archived_at is not None,
    )


# -- achievements (the dossier is never indexed) ---------------------------------------------


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
        meta=_dot(
            choice_label(AchievementKind, a.kind),
            choice_label(Stage, a.stage),
            a.owner.display_name,
        ),
        url=_detail("achievements", a.pk),
        archived=a.archived_at is not None,
    )


# -- clinical needs --------------------------------------------------------------------------


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


def _carrier_card(c: Carrier) -> Card:
    return Card(
        title=c.name,
        alt_title="",
        texts=[c.description, "、".join(str(x) for x in (c.certifications or []))],
        meta=_dot(choice_label(CarrierType, c.carrier_type), c.park.display_name),
        url=_detail("carriers", c.pk),
        archived=c.archived_at is not None,
    )


# -- trials (public registry records) --------------------------------------------------------


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
        Kind(
            "organizations",
            _("Organizations"),
            "organization",
            rules.organizations_visible_to,
            _org_card,
            ("name_zh", "name_en"),
        ),
        Kind(
            "achievements",
            _("Achievements"),
            "achievement",
            rules.achievements_visible_to,
            _achievement_card,
            ("title_zh", "title_en"),
            related=("owner",),
            prefetch=("therapeutic_areas",),
        ),
        Kind(
            "needs",
            _("Clinical needs"),
            "need",
            rules.needs_visible_to,
            _need_card,
            ("title_zh", "title_en"),
            related=("organization", "specialty"),
        ),
        Kind(
            "people",
            _("People"),
            "person",
            rules.people_visible_to,
            _person_card,
            ("name_zh", "name_en"),
            related=("organization",),
        ),
        Kind(
            "carriers",
            _("Carriers"),
            "carrier",
            rules.carriers_visible_to,
            _carrier_card,
            ("name",),
            related=("park",),
        ),
        Kind(
            "trials",
            _("Trials"),
            "trial",
            rules.trials_visible_to,
            _trial_card,
            ("title",),
            archivable=False,
        ),
    ]
}
