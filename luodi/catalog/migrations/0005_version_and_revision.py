# Optimistic concurrency (a version per editable record) and proposed revisions of published
# records (catalog/review.py).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _version() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(default=1, editable=False, verbose_name='version')


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0004_chain_segments_amount_sought'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(model_name='achievement', name='version', field=_version()),
        migrations.AddField(model_name='carrier', name='version', field=_version()),
        migrations.AddField(model_name='clinicalneed', name='version', field=_version()),
        migrations.AddField(model_name='organization', name='version', field=_version()),
        migrations.AddField(model_name='person', name='version', field=_version()),
        migrations.CreateModel(
            name='Revision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_id', models.PositiveBigIntegerField()),
                ('data', models.JSONField(default=dict, verbose_name='proposed changes')),
                ('state', models.CharField(choices=[('pending', 'Waiting for review'), ('approved', 'Approved'), ('returned', 'Returned with comments'), ('withdrawn', 'Withdrawn')], db_index=True, default='pending', max_length=16, verbose_name='state')),
                ('comment', models.TextField(blank=True, verbose_name='review comment')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organization', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='catalog.organization')),
                ('proposed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'proposed revision',
                'verbose_name_plural': 'proposed revisions',
                'ordering': ['-updated_at', '-id'],
                'indexes': [models.Index(fields=['content_type', 'object_id'], name='catalog_revision_record_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('state', 'pending')), fields=('content_type', 'object_id'), name='one_pending_revision_per_record')],
            },
        ),
    ]
