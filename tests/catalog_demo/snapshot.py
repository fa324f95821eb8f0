"""A canonical snapshot of the catalog rows the demo creates, to prove that two ways of
loading it give the same ecosystem (issue #23: the demo moved from Python literals to data
files read by the importer).

Every row of every catalog model, every field and many-to-many link, foreign keys by natural
key (organization name, person email, term scheme:code …), without primary keys and
timestamps; plus, per model, the natural keys in primary-key order (ties in rankings are
broken by primary key, so the order of creation is part of "the same demo").

    LUODI_VAR_DIR=/tmp/snap LUODI_SECRET_KEY=x LUODI_MATCH_ENCODER=hashing LUODI_HTTPS=false \
        .venv/bin/python -m tests.catalog_demo.snapshot write OUT.json   # fresh DB, demo, dump
    .venv/bin/python -m tests.catalog_demo.snapshot diff A.json B.json
"""

from __future__ import annotations

import io
import json
import sys
import time
from decimal import Decimal
from typing import Any

# Fields that say when or how often a row was written, not what the demo is.
SKIPPED = {"id", "created_at", "updated_at", "version"}


def _natural(obj: Any) -> str:
    """A row's natural key, the same in every database."""
    from luodi.accounts.models import User
    from luodi.catalog.models import (
        Achievement,
        Carrier,
        ClinicalNeed,
        Organization,
        Person,
        Term,
    )

    if obj is None:
        return ""
    if isinstance(obj, Term):
        return f"{obj.scheme}:{obj.code}"
    if isinstance(obj, Organization):
        return obj.name_zh or obj.name_en
    if isinstance(obj, Person):
        return obj.email or f"{obj.name_zh}|{obj.name_en}"
    if isinstance(obj, Achievement):
        return f"{obj.kind}:{obj.title_zh}|{obj.title_en}"
    if isinstance(obj, ClinicalNeed):
        return f"{_natural(obj.organization)}:{obj.title_zh}|{obj.title_en}"
    if isinstance(obj, Carrier):
        return f"{_natural(obj.park)}:{obj.name}"
    if isinstance(obj, User):
        return obj.username
    if hasattr(obj, "organization"):  # the profiles: one per organization
        return _natural(obj.organization)
    return f"{type(obj).__name__}:{obj.pk}"


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _row(obj: Any) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in SKIPPED:
            continue
        if f.is_relation:
            row[f.name] = _natural(getattr(obj, f.name))
        else:
            row[f.name] = _value(getattr(obj, f.attname))
    for f in obj._meta.many_to_many:
        row[f.name] = sorted(_natural(o) for o in getattr(obj, f.name).all())
    return row


def snapshot() -> dict[str, Any]:
    """{model: {"rows": sorted rows, "order": natural keys by pk}} for the catalog's models
    (terms only counted: the taxonomy seed is not what moved)."""
    from django.apps import apps

    from luodi.catalog.models import Term

    out: dict[str, Any] = {}
    for model in apps.get_app_config("catalog").get_models():
        qs = model._default_manager.order_by("pk")
        if model is Term:
            out[model.__name__] = {"count": qs.count()}
            continue
        rows = [_row(obj) for obj in qs]
        keys = [_natural(obj) for obj in qs]
        out[model.__name__] = {
            "count": len(rows),
            "order": keys,
            "rows": sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False)),
        }
    return out


def diff(a: dict[str, Any], b: dict[str, Any], limit: int = 20) -> list[str]:
    """Human-readable differences between two snapshots (empty when equal)."""
    problems: list[str] = []
    for model in sorted(set(a) | set(b)):
        x, y = a.get(model, {}), b.get(model, {})
        if x.get("count") != y.get("count"):
            problems.append(f"{model}: {x.get('count')} rows before, {y.get('count')} after")
        if x.get("order") != y.get("order"):
            first = next(
                (i for i, (p, q) in enumerate(zip(x["order"], y["order"], strict=False)) if p != q),
                min(len(x["order"]), len(y["order"])),
            )
            problems.append(f"{model}: order differs from position {first}")
        xr = {json.dumps(r, sort_keys=True, ensure_ascii=False) for r in x.get("rows", [])}
        yr = {json.dumps(r, sort_keys=True, ensure_ascii=False) for r in y.get("rows", [])}
        for r in sorted(xr - yr)[:limit]:
            problems.append(f"{model} only before: {r[:400]}")
        for r in sorted(yr - xr)[:limit]:
            problems.append(f"{model} only after: {r[:400]}")
    return problems


def _write(path: str) -> None:
    from luodi.cli import _setup

    _setup()
    from django.core.management import call_command

    from luodi import demo

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    demo.load(io.StringIO())
    seconds = time.monotonic() - started
    data = snapshot()
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=True)
    counts = {m: v["count"] for m, v in data.items()}
    print(json.dumps({"demo_seconds": round(seconds, 2), "counts": counts}, ensure_ascii=False))


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "write":
        _write(argv[1])
        return 0
    if len(argv) == 3 and argv[0] == "diff":
        with open(argv[1], encoding="utf-8") as fa, open(argv[2], encoding="utf-8") as fb:
            problems = diff(json.load(fa), json.load(fb))
        print("\n".join(problems) or "identical")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
