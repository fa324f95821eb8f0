"""The zh-Hans catalog is complete and its compiled .mo matches the .po (both committed)."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "luodi" / "locale" / "zh_Hans" / "LC_MESSAGES"


def _entries(path: Path) -> list[tuple[str, str, str]]:
    """(context, msgid, first msgstr) of each entry of a .po file; enough of the format for
    this check."""
    entries: list[tuple[str, str, str]] = []
    context = msgid = msgstr = ""
    current = ""
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if line.startswith("#"):
            continue
        if not line:
            if msgid:
                entries.append((context, msgid, msgstr))
            context = msgid = msgstr = current = ""
            continue
        key, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if current == "msgid":
                msgid += value
            elif current == "msgstr":
                msgstr += value
            continue
        if key == "msgctxt":
            current, context = "", ast.literal_eval(rest)
        elif key == "msgid":
            current, msgid = "msgid", ast.literal_eval(rest)
        elif key in ("msgstr", "msgstr[0]"):
            current, msgstr = "msgstr", ast.literal_eval(rest)
        else:
            current = ""
    return entries


def test_every_message_has_a_chinese_translation() -> None:
    missing = [msgid for _ctx, msgid, msgstr in _entries(PO / "django.po") if not msgstr]
    assert missing == [], "translate these in luodi/locale/zh_Hans/LC_MESSAGES/django.po"


def test_compiled_catalog_matches_the_po_file() -> None:
    with (PO / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [
        msgid
        for context, msgid, msgstr in _entries(PO / "django.po")
        if "%" not in msgid
        and (compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)) != msgstr
    ]
    assert stale == [], "run `make messages` to recompile django.mo"
