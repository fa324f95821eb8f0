"""Speakers keep their order within a session (protocol order): the plain many-to-many
table becomes the `SessionSpeaker` model with a position. The table and its rows stay as
they are (state-only change), then the position column is added; existing rows keep the
order they were inserted in (position 0, then id)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0003_visit_meeting_event_version"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="SessionSpeaker",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "session",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="speaker_links",
                                to="engagements.session",
                            ),
                        ),
                        (
                            "speaker",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="session_links",
                                to="engagements.speaker",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "engagements_session_speakers",
                        "unique_together": {("session", "speaker")},
                    },
                ),
                migrations.AlterField(
                    model_name="session",
                    name="speakers",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="sessions",
                        through="engagements.SessionSpeaker",
                        to="engagements.speaker",
                        verbose_name="speakers",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="sessionspeaker",
            name="position",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="order"),
        ),
        migrations.AlterModelOptions(
            name="sessionspeaker",
            options={"ordering": ["position", "id"]},
        ),
    ]
