from django.db import migrations, models


class Migration(migrations.Migration):
    """LoadedEntry moves here from the concepts app; its table (concepts_loadedentry) stays."""

    initial = True

    dependencies = [
        ('concepts', '0003_loadedentry'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='LoadedEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=20)),
                        ('key', models.CharField(max_length=255)),
                        ('file', models.CharField(max_length=255)),
                        ('digest', models.CharField(max_length=64)),
                        ('data', models.JSONField(default=dict)),
                        ('loaded_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'verbose_name_plural': 'loaded entries',
                        'db_table': 'concepts_loadedentry',
                        'ordering': ['kind', 'key'],
                        'constraints': [models.UniqueConstraint(fields=('kind', 'key'), name='loaded_entry_unique_key')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
