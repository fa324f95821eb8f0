"""Demo records are marked by their `is_demo` flag, no longer by words in their text.

Older versions of the demo appended "（演示数据）", "(demo data)", "（演示）" or "(demo)" to the
text of the records they created, and ranking had to ignore those words. This removes them
from rows that carry the flag (and from the profiles and carriers of flagged organizations),
so a database loaded by an older demo reads like a new one and `luodi demo` finds its records
again by name instead of adding a second copy. Rows without the flag are never touched.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

MARKERS = ("（演示数据）", " (demo data)", "(demo data)", "（演示）", " (demo)", "(demo)")
FLAGGED = ("Organization", "Person", "Achievement", "ClinicalNeed")
OF_FLAGGED_ORGANIZATION = ("ParkProfile", "ClinicalCenterProfile", "CompanyProfile", "Carrier")


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
        _strip(apps.get_model("catalog", name).objects.filter(is_demo=True))
    for name in OF_FLAGGED_ORGANIZATION:
        model = apps.get_model("catalog", name)
        link = "park" if name == "Carrier" else "organization"
        _strip(model.objects.filter(**{f"{link}__is_demo": True}))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0011_delete_accessgrant")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
