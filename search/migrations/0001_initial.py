import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
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


class KeepTrigramExtension(TrigramExtension):
    """``CREATE EXTENSION pg_trgm`` on PostgreSQL; unapplying leaves it installed.

    Django's own operation queries ``pg_extension`` when unapplied, even on SQLite, and
    dropping the extension could break anything else that uses it.
    """

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


FTS_SQL = [
    # Weighted at query time with bm25(search_fts, 10, 4, 1): names, summary, body.
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "names, summary, body, tokenize='porter unicode61 remove_diacritics 2')",
    # Trigrams of the names, to find candidates for a misspelt query.
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts_keys USING fts5(keys, tokenize='trigram')",
    # How many documents hold each trigram: the rarest ones pick the candidates.
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts_keys_vocab "
    "USING fts5vocab(search_fts_keys, row)",
]
FTS_REVERSE_SQL = [
    "DROP TABLE IF EXISTS search_fts_keys_vocab",
    "DROP TABLE IF EXISTS search_fts",
    "DROP TABLE IF EXISTS search_fts_keys",
]


def index_existing_content(apps, schema_editor):
    """Nothing now: 0002 tells whether there is content to index, once its tables exist too.

    (Indexing is today's code, which a migration never runs.)
    """


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("concepts", "0001_initial"),
        ("relations", "0002_editors_group"),
    ]

    operations = [
        KeepTrigramExtension(),
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("concept", "Concept"), ("example", "Example"), ("comparison", "Comparison")], max_length=20)),
                ("object_id", models.PositiveBigIntegerField()),
                ("slug", models.CharField(max_length=200)),
                ("title", models.CharField(max_length=200)),
                ("names", models.TextField(help_text="The name and aliases, one a line (weight A).")),
                ("keys", models.TextField(help_text='The names reduced to words: "| key value store | kv |".')),
                ("summary", models.TextField(blank=True, help_text="Weight B.")),
                ("body", models.TextField(blank=True, help_text="Definition and other text (weight C).")),
                ("vector", django.contrib.postgres.search.SearchVectorField(null=True)),
            ],
            options={
                "db_table": "search_document",
                "ordering": ["kind", "object_id"],
                "constraints": [models.UniqueConstraint(fields=("kind", "object_id"), name="search_document_object")],
            },
        ),
        AddIndexOnPostgres(
            model_name="searchdocument",
            index=django.contrib.postgres.indexes.GinIndex(fields=["vector"], name="search_document_vector"),
        ),
        AddIndexOnPostgres(
            model_name="searchdocument",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass("keys", name="gin_trgm_ops"),
                name="search_document_keys_trgm",
            ),
        ),
        RunOnSqlite(FTS_SQL, FTS_REVERSE_SQL),
        migrations.RunPython(index_existing_content, migrations.RunPython.noop),
    ]
