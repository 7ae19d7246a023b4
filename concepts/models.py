"""Concepts of the knowledge base, how they are grouped, and their examples."""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from history.models import HistoryExtras
from kbapi.core.models import SlugField, Versioned

TEXT_LIST_MAX_ITEMS = 50
TEXT_ITEM_MAX_LENGTH = 500


def validate_text_list(value):
    """A list of short, non-empty strings (aliases, advantages, ...)."""
    if not isinstance(value, list):
        raise ValidationError("Must be a list of strings.", code="invalid")
    if len(value) > TEXT_LIST_MAX_ITEMS:
        raise ValidationError(f"At most {TEXT_LIST_MAX_ITEMS} items.", code="max_items")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValidationError("Every item must be a non-empty string.", code="invalid")
        if len(item) > TEXT_ITEM_MAX_LENGTH:
            raise ValidationError(
                f"Items are at most {TEXT_ITEM_MAX_LENGTH} characters.", code="max_length"
            )


class Category(Versioned):
    """A broad kind of concept: database type, data model, design pattern, ..."""

    slug = SlugField(unique=True)
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class Tag(Versioned):
    """A free label that cuts across categories (week-1, nosql, deployment)."""

    slug = SlugField(unique=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.name


class Concept(Versioned):
    """One idea of the course notes, explained in our own words."""

    slug = SlugField(unique=True)
    name = models.CharField(max_length=200, unique=True)
    aliases = models.JSONField(default=list, blank=True, validators=[validate_text_list])
    summary = models.CharField(max_length=300)
    definition = models.TextField(max_length=20000, help_text="Markdown")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="concepts")
    tags = models.ManyToManyField(Tag, blank=True, related_name="concepts")
    advantages = models.JSONField(default=list, blank=True, validators=[validate_text_list])
    limitations = models.JSONField(default=list, blank=True, validators=[validate_text_list])
    use_cases = models.JSONField(default=list, blank=True, validators=[validate_text_list])
    traits = models.JSONField(
        default=list,
        blank=True,
        help_text="For database types: how they fit each requirement (read by the advisor).",
    )
    source = models.CharField(max_length=200, help_text="Section of the course notes")
    history = HistoricalRecords(bases=[HistoryExtras])

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        from concepts.traits import validate_traits

        validate_traits(self.traits)


class Example(Versioned):
    """A real system, a code snippet or a use case that illustrates concepts."""

    class Kind(models.TextChoices):
        SYSTEM = "system", "System"
        CODE = "code", "Code"
        USE_CASE = "use-case", "Use case"

    slug = SlugField(unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(max_length=5000)
    code = models.TextField(blank=True, max_length=20000)
    language = models.CharField(max_length=40, blank=True)
    concepts = models.ManyToManyField(Concept, related_name="examples")
    requires = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="required_by",
        help_text="Examples this one builds on: a code example runs with them (transitively).",
    )
    history = HistoricalRecords(bases=[HistoryExtras])

    class Meta:
        ordering = ["name", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="code") | ~models.Q(code=""),
                name="example_code_has_code",
                violation_error_message="A code example needs its code.",
            ),
        ]

    def __str__(self):
        return self.name


def linked_model(accessor: str) -> type[models.Model]:
    """The model behind one of the links other apps declare to concepts, by the accessor it
    gives ``Concept`` (``outgoing``/``incoming``: relations; ``comparisons``).

    A concept's detail shows what links to it, but those apps depend on concepts, not
    the reverse: concepts reaches their models through the links, never by importing them.
    """
    return Concept._meta.get_field(accessor).related_model
