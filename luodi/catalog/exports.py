"""Excel/CSV export of a catalog list; the queryset is already the user's visible one.

Field-level disclosure: the rows go to the writer marked by the one disclosure policy
(`disclosure.disclosed`), and the writer reads every row through `disclosure.redacted`, so a
withheld field is an empty cell whatever the columns (`resources.RESOURCES`) name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.functional import Promise

from luodi.accounts import audit
from luodi.accounts.models import User
from luodi.catalog import disclosure
from luodi.catalog.resources import Resource


def export_response(
    res: Resource, qs: QuerySet[Any], fmt: str, *, actor: User, ip: str | None
) -> HttpResponse:
    from luodi.ingest.export import export_rows

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
