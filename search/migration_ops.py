"""Migration operations that run on one database only (the state changes on both)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class OnlyOn:
    """An operation whose database side runs on ``vendor`` only; its state changes on all."""

    vendor = ""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AddIndexOnPostgres(OnlyOn, migrations.AddIndex):
    """A PostgreSQL index (GIN): part of the model state everywhere, created only there."""

    vendor = "postgresql"


class RunOnSqlite(OnlyOn, migrations.RunSQL):
    """SQL (FTS5 tables) that only SQLite runs; PostgreSQL does nothing."""

    vendor = "sqlite"


class RunOnPostgres(OnlyOn, migrations.RunSQL):
    """SQL that only PostgreSQL runs; SQLite does nothing."""

    vendor = "postgresql"


class KeepTrigramExtension(TrigramExtension):
    """``CREATE EXTENSION pg_trgm`` on PostgreSQL; unapplying leaves it installed.

    Django's own operation queries ``pg_extension`` when unapplied, even on SQLite, and
    dropping the extension could break anything else that uses it.
    """

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass
