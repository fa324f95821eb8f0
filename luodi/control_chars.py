"""Invisible control characters are refused wherever people hand Luodi text.

A C0 control character other than tab, line feed and carriage return (U+0000–U+001F), or DEL
(U+007F), never belongs in a title, a note or a name: it arrives by pasting from another
program, shows as nothing, breaks search and matching, and most of them cannot be stored in
an .xlsx file at all. One check, applied once per way in:

- web forms: `NoControlChars`, the first base of the catalog, pipeline and engagements forms
  (every `CharField` of the form, including list and JSON fields, gets the validator);
- the API: `InputSchema`, the base of the input schemas of the same apps;
- imports: `luodi.ingest.tables.clean_row` and `luodi.ingest.ctgov.parse` report the row.

Text stored before this check still exports: `luodi.sheets` drops what a spreadsheet cannot
hold.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from pydantic import field_validator
from pydantic_core import PydanticCustomError

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

MESSAGE = gettext_lazy("Contains an invisible control character (%(char)s); remove it.")


def find(value: Any) -> str | None:
    """The first control character in a text, or in the texts of a list or dict."""
    if isinstance(value, str):
        hit = CONTROL_CHARS.search(value)
        return hit.group() if hit else None
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            char = find(item)
            if char is not None:
                return char
    return None


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def message(char: str) -> str:
    """The error, in the active language, naming the character ("U+000B")."""
    return str(MESSAGE) % {"char": code_point(char)}


def reject_control_chars(value: Any) -> None:
    """A Django validator (forms, models) for a text or a list of texts."""
    char = find(value)
    if char is not None:
        raise ValidationError(MESSAGE, code="control_character", params={"char": code_point(char)})


class NoControlChars(forms.BaseForm):
    """Form base: every text field refuses control characters with a field error.

    Hooked into `full_clean` rather than declared per field so that the fields a ModelForm
    generates, and those a form adds in its `__init__`, are covered too. `self.fields` is a
    per-instance copy, so the class's fields are never changed.
    """

    def full_clean(self) -> None:
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and reject_control_chars not in field.validators:
                field.validators.append(reject_control_chars)
        super().full_clean()


class InputSchema(Schema):
    """API input base: every text field (and list of texts) refuses control characters.

    The error names the field, like any other validation error: 422 with
    `{"error": {"fields": {"title_zh": ["Contains an invisible control character …"]}}}`.
    """

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_chars(cls, value: Any) -> Any:
        char = find(value)
        if char is not None:
            raise PydanticCustomError("control_character", "{message}", {"message": message(char)})
        return value


def row_reason(field: str, char: str) -> str:
    """An import's reason for a bad cell, naming its column."""
    return _("%(field)s contains an invisible control character (%(char)s); remove it.") % {
        "field": field,
        "char": code_point(char),
    }
