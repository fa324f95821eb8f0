"""`listing`: a list as its language writes one. Chinese enumerates with 、
(治疗领域：肿瘤、心血管), English with a comma; a fixed `join:"、"` showed Chinese
punctuation on English pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()


def separator(language: str | None = None) -> str:
    lang = (language or get_language() or "").lower()
    return "、" if lang.startswith("zh") else ", "


@register.filter(needs_autoescape=True)
def listing(items: Iterable[Any] | None, autoescape: bool = True) -> SafeString | str:
    """The items' text joined with the active language's list separator ("" when none, so
    `|default:"—"` still applies)."""
    if not items:
        return ""
    parts = [str(i) for i in items]
    if autoescape:
        return mark_safe(separator().join(str(conditional_escape(p)) for p in parts))
    return separator().join(parts)
