"""`{% grant_records achievement %}`: the grants (赋权) of an achievement, for the catalog's
achievement page, which sits below grants and must not import it. Only grants the user may
see are listed (rules.grants_visible_to); nothing is shown otherwise."""

from __future__ import annotations

from typing import Any

from django import template

from luodi.catalog.models import Achievement
from luodi.grants.domain import percent
from luodi.grants.rules import grants_visible_to

register = template.Library()


@register.inclusion_tag("grants/_for_achievement.html", takes_context=True)
def grant_records(context: template.Context, achievement: Achievement) -> dict[str, Any]:
    user = context["request"].user
    grants = grants_visible_to(user).filter(achievement=achievement).order_by("-created_at", "-pk")
    rows = [
        {
            "pk": g.pk,
            "get_kind_display": g.get_kind_display(),
            "get_status_display": g.get_status_display(),
            "share": percent(g.team_share_bp),
        }
        for g in grants
    ]
    return {"grants": rows, "achievement": achievement}
