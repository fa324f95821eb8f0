"""What an import wrote, so that it can be undone: the compensation behind "all or nothing"
and behind "a failed import leaves the database as it was", now that imports commit in
short chunks (see domain.py for why).

Each entry is JSON (an import run keeps its journal in its row, committed with each chunk,
so that a worker taking over a dead one's run can still undo it):

- `["created", "app.model", pk, line]` — undone by deleting the record (its links go with it);
- `["updated", "app.model", pk, {field: old value}, {link: old ids}, version, line]` — undone by
  writing the old values back, only while the record is still at `version`, the version the
  import left it at; a record someone edited since is left as they saved it, and reported;
- `["revision", pk, old fields or None, line]` — a change proposed for review (a partner's update
  of a published record): the proposal is deleted, or put back as it was before the import.

Undoing bumps the version of each record it writes back, so an edit form opened while the
import's values were there conflicts instead of saving over the restored values.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from luodi.accounts.models import AuditEntry
from luodi.catalog import signals as catalog_signals
from luodi.catalog.models import Revision

log = logging.getLogger(__name__)

UNDO_BATCH = 100  # entries undone per transaction: short, like the chunks that wrote them

Entry = list[Any]


def _json(value: Any) -> Any:
    # Decimals, dates and the like as Django's JSON shows them; assigning that text back
    # to the field converts it again.
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _label(obj: models.Model) -> str:
    return obj._meta.label_lower


@dataclass
class Journal:
    entries: list[Entry] = field(default_factory=list)
    line: int = 0  # the row being written: what could not be undone is reported by it

    def mark(self) -> int:
        return len(self.entries)

    def forget_after(self, mark: int) -> None:
        """Drop the entries of writes that were rolled back (a row's savepoint, a chunk)."""
        del self.entries[mark:]

    def old_values(
        self, obj: models.Model, changed: list[str], links: dict[str, list[int]]
    ) -> tuple[dict[str, Any], dict[str, list[int]]]:
        """The stored values of what a row is about to change; call before writing."""
        attnames = []
        for name in changed:
            model_field = obj._meta.get_field(name)
            assert isinstance(model_field, models.Field)  # writers change concrete fields
            attnames.append(model_field.attname)
        rows = type(obj)._base_manager.filter(pk=obj.pk)
        stored = rows.values(*attnames).get() if attnames else {}
        old_links = {
            name: sorted(getattr(obj, name).values_list("pk", flat=True)) for name in links
        }
        return _json(stored), old_links

    def created(self, obj: models.Model) -> None:
        self.entries.append(["created", _label(obj), obj.pk, self.line])

    def updated(self, obj: models.Model, old: tuple[dict[str, Any], dict[str, list[int]]]) -> None:
        version = getattr(obj, "version", None)
        self.entries.append(["updated", _label(obj), obj.pk, old[0], old[1], version, self.line])

    def wrote(
        self,
        obj: models.Model,
        old: tuple[dict[str, Any], dict[str, list[int]]] | None,
        verb: str | None = None,
    ) -> None:
        """Journal a domain write of `obj` (created when `old` is None, else updated from
        `old`) and the audit entry it left (the latest on `obj`, with `verb` if given), so
        that undoing the import undoes the entry too: the log shows only what stayed."""
        if old is None:
            self.created(obj)
        else:
            self.updated(obj, old)
        entries = AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk)
        )
        entry = (entries.filter(verb=verb) if verb else entries).order_by("-id").first()
        if entry is not None:
            self.created(entry)

    def revision_before(self, record: models.Model) -> dict[str, Any] | None:
        from luodi.catalog.revisions import open_revision

        revision = open_revision(record)
        if revision is None:
            return None
        return _json(
            {
                "pk": revision.pk,
                "data": revision.data,
                "state": revision.state,
                "proposed_by_id": revision.proposed_by_id,
                "decided_at": revision.decided_at,
            }
        )

    def proposed(self, before: dict[str, Any] | None, after: Revision | None) -> None:
        if before is not None:
            self.entries.append(["revision", before["pk"], before, self.line])
        elif after is not None:
            self.entries.append(["revision", after.pk, None, self.line])


def _undo_one(entry: Entry) -> str | None:
    """Undo one entry; a reason when it could not be."""
    if entry[0] == "revision":
        _tag, pk, before, _line = entry
        revisions = Revision.objects.filter(pk=pk)
        if before is None:
            revisions.delete()
        else:
            revisions.update(**{k: v for k, v in before.items() if k != "pk"})
        return None
    model = apps.get_model(entry[1])
    rows = model._base_manager.filter(pk=entry[2])
    if entry[0] == "created":
        try:
            rows.delete()
        except models.ProtectedError:
            record = rows.first()
            return _("“%(record)s” was added by the import and is now used elsewhere") % {
                "record": record
            }
        return None
    _tag, _model, pk, old, old_links, version, _line = entry
    if version is not None:
        rows = rows.filter(version=version)
        old = {**old, "version": F("version") + 1}
    if not rows.update(**old):  # the version moved on: someone saved the record since
        current = model._base_manager.filter(pk=pk).first()
        if current is None:
            return None  # deleted meanwhile: nothing to put back
        return _("“%(record)s” was edited during the import and keeps that edit") % {
            "record": current
        }
    record = model._base_manager.get(pk=pk)
    for name, ids in old_links.items():
        getattr(record, name).set(ids)
    # QuerySet.update() sends no post_save: the search and match indexes hear it this way.
    catalog_signals.changed(model, [pk])
    return None


def undo(journal: Journal) -> list[tuple[int, str]]:
    """Undo every entry, newest first, in short transactions; what could not be undone,
    by the line that wrote it."""
    left: list[tuple[int, str]] = []
    entries = list(reversed(journal.entries))
    for start in range(0, len(entries), UNDO_BATCH):
        with transaction.atomic():
            for entry in entries[start : start + UNDO_BATCH]:
                try:
                    with transaction.atomic():
                        reason = _undo_one(entry)
                except DatabaseError as exc:  # one record's problem must not stop the rest
                    log.exception("undoing import entry %s failed", entry[:3])
                    reason = str(exc)
                if reason:
                    left.append((int(entry[-1]), reason))
    journal.entries.clear()
    return left
