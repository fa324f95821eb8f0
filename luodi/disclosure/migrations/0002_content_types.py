"""Audit entries, permissions and revisions point at the two moved models through their content
types: relabel those rows (catalog.accessgrant, matchmaking.ndainvitation) so the history keeps
pointing at the same records. On a new database there are none yet."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

MOVED = [("catalog", "accessgrant"), ("matchmaking", "ndainvitation")]


def relabel(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, model in MOVED:
        if ContentType.objects.filter(app_label="disclosure", model=model).exists():
            continue  # already there (created by a run that saw the new model first)
        ContentType.objects.filter(app_label=app_label, model=model).update(
            app_label="disclosure"
        )


def unlabel(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, model in MOVED:
        ContentType.objects.filter(app_label="disclosure", model=model).update(
            app_label=app_label
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("disclosure", "0001_initial"),
        ("catalog", "0011_delete_accessgrant"),
        ("matchmaking", "0006_alter_accessrequest_grant_delete_ndainvitation"),
    ]

    operations = [migrations.RunPython(relabel, unlabel)]
