import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


# Frozen here (as this migration first ran), so that migrating never runs today's code:
# operations whose database side runs on one vendor only; the state changes on all.


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


NAMES_SQL = [
    # Equality and prefix lookups on the phrase (PostgreSQL has its text_pattern_ops indexes).
    "CREATE INDEX IF NOT EXISTS search_name_phrase ON search_name (phrase)",
    "CREATE INDEX IF NOT EXISTS search_name_title ON search_name (phrase, document_id) WHERE is_title",
    # All the names of a document, rowid = its title row's id: documents whose names hold
    # every word of the query.
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts_names USING fts5("
    "names, tokenize='porter unicode61 remove_diacritics 2')",
]
NAMES_REVERSE_SQL = [
    "DROP TABLE IF EXISTS search_fts_names",
    "DROP INDEX IF EXISTS search_name_title",
    "DROP INDEX IF EXISTS search_name_phrase",
]

SEARCHED = [("concepts", "Concept"), ("concepts", "Example"), ("relations", "Comparison")]


def index_existing_content(apps, schema_editor):
    """Tell the operator to index the content already stored, if any.

    Indexing is today's code (``manage.py reindex``), which a migration never runs: a
    later change to it must not break migrating. Content written from now on is
    indexed as it is written (a fresh database: by ``loadkb``).
    """
    if any(apps.get_model(*name).objects.exists() for name in SEARCHED):
        print(
            "\n  search: the knowledge base already has content; "
            "run `manage.py reindex` to build its search index."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchName",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("concept", "Concept"), ("example", "Example"), ("comparison", "Comparison")], max_length=20)),
                ("phrase", models.TextField(help_text='The name\'s words, lower-cased: "key value store".')),
                ("is_title", models.BooleanField(help_text="The document's first name (one row per document).")),
                ("vector", django.contrib.postgres.search.SearchVectorField(null=True)),
                ("document", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="search.searchdocument")),
            ],
            options={
                "db_table": "search_name",
            },
        ),
        AddIndexOnPostgres(
            model_name="searchname",
            index=models.Index(fields=["phrase"], name="search_name_phrase", opclasses=["text_pattern_ops"]),
        ),
        AddIndexOnPostgres(
            model_name="searchname",
            index=models.Index(condition=models.Q(is_title=True), fields=["phrase", "document_id"], name="search_name_title", opclasses=["text_pattern_ops", "int8_ops"]),
        ),
        AddIndexOnPostgres(
            model_name="searchname",
            index=django.contrib.postgres.indexes.GinIndex(fastupdate=False, fields=["vector"], name="search_name_vector"),
        ),
        RunOnSqlite(NAMES_SQL, NAMES_REVERSE_SQL),
        # Keep the vector in the row: ranking reads it for every match, while the long
        # text (body) is read only for the snippets of a page, so that is what TOAST
        # moves out of line. (Takes effect as rows are written: ``manage.py reindex``.)
        RunOnPostgres(
            "ALTER TABLE search_document ALTER COLUMN vector SET STORAGE MAIN",
            "ALTER TABLE search_document ALTER COLUMN vector SET STORAGE EXTENDED",
        ),
        migrations.RunPython(index_existing_content, migrations.RunPython.noop),
    ]
