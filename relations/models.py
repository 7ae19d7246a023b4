"""Typed relations between concepts and curated comparisons of them."""

from django.db import models
from simple_history.models import HistoricalRecords

from concepts.models import Concept
from history.models import HistoryExtras
from kbapi.core.models import SlugField, Versioned


class Relation(Versioned):
    """A typed, directed edge from one concept to another."""

    class Type(models.TextChoices):
        IS_A = "is-a", "is a"
        PART_OF = "part-of", "part of"
        USES = "uses", "uses"
        PREREQUISITE_OF = "prerequisite-of", "prerequisite of"
        CONTRASTS_WITH = "contrasts-with", "contrasts with"
        ALTERNATIVE_TO = "alternative-to", "alternative to"
        RELATED_TO = "related-to", "related to"
        IMPLEMENTS = "implements", "implements"

    # PROTECT: deleting a concept must not silently drop the edges that explain it.
    source = models.ForeignKey(Concept, on_delete=models.PROTECT, related_name="outgoing")
    type = models.CharField(max_length=20, choices=Type.choices)
    target = models.ForeignKey(Concept, on_delete=models.PROTECT, related_name="incoming")
    note = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords(bases=[HistoryExtras])

    class Meta:
        ordering = ["source__slug", "type", "target__slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "type", "target"],
                name="relation_unique_edge",
                violation_error_message="This relation already exists.",
            ),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")),
                name="relation_no_self_loop",
                violation_error_message="A concept cannot be related to itself.",
            ),
        ]

    def __str__(self):
        return self.key

    @property
    def key(self) -> str:
        """The edge's identity in URLs: ``source--type--target``."""
        return f"{self.source.slug}--{self.type}--{self.target.slug}"


class Comparison(Versioned):
    """A curated side-by-side comparison of two or more concepts."""

    slug = SlugField(unique=True)
    title = models.CharField(max_length=200, unique=True)
    summary = models.CharField(max_length=500)
    verdict = models.TextField(max_length=5000, help_text="When to pick which (Markdown)")
    concepts = models.ManyToManyField(Concept, through="ComparisonItem", related_name="comparisons")
    history = HistoricalRecords(bases=[HistoryExtras])

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


class ComparisonItem(models.Model):
    """One compared concept, at its place in the comparison's column order."""

    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="items")
    concept = models.ForeignKey(Concept, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["comparison", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["comparison", "concept"], name="comparison_item_unique_concept"
            ),
            models.UniqueConstraint(
                fields=["comparison", "position"], name="comparison_item_unique_position"
            ),
        ]

    def __str__(self):
        return f"{self.comparison.slug}[{self.position}] {self.concept.slug}"


class Aspect(models.Model):
    """A row of a comparison: one point on which the concepts are compared."""

    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="aspects")
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["comparison", "position"]
        constraints = [
            models.UniqueConstraint(fields=["comparison", "name"], name="aspect_unique_name"),
            models.UniqueConstraint(
                fields=["comparison", "position"], name="aspect_unique_position"
            ),
        ]

    def __str__(self):
        return self.name


class AspectValue(models.Model):
    """What one aspect says about one compared concept."""

    aspect = models.ForeignKey(Aspect, on_delete=models.CASCADE, related_name="values")
    concept = models.ForeignKey(Concept, on_delete=models.PROTECT, related_name="+")
    value = models.TextField(max_length=2000)

    class Meta:
        ordering = ["aspect", "id"]
        constraints = [
            models.UniqueConstraint(fields=["aspect", "concept"], name="aspect_value_unique"),
        ]

    def __str__(self):
        return f"{self.aspect.name}: {self.concept_id}"
