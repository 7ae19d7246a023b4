"""The concepts past the course notes meet the standard of the rest.

A concept the notes do not cover says so in its source (``Beyond the notes › <reference>``).
There are at least 80 of them; each has a summary, a definition, a category, aliases and at
least two relations, one of them to a concept of the notes or reaching one (the graph-wide
checks, connectivity and acyclic prerequisites, are in test_knowledge_base.py and cover
them too).
"""

from collections import defaultdict

import pytest

from concepts.models import Concept
from relations.models import Relation

pytestmark = pytest.mark.django_db

BEYOND = "Beyond the notes › "


def test_at_least_80_concepts_go_past_the_notes_and_say_where_from(kb):
    beyond = Concept.objects.filter(source__startswith=BEYOND)
    assert beyond.count() >= 80
    for concept in beyond:
        assert len(concept.source) > len(BEYOND) + 3, concept.slug  # names a reference


def test_each_concept_past_the_notes_is_complete_and_linked(kb):
    degree = defaultdict(int)
    for source, target in Relation.objects.values_list("source__slug", "target__slug"):
        degree[source] += 1
        degree[target] += 1
    for concept in Concept.objects.filter(source__startswith=BEYOND).prefetch_related("tags"):
        assert concept.summary.strip() and concept.definition.strip(), concept.slug
        assert concept.category_id and concept.aliases, concept.slug
        assert degree[concept.slug] >= 2, concept.slug


def test_the_areas_a_learner_looks_up_next_are_covered(kb):
    slugs = set(Concept.objects.filter(source__startswith=BEYOND).values_list("slug", flat=True))
    categories = set(
        Concept.objects.filter(source__startswith=BEYOND).values_list("category__slug", flat=True)
    )
    assert {
        "storage-and-indexing",
        "transactions-and-concurrency",
        "sql-language",
        "distributed-data",
        "orm-in-practice",
        "web-layer",
    } <= categories
    assert {"n-plus-one-problem", "columnar-database"} <= slugs
