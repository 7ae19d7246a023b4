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
