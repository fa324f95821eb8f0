"""Optimistic concurrency: a version per visit, meeting and event (luodi/concurrency.py)."""

from django.db import migrations, models


def _version() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(default=1, editable=False, verbose_name="version")


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0002_one_calendar_feed"),
    ]

    operations = [
        migrations.AddField(model_name="event", name="version", field=_version()),
        migrations.AddField(model_name="meeting", name="version", field=_version()),
        migrations.AddField(model_name="visit", name="version", field=_version()),
    ]
