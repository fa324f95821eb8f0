"""`listing`: a list as the active language writes one (see luodi/text.py); a fixed `join:"、"`
showed Chinese punctuation on English pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from luodi.text import list_separator

register = template.Library()


@register.filter(needs_autoescape=True)
def listing(items: Iterable[Any] | None, autoescape: bool = True) -> SafeString | str:
    """The items' text joined with the active language's list separator ("" when none, so
    `|default:"—"` still applies)."""
    if not items:
        return ""
    parts = [str(i) for i in items]
    sep = list_separator(parts)
    if autoescape:
        return mark_safe(sep.join(str(conditional_escape(p)) for p in parts))
    return sep.join(parts)
