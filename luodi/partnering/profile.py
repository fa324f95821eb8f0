"""What a participant offers and seeks, prefilled from the catalog: the organization's
published achievements (offer), its clinical needs and what its achievements and company
profile say it needs (seek), and its description. Only published, listed records are read,
so a prefill never copies a confidential title into a text other participants see."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from luodi.catalog.choices import AchievementNeed, CompanyNeed, Disclosure, ReviewStatus
from luodi.catalog.models import Achievement, ClinicalNeed, Organization

LISTED = 5


@dataclass(frozen=True)
class Prefill:
    offer: str
    seek: str


def _label(choices: type[AchievementNeed] | type[CompanyNeed], code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def prefill(org: Organization) -> Prefill:
    published = {"status": ReviewStatus.PUBLISHED, "archived_at__isnull": True}
    achievements = list(
        Achievement.objects.filter(owner=org, disclosure=Disclosure.PUBLIC, **published).order_by(
            "-updated_at", "-id"
        )[:LISTED]
    )
    needs = list(
        ClinicalNeed.objects.filter(organization=org, **published).order_by("-updated_at")[:LISTED]
    )
    offer = [f"· {a.title}" for a in achievements]
    if org.description:
        offer.append(org.description[:300])
    wanted: list[str] = []
    for a in achievements:
        wanted += [_label(AchievementNeed, str(n)) for n in a.needs or []]
    company = getattr(org, "company", None)
    if company is not None:
        wanted += [_label(CompanyNeed, str(n)) for n in company.needs or []]
    seek = [f"· {n.title}" for n in needs]
    if wanted:
        seek.append(_("Looking for: %(list)s") % {"list": "、".join(dict.fromkeys(wanted))})
    return Prefill(offer="\n".join(offer), seek="\n".join(seek))
