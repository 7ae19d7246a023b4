"""Small factories: build many objects quickly through the services."""

from concepts import services as concept_services
from concepts.models import Category, Concept, Tag
from relations import services as relation_services


def make_concept(slug: str, **fields) -> Concept:
    """A concept through ``concept_create``; ``category`` and ``tags`` may be given by slug."""
    if isinstance(fields.get("category"), str):
        fields["category"] = Category.objects.get(slug=fields["category"])
    if "tags" in fields:
        fields["tags"] = [
            Tag.objects.get(slug=tag) if isinstance(tag, str) else tag for tag in fields["tags"]
        ]
    defaults = {
        "name": slug.replace("-", " ").title(),
        "summary": f"Summary of {slug}.",
        "definition": f"Definition of {slug}.",
        "category": Category.objects.first(),
        "source": "Week 1 › Test",
        "tags": list(Tag.objects.all()[:2]),
    }
    return concept_services.concept_create(slug=slug, **{**defaults, **fields})


def comparison_body(slug: str, title: str, aspects: dict[str, dict[str, str]], **fields) -> dict:
    """A comparison's request body: ``aspects`` maps each aspect's name to its text by concept
    (each a cell of one text in the body);
    it compares database and key-value-store unless ``concepts`` says otherwise."""
    return {
        "slug": slug,
        "title": title,
        "summary": "Two things.",
        "verdict": "It depends.",
        "concepts": ["database", "key-value-store"],
        "aspects": [
            {"name": name, "values": {slug: [text] for slug, text in values.items()}}
            for name, values in aspects.items()
        ],
        **fields,
    }


def make_many(n: int) -> list[Concept]:
    """``n`` concepts, each with tags, an example, relations, and comparisons."""
    hub = Concept.objects.first()
    concepts = []
    for i in range(n):
        concept = make_concept(f"generated-{i}")
        concept_services.example_create(
            slug=f"generated-example-{i}",
            name=f"Example {i}",
            kind="system",
            description="Generated.",
            concepts=[concept, hub],
        )
        relation_services.relation_create(source=concept, type="related-to", target=hub)
        if concepts:
            relation_services.comparison_create(
                slug=f"generated-comparison-{i}",
                title=f"Comparison {i}",
                summary="Generated.",
                verdict="Either.",
                concepts=[concepts[-1], concept],
                aspects=[{"name": "Aspect", "values": {concepts[-1].slug: "a", concept.slug: "b"}}],
            )
        concepts.append(concept)
    return concepts


# A new object of each kind with relations, as a request body (the real knowledge base)
NEW_BODIES = {
    "concept": {
        "slug": "document-store",
        "name": "Document store",
        "summary": "Stores documents.",
        "definition": "A store of JSON documents.",
        "category": "database-type",
        "source": "Week 1",
        "tags": ["nosql"],
    },
    "example": {
        "slug": "mongo",
        "name": "MongoDB",
        "kind": "system",
        "description": "A document database.",
        "concepts": ["database", "key-value-store"],
    },
    "relation": {"source": "key-value-store", "type": "related-to", "target": "database"},
    "comparison": comparison_body(
        "db-vs-kv",
        "Database vs key-value",
        {"Shape": {"database": "any", "key-value-store": "pairs"}},
    ),
}
