"""What search matches, ranks and shows for each searchable object."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    """One searchable object (concept, example or comparison), as search sees it."""

    class Kind(models.TextChoices):
        CONCEPT = "concept", "Concept"
        EXAMPLE = "example", "Example"
        COMPARISON = "comparison", "Comparison"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    slug = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    names = models.TextField(help_text="The name and aliases, one a line (weight A).")
    keys = models.TextField(help_text='The names reduced to words: "| key value store | kv |".')
    summary = models.TextField(blank=True, help_text="Weight B.")
    body = models.TextField(blank=True, help_text="Definition and other text (weight C).")
    # PostgreSQL only (names A, summary B, body C); stays NULL on SQLite, which uses FTS5.
    vector = SearchVectorField(null=True)

    class Meta:
        db_table = "search_document"
        ordering = ["kind", "object_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_object"),
        ]
        # Created on PostgreSQL only (see the migration).
        indexes = [
            GinIndex(fields=["vector"], name="search_document_vector"),
            GinIndex(OpClass("keys", name="gin_trgm_ops"), name="search_document_keys_trgm"),
        ]

    def __str__(self):
        return f"{self.kind} {self.slug}"


class SearchName(models.Model):
    """One name or alias of a document: how a search finds name matches without ranking.

    A common word matches thousands of documents. Its name matches are found here by
    index lookups, each read up to a LIMIT (see ``engine``): the names equal to the
    query (``phrase``, every name), the titles starting with it (``phrase`` of the
    title rows) and the documents whose names hold all its words (the title row's
    ``vector`` on PostgreSQL, the FTS5 table ``search_fts_names`` on SQLite, both over
    all the document's names).
    """

    # Not a constraint: the rows are an index kept in step by ``index.reindex``, like the
    # FTS5 tables, and deleting documents stays one DELETE.
    document = models.ForeignKey(
        SearchDocument, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=SearchDocument.Kind.choices)
    phrase = models.TextField(help_text='The name\'s words, lower-cased: "key value store".')
    is_title = models.BooleanField(help_text="The document's first name (one row per document).")
    # PostgreSQL only, title rows only: the lexemes of all the document's names.
    vector = SearchVectorField(null=True)

    class Meta:
        db_table = "search_name"
        # Created on PostgreSQL only (see the migration); SQLite gets plain indexes on phrase.
        indexes = [
            models.Index(
                fields=["phrase"], opclasses=["text_pattern_ops"], name="search_name_phrase"
            ),
            models.Index(
                fields=["phrase", "document_id"],
                opclasses=["text_pattern_ops", "int8_ops"],
                condition=models.Q(is_title=True),
                name="search_name_title",
            ),
            GinIndex(fields=["vector"], fastupdate=False, name="search_name_vector"),
        ]

    def __str__(self):
        return f"{self.kind} {self.phrase}"
