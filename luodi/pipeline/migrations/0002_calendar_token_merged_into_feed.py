"""The task feed's tokens live on as engagements.FeedToken (carried over by
engagements 0002); the table goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("pipeline", "0001_initial"),
        ("engagements", "0002_one_calendar_feed"),
    ]

    operations = [
        migrations.DeleteModel(name="CalendarToken"),
    ]
