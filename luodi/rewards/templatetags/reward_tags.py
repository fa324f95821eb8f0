"""Template tags of rewards, for pages of apps below it (the ledger must not import rewards):

- `{% reward_split_link entry %}`: on a received income entry of the ledger, the link to its
  reward split (or to compute one), for those who keep the institution's rewards.
- `{% rewards_links institution %}`: the way from an institution's ledger to its rewards.
- `{{ bp|bp }}`: basis points as a percentage (7000 → "70%", 6250 → "62.5%").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from luodi.catalog.models import Organization
from luodi.ledger.choices import LedgerDirection, LedgerStatus
from luodi.ledger.models import LedgerEntry
from luodi.rewards.models import RewardDistribution

register = template.Library()
PERM = "rewards.keep_rewards"
_CACHE = "luodi_rewards_split_of"


@register.filter
def bp(value: Any) -> str:
    if value is None or value == "":
        return ""
    percent = Decimal(int(value)).scaleb(-2).normalize()
    return f"{percent:f}%"


def _distributions(context: template.Context, entry: LedgerEntry) -> dict[int, Any]:
    """The distribution of each entry the page lists (one query for the page, cached for the
    render), as (pk, state label, state)."""
    cache: dict[int, Any] | None = context.render_context.get(_CACHE)
    if cache is None or entry.pk not in cache:
        ids = {entry.pk}
        for row in context.get("rows") or []:
            listed = row.get("entry") if isinstance(row, dict) else None
            if isinstance(listed, LedgerEntry):
                ids.add(listed.pk)
        found = RewardDistribution.objects.filter(entry_id__in=ids).only("pk", "entry", "state")
        cache = {**(cache or {}), **dict.fromkeys(ids)}
        for d in found:
            cache[d.entry_id] = (d.pk, d.get_state_display(), d.state)
        context.render_context[_CACHE] = cache
    return cache


@register.inclusion_tag("rewards/_split_link.html", takes_context=True)
def reward_split_link(context: template.Context, entry: LedgerEntry) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = (
        user is not None
        and entry.direction == LedgerDirection.INCOME
        and entry.status == LedgerStatus.RECEIVED
        and user.has_perm(PERM, entry)
    )
    if not shown:
        return {"shown": False}
    made = _distributions(context, entry).get(entry.pk)
    return {"shown": True, "entry": entry, "made": made}


@register.inclusion_tag("rewards/_ledger_links.html", takes_context=True)
def rewards_links(context: template.Context, institution: Organization | None) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = institution is not None and user is not None and user.has_perm(PERM, institution)
    return {"shown": shown, "institution": institution}
