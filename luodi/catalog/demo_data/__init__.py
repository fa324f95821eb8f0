"""The catalog's demo ecosystem: parks, hospitals, institutes, companies, investors, people,
achievements and clinical needs centred on Chengdu.

`load(out)` seeds the taxonomy first, then loads everything idempotently: rows are matched on
natural keys (organization name, person email, carrier name within its park, achievement title
and kind, need title within its hospital), so a second run creates nothing. Real names (parks,
hospitals, universities, public bodies) are public facts; every person, company, investor,
achievement and need is fictional and flagged `is_demo=True`: pages show the flag as a badge,
the text carries no marker.
"""

from __future__ import annotations

import time

from django.db import transaction

from luodi.catalog.choices import OrganizationKind
from luodi.catalog.demo_data.achievements import load_achievements
from luodi.catalog.demo_data.common import Loader
from luodi.catalog.demo_data.hospitals import HOSPITALS, load_hospitals
from luodi.catalog.demo_data.needs import load_needs
from luodi.catalog.demo_data.orgs import load_orgs, owners_by_tech
from luodi.catalog.demo_data.parks import PARKS, load_parks
from luodi.catalog.demo_data.people import People
from luodi.catalog.models import Organization
from luodi.catalog.taxonomy import Writer, seed_taxonomy

__all__ = ["load", "load_catalog"]


def _sichuan_hospitals_by_specialty() -> dict[str, list[Organization]]:
    names = [h.zh for h in HOSPITALS if h.province == "四川省"]
    out: dict[str, list[Organization]] = {}
    hospitals = (
        Organization.objects.filter(
            name_zh__in=names, kind=OrganizationKind.HOSPITAL, clinical_center__isnull=False
        )
        .prefetch_related("clinical_center__specialties")
        .order_by("pk")
    )
    for org in hospitals:
        for term in org.clinical_center.specialties.all():
            out.setdefault(term.code, []).append(org)
    return out


def load(out: Writer) -> None:
    """The demo loader (`luodi.demo.LOADERS`): the taxonomy, then the catalog demo data."""
    load_catalog(out)


@transaction.atomic
def load_catalog(out: Writer) -> dict[str, int]:
    """Load the catalog demo data; returns the number of rows created per model."""
    started = time.monotonic()
    seed_taxonomy(out)
    ld = Loader()
    people = People(ld)
    load_parks(ld)
    for park in PARKS:
        people.make(
            ld.get_org(park.zh), "招商部经理", "Investment promotion manager", "园区招商与项目服务"
        )
    clinicians = load_hospitals(ld, people)
    load_orgs(ld, people)
    ld.flush()  # the owner and hospital look-ups below read focus areas and specialties
    load_achievements(ld, people, owners_by_tech(ld), _sichuan_hospitals_by_specialty())
    load_needs(ld, people, clinicians)
    ld.flush()
    created = dict(sorted(ld.created.items()))
    summary = ", ".join(f"{n} {m}" for m, n in created.items()) or "nothing new"
    out.write(f"  catalog demo: {summary} ({time.monotonic() - started:.1f} s)\n")
    return created
