"""NdaInvitation moves to luodi.disclosure with its table (matchmaking_ndainvitation), and the
request's grant points at the same table under its new model: state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('disclosure', '0001_initial'),
        ('matchmaking', '0005_delete_indexgeneration_delete_refreshrequest'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='accessrequest',
                    name='grant',
                    field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='request', to='disclosure.accessgrant'),
                ),
                migrations.DeleteModel(
                    name='NdaInvitation',
                ),
            ],
            database_operations=[],
        ),
    ]
