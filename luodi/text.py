"""Text as each language writes it: lists enumerated with 、 in Chinese (肿瘤、心血管) and
with commas in English, or semicolons when an item has a comma of its own ("Diabetes
mellitus, type 1; Cataract"), so the items stay told apart."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import get_language


def list_separator(parts: Iterable[str], language: str | None = None) -> str:
    lang = (language or get_language() or "").lower()
    if lang.startswith("zh"):
        return "、"
    return "; " if any("," in p for p in parts) else ", "


def join_items(items: Iterable[Any], language: str | None = None) -> str:
    parts = [str(i) for i in items]
    return list_separator(parts, language).join(parts)
