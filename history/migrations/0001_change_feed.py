"""The change feed's table, and what gives each row its position (the cursor) at commit.

See ``history.models.Change``: on PostgreSQL a deferred constraint trigger numbers the
rows as their transaction commits, one committer at a time (an advisory lock held to
the end of the transaction); on SQLite, whose writers are serialised, the row id.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# The advisory lock every committing writer takes, in turn, to number its rows.
FEED_LOCK = 7_204_019_190

POSTGRESQL = [
    "CREATE SEQUENCE history_change_position_seq",
    f"""
    CREATE FUNCTION history_change_position() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock({FEED_LOCK});
        UPDATE history_change SET position = nextval('history_change_position_seq')
        WHERE id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE CONSTRAINT TRIGGER history_change_position
    AFTER INSERT ON history_change DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION history_change_position()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS history_change_position ON history_change",
    "DROP FUNCTION IF EXISTS history_change_position()",
    "DROP SEQUENCE IF EXISTS history_change_position_seq",
]
SQLITE = [
    """
    CREATE TRIGGER history_change_position AFTER INSERT ON history_change
    BEGIN
        UPDATE history_change SET position = NEW.id WHERE id = NEW.id;
    END
    """,
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS history_change_position"]


def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Change',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.BigIntegerField(editable=False, null=True, unique=True)),
                ('type', models.CharField(max_length=20)),
                ('object_id', models.BigIntegerField()),
                ('key', models.CharField(max_length=255)),
                ('previous_key', models.CharField(blank=True, default='', max_length=255)),
                ('action', models.CharField(max_length=10)),
                ('version', models.PositiveIntegerField(null=True)),
                ('at', models.DateTimeField()),
                ('message', models.CharField(blank=True, default='', max_length=100)),
                ('reverted_to', models.BigIntegerField(blank=True, null=True)),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'indexes': [models.Index(fields=['type', 'object_id'], name='history_change_object')],
            },
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
