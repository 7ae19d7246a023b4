"""Abstract bases and fields shared by the knowledge-base models."""

import re

from django.core.validators import RegexValidator
from django.db import models

SLUG_MAX_LENGTH = 80
# Lowercase words joined by single hyphens: the slug of every object, and what a query
# parameter naming objects may hold.
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
slug_validator = RegexValidator(
    rf"^{SLUG_PATTERN.pattern}$",
    "Use lowercase letters, digits and single hyphens (for example 'key-value-store').",
    code="invalid_slug",
)


class SlugField(models.SlugField):
    """A slug as the API addresses objects: lowercase words joined by single hyphens."""

    default_validators = [slug_validator]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", SLUG_MAX_LENGTH)
        super().__init__(*args, **kwargs)


class Versioned(models.Model):
    """A version counter (ETags, compare-and-set) and timestamps."""

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def related_snapshot(instance) -> dict:
    """The related state of ``instance`` as stored now (for rows not written by a service)."""
    if instance.pk is None:
        return {}
    return {
        field.name: sorted(getattr(instance, field.name).values_list("slug", flat=True))
        for field in type(instance)._meta.many_to_many
        if field.remote_field.through._meta.auto_created
    }
