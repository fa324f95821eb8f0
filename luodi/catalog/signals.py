"""`records_changed`: sent after writes that Django's model signals do not see.

`bulk_create`, `bulk_update` and `QuerySet.update()` fire no post_save, so code that writes
catalog rows that way (imports, organization merges, the taxonomy seed) sends this signal
with the model and the primary keys it touched. Receivers above the catalog (the search and
match indexes, luodi.retrieval) re-read those records; the catalog never imports them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model
from django.dispatch import Signal

records_changed = Signal()  # sender: the model class; pks: list[int]


def changed(model: type[Model], pks: Iterable[Any]) -> None:
    ids = sorted({int(pk) for pk in pks if pk is not None})
    if ids:
        records_changed.send(sender=model, pks=ids)
