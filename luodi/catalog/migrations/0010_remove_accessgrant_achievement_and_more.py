"""AccessGrant moves to luodi.disclosure with its table (catalog_accessgrant): state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0009_icd10_cross_references'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='accessgrant',
                    name='achievement',
                ),
                migrations.RemoveField(
                    model_name='accessgrant',
                    name='approved_by',
                ),
                migrations.RemoveField(
                    model_name='accessgrant',
                    name='organization',
                ),
                migrations.RemoveField(
                    model_name='accessgrant',
                    name='user',
                ),
            ],
            database_operations=[],
        ),
    ]
