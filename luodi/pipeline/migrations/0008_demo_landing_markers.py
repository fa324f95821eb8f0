"""Demo landing records are marked by their project's `is_demo` flag, not by words in text.

Older demos named the registered company "…生物科技有限公司（演示）" and noted "演示数据" on
the landing record; the catalog (0012) and engagements (0007) migrations removed such markers
from their records. This removes them from the landing records of flagged projects, so the
after-landing pages and the government report name the company as a park would. Records of
projects without the flag are never touched.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

MARKERS = ("（演示数据）", "（演示）", " (demo data)", "(demo data)", " (demo)", "(demo)")


def _clean(value: str) -> str:
    if value.strip() == "演示数据":
        return ""
    for marker in MARKERS:
        value = value.replace(marker, "")
    return value


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    landing = apps.get_model("pipeline", "LandingRecord")
    for row in landing.objects.filter(project__is_demo=True).iterator():
        changed = []
        for name in ("entity_name", "notes"):
            value = getattr(row, name)
            if (cleaned := _clean(value)) != value:
                setattr(row, name, cleaned)
                changed.append(name)
        if changed:
            row.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0007_contract_registration")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
