"""Optimistic concurrency: a version per project and agreement (luodi/concurrency.py)."""

from django.db import migrations, models


def _version() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(default=1, editable=False, verbose_name="version")


class Migration(migrations.Migration):
    dependencies = [
        ("pipeline", "0002_calendar_token_merged_into_feed"),
    ]

    operations = [
        migrations.AddField(model_name="agreement", name="version", field=_version()),
        migrations.AddField(model_name="project", name="version", field=_version()),
    ]
