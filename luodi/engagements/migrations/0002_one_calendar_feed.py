"""One personal calendar feed: the task feed's tokens (pipeline.CalendarToken) become feed
tokens, so both old addresses keep working and serve the merged feed."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def carry_over_task_feed_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    old = apps.get_model("pipeline", "CalendarToken")
    new = apps.get_model("engagements", "FeedToken")
    new.objects.bulk_create(
        [new(user_id=t.user_id, digest=t.digest, created_at=t.created_at) for t in old.objects.all()]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0001_initial"),
        ("pipeline", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="feedtoken",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        # Backwards: the carried-over rows stay (a user may then hold two tokens, which the
        # old one-to-one field refuses; reverse past this point on an empty table only).
        migrations.RunPython(carry_over_task_feed_tokens, migrations.RunPython.noop),
    ]
