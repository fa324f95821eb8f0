"""`{% calendar_feed_card %}`: the personal calendar feed's card, for pages of apps below
engagements (the task list) that offer it without importing engagements."""

from __future__ import annotations

from typing import Any

from django import template

from luodi.engagements.feeds import has_feed

register = template.Library()


@register.inclusion_tag("engagements/_feed_card.html", takes_context=True)
def calendar_feed_card(context: template.Context, back: str = "") -> dict[str, Any]:
    user = context["request"].user
    return {
        "has_feed": user.is_authenticated and has_feed(user),
        "back": back,
        "csrf_token": context.get("csrf_token"),
    }
