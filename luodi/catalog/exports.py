"""Excel/CSV export of catalog records (a list page's, and the import page's exports in
ingest/export.py); the queryset is already the user's visible one.

Field-level disclosure: the rows go to the writer marked by the one disclosure policy
(`disclosure.disclosed`), and the writer reads every row through `disclosure.redacted`, so a
withheld field is an empty cell whatever the columns (`resources.RESOURCES`) name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.utils.functional import Promise

from luodi import sheets
from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog import disclosure
from luodi.catalog.resources import Resource

Accessor = str | Callable[[Any], Any]
Columns = list[tuple[str | Promise, Accessor]]


def _value(row: Any, accessor: Accessor) -> Any:
    if callable(accessor):
        return accessor(disclosure.redacted(row))
    value = row
    for part in accessor.split("."):
        if value is None:
            return ""
        value = (
            value.get(part)
            if isinstance(value, dict)
            else getattr(disclosure.redacted(value), part)
        )
    if callable(value):
        value = value()
    return value


def _plain(value: Any) -> Any:
    """What a cell shows for a model value; `sheets` types and neutralizes the rest."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, Model) and hasattr(value, "all"):  # a related manager
        return "; ".join(str(v) for v in value.all())
    return value


def _rows(rows: QuerySet[Any] | Iterable[Any]) -> Iterable[Any]:
    prefetch = getattr(rows, "_prefetch_related_lookups", ())
    if isinstance(rows, QuerySet) and not prefetch:
        return rows.iterator(chunk_size=2000)
    return rows


def export_rows(
    rows: QuerySet[Any] | Iterable[Any],
    columns: Columns,
    fmt: str,
    filename: str = "export",
) -> HttpResponse:
    """A download of `rows` (already restricted by visible_to) as "xlsx" or "csv"."""
    sheet = sheets.Sheet(
        title="Sheet",
        headers=[str(h) for h, _accessor in columns],
        rows=([_plain(_value(row, a)) for _h, a in columns] for row in _rows(rows)),
    )
    return sheets.download(fmt, filename, [sheet])


def export_response(
    res: Resource, qs: QuerySet[Any], fmt: str, *, actor: User, ip: str | None
) -> HttpResponse:
    audit.record(
        actor=actor,
        verb=f"{res.perm_name}.export",
        changes={"format": fmt, "count": qs.count()},
        ip=ip,
    )
    columns: list[tuple[str | Promise, str | Callable[[Any], Any]]] = [
        (col.header, col.value) for col in res.columns
    ]
    return export_rows(disclosure.disclosed(qs, actor), columns, fmt, filename=res.slug)
