import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

from search.migration_ops import AddIndexOnPostgres, RunOnPostgres, RunOnSqlite

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


def index_existing_content(apps, schema_editor):
    """Rebuild the index (documents and names) when there is content already."""
    from concepts.models import Concept

    if Concept.objects.exists():
        from search.index import rebuild

        rebuild()


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
        # moves out of line. (Takes effect as rows are written: the rebuild below.)
        RunOnPostgres(
            "ALTER TABLE search_document ALTER COLUMN vector SET STORAGE MAIN",
            "ALTER TABLE search_document ALTER COLUMN vector SET STORAGE EXTENDED",
        ),
        migrations.RunPython(index_existing_content, migrations.RunPython.noop),
    ]
