"""AccessGrant now lives in luodi.disclosure; the table stays, under that model: state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0010_remove_accessgrant_achievement_and_more'),
        ('matchmaking', '0006_alter_accessrequest_grant_delete_ndainvitation'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='AccessGrant',
                ),
            ],
            database_operations=[],
        ),
    ]
