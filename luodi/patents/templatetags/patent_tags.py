"""`{% patent_records achievement %}`: the patent records backing an achievement, for the
catalog's achievement page, which sits below patents and must not import it. Only patents
the user may see are listed (rules.patents_visible_to)."""

from __future__ import annotations

from typing import Any

from django import template

from luodi.catalog.models import Achievement
from luodi.patents.rules import patents_visible_to

register = template.Library()


@register.inclusion_tag("patents/_for_achievement.html", takes_context=True)
def patent_records(context: template.Context, achievement: Achievement) -> dict[str, Any]:
    user = context["request"].user
    patents = (
        patents_visible_to(user)
        .filter(achievements=achievement)
        .prefetch_related("payments")
        .order_by("-filing_date", "pk")
    )
    return {"patents": list(patents)}
