"""What search makes of concepts and examples, and which documents a write touches.

Their prose is Markdown; documents hold it as plain text (``search.text.plain_text``),
so snippets are plain text. Code is indexed as it is.

Registered with ``search.registry`` when the app is ready (``ConceptsConfig``).
"""

from search.models import SearchDocument
from search.registry import document, register_affects, register_search, with_names
from search.text import plain_text

from .models import Concept, Example, Tag

Kind = SearchDocument.Kind

# The fields each document is built from (its own, and the links it names).
CONCEPT_FIELDS = frozenset(
    ["slug", "name", "aliases", "summary", "definition", "tags"]
    + ["advantages", "limitations", "use_cases"]
)
EXAMPLE_FIELDS = frozenset(["slug", "name", "description", "code", "language", "concepts"])


@register_search(Kind.CONCEPT, model=Concept, fields=CONCEPT_FIELDS)
def concept_documents(ids, without):
    fields = ["name", "aliases", "summary", "definition", "advantages", "limitations", "use_cases"]
    for c in with_names(Concept, ids, fields, related="tags", without=without):
        prose = [c.definition, *c.advantages, *c.limitations, *c.use_cases]
        body = [*map(plain_text, prose), " ".join(tag.name for tag in c.tags.all())]
        yield document(
            Kind.CONCEPT,
            c,
            title=c.name,
            names=[c.name, *c.aliases],
            summary=plain_text(c.summary),
            body=body,
        )


@register_search(Kind.EXAMPLE, model=Example, fields=EXAMPLE_FIELDS)
def example_documents(ids, without):
    fields = ["name", "description", "code", "language"]
    for e in with_names(Example, ids, fields, related="concepts", without=without):
        body = [e.code, e.language, " ".join(c.name for c in e.concepts.all())]  # code as it is
        yield document(
            Kind.EXAMPLE,
            e,
            title=e.name,
            names=[e.name],
            summary=plain_text(e.description),
            body=body,
        )


@register_affects(Concept)
def concept_written(concept, action, changed):
    if changed(*CONCEPT_FIELDS):
        yield Kind.CONCEPT, [concept.pk]
    if changed("name"):  # an example's document names its concepts
        example_ids = list(concept.examples.values_list("pk", flat=True))
        if example_ids:
            yield Kind.EXAMPLE, example_ids


@register_affects(Tag)
def tag_written(tag, action, changed):
    """A concept's document names its tags: a renamed or deleted tag changes it."""
    if action != "create" and changed("name"):
        concept_ids = list(tag.concepts.values_list("pk", flat=True))
        if concept_ids:
            yield Kind.CONCEPT, concept_ids
