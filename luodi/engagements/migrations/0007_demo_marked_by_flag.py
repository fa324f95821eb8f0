"""Demo visits, meetings and events are marked by their `is_demo` flag, not by words in text.

Older demos appended "（演示数据）", "(demo data)", "（演示）" or "(demo)" to what they wrote;
catalog migration 0012 removed them from the catalog. This removes them from flagged visits,
meetings and events and from the rows that belong to them (stops, participants, sessions,
speakers, registrations, outcomes, follow-ups), so `luodi demo` finds the demo visit by its
exact title. Rows of records without the flag are never touched.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

MARKERS = ("（演示数据）", " (demo data)", "(demo data)", "（演示）", " (demo)", "(demo)")
FLAGGED = ("Visit", "Meeting", "Event")
# model: the links to a flagged parent through which its rows belong to demo records
CHILDREN = {
    "VisitStop": ("visit",),
    "Participant": ("visit", "meeting"),
    "Speaker": ("event",),
    "Session": ("event",),
    "Registration": ("event",),
    "Outcome": ("visit", "meeting", "event"),
    "FollowUp": ("visit", "meeting", "event"),
}


def _clean(value: str) -> str:
    for marker in MARKERS:
        value = value.replace(marker, "")
    return value


def _strip(rows: models.QuerySet) -> None:
    texts = [
        f.name
        for f in rows.model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField)) and not f.choices
    ]
    for row in rows.iterator():
        changed = []
        for name in texts:
            value = getattr(row, name)
            if isinstance(value, str) and (cleaned := _clean(value)) != value:
                setattr(row, name, cleaned)
                changed.append(name)
        if changed:
            row.save(update_fields=changed)


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for name in FLAGGED:
        _strip(apps.get_model("engagements", name).objects.filter(is_demo=True))
    for name, links in CHILDREN.items():
        demo = models.Q()
        for link in links:
            demo |= models.Q(**{f"{link}__is_demo": True})
        _strip(apps.get_model("engagements", name).objects.filter(demo))


class Migration(migrations.Migration):
    dependencies = [("engagements", "0006_event_agreements")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
