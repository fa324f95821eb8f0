"""The two models moved here from catalog and matchmaking, on their existing tables (state only:
no table is created, renamed or altered)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('catalog', '0010_remove_accessgrant_achievement_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AccessGrant',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('nda_version', models.CharField(max_length=32, verbose_name='NDA version')),
                        ('nda_accepted_at', models.DateTimeField(verbose_name='NDA accepted')),
                        ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='approved')),
                        ('expires_at', models.DateTimeField(verbose_name='expires')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                        ('achievement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='access_grants', to='catalog.achievement')),
                        ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organization', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.organization')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'dossier access grant',
                        'verbose_name_plural': 'dossier access grants',
                        'db_table': 'catalog_accessgrant',
                        'constraints': [models.CheckConstraint(condition=models.Q(('organization__isnull', False), ('user__isnull', False), _connector='OR'), name='grant_has_grantee')],
                    },
                ),
                migrations.CreateModel(
                    name='NdaInvitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('invited_at', models.DateTimeField(auto_now_add=True, verbose_name='invited')),
                        ('expires_at', models.DateTimeField(verbose_name='invitation expires')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                        ('achievement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='nda_invitations', to='catalog.achievement', verbose_name='achievement')),
                        ('invited_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='invited by')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='nda_invitations', to='catalog.organization', verbose_name='invited organization')),
                        ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'NDA invitation',
                        'verbose_name_plural': 'NDA invitations',
                        'db_table': 'matchmaking_ndainvitation',
                        'ordering': ['-invited_at', '-id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('achievement', 'organization'), name='unique_open_nda_invitation')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
