from django.db import migrations

SEARCHED = [("concepts", "Concept"), ("concepts", "Example"), ("relations", "Comparison")]


def reindex_existing_content(apps, schema_editor):
    """Documents now hold plain text, not Markdown (``search.text.plain_text``), so that
    snippets are plain text: tell the operator to rebuild an index built before.

    Indexing is today's code (``manage.py reindex``), which a migration never runs.
    """
    if any(apps.get_model(*name).objects.exists() for name in SEARCHED):
        print(
            "\n  search: documents are now indexed as plain text; "
            "run `manage.py reindex` so that every snippet is."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_search_name"),
    ]

    operations = [migrations.RunPython(reindex_existing_content, migrations.RunPython.noop)]
