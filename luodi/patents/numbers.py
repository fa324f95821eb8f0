"""Chinese patent application numbers (专利申请号): their form and check character.

Since 2003: four digits of the year, one of the type, seven of the serial, a dot and a
check character ("2023 1 0123456 . 7"); from 1985 to 2003: two, one, five and the check.
Type: 1 invention, 2 utility model, 3 design, 8 and 9 an international (PCT) invention or
utility model entering China. The check character is the weighted sum of the digits
(weights 2–9, then 2–5) modulo 11, written 0–9 or X.
"""

from __future__ import annotations

import re

from luodi.patents.choices import PatentType

_FORM = re.compile(r"^(?:\d{8}|\d{12})[0-9X]$")
_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_TYPES = {
    "1": PatentType.INVENTION,
    "8": PatentType.INVENTION,
    "2": PatentType.UTILITY_MODEL,
    "9": PatentType.UTILITY_MODEL,
    "3": PatentType.DESIGN,
}


def normalize(number: str) -> str:
    """ "CN 202310123456.7", "ZL202310123456.7" → "202310123456.7"; other offices' numbers
    lose only their spaces."""
    compact = re.sub(r"\s+", "", number).upper()
    for prefix in ("CN", "ZL"):
        if compact.startswith(prefix) and compact[2:3].isdigit():
            compact = compact[2:]
    bare = compact.replace(".", "")
    if _FORM.match(bare):
        return f"{bare[:-1]}.{bare[-1]}"
    return compact


def check_character(digits: str) -> str:
    return "0123456789X"[sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=False)) % 11]


def problem(number: str) -> str | None:
    """Why `number` is not a valid CNIPA application number (an English key the caller
    translates), or None."""
    bare = normalize(number).replace(".", "")
    if not _FORM.match(bare):
        return "form"
    if check_character(bare[:-1]) != bare[-1]:
        return "check"
    if type_of(number) is None:
        return "type"
    return None


def type_of(number: str) -> PatentType | None:
    """The type of right the number was given for."""
    bare = normalize(number).replace(".", "")
    if not _FORM.match(bare):
        return None
    return _TYPES.get(bare[4] if len(bare) == 13 else bare[2])
