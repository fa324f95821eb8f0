"""Template filters of the registration options."""

from __future__ import annotations

from django import template

from luodi import money

register = template.Library()


@register.filter
def yuan(amount_fen: int | None) -> str:
    """A fee kept in fen, shown in yuan: 120000 → "¥1,200.00"."""
    return money.shown(amount_fen)
