"""The knowledge base: every term of the course notes answered, complete and connected."""

from collections import defaultdict
from pathlib import Path

import yaml
from django.urls import reverse

from concepts.models import Concept, Example
from content.loader import CONTENT_DIR, KINDS
from relations.models import Comparison, Relation

# The notes' section headings and bold terms, committed with the suite: nothing in this
# repository reads the notes themselves, so the suite runs on a machine with only the repo.
NOTES_TERMS = Path(__file__).resolve().parents[1] / "fixtures" / "notes_terms.txt"


def notes_terms() -> list[str]:
    """The notes' section headings and bold terms, as a reader would search them."""
    lines = NOTES_TERMS.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def content_counts() -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    for path in CONTENT_DIR.glob("*.yaml"):
        for kind, items in yaml.safe_load(path.read_text(encoding="utf-8")).items():
            counts[kind] += len(items)
    return counts


def test_the_notes_have_terms_to_check():
    terms = notes_terms()
    assert len(terms) >= 40
    assert "Key value store" in terms and "Django Authentication System" in terms


def test_every_heading_and_bold_term_of_the_notes_is_answered(anon, kb):
    unanswered = []
    for term in notes_terms():
        response = anon.get(reverse("concept-list"), {"term": term})
        assert response.status_code == 200
        names = [
            {c["name"].casefold(), *(a.casefold() for a in c["aliases"])}
            for c in response.json()["results"]
        ]
        if not any(term.casefold() in n for n in names):
            unanswered.append(term)
    assert not unanswered, f"no concept is named {unanswered}"


def test_term_filter_matches_whole_names_and_aliases_only(anon, kb):
    slugs = [
        c["slug"] for c in anon.get(reverse("concept-list"), {"term": "rdbms"}).json()["results"]
    ]
    assert slugs == ["relational-database"]
    assert anon.get(reverse("concept-list"), {"term": "RDBM"}).json()["count"] == 0


def test_everything_in_the_content_files_is_loaded(kb):
    counts = content_counts()
    assert Concept.objects.count() == counts["concepts"] >= 100
    assert Example.objects.count() == counts["examples"] >= 50
    assert Relation.objects.count() == counts["relations"] >= 200
    assert Comparison.objects.count() == counts["comparisons"] >= 11


def test_every_concept_is_complete(kb):
    for concept in Concept.objects.select_related("category"):
        assert concept.summary.strip() and concept.definition.strip(), concept.slug
        assert concept.category_id and concept.source.startswith(
            ("Week ", "Beyond the notes › ")
        ), concept.slug
        assert concept.summary.count(". ") == 0 or concept.summary.endswith("."), concept.slug


def test_every_concept_is_reachable_in_one_connected_graph(kb):
    neighbours = defaultdict(set)
    for source, target in Relation.objects.values_list("source__slug", "target__slug"):
        neighbours[source].add(target)
        neighbours[target].add(source)
    slugs = set(Concept.objects.values_list("slug", flat=True))
    assert slugs <= set(neighbours), f"concepts without a relation: {slugs - set(neighbours)}"
    seen, todo = set(), [next(iter(slugs))]
    while todo:
        slug = todo.pop()
        if slug not in seen:
            seen.add(slug)
            todo.extend(neighbours[slug] - seen)
    assert seen == slugs, f"not connected to the rest: {sorted(slugs - seen)}"


def test_prerequisites_form_no_cycle(kb):
    edges = defaultdict(set)
    for source, target in Relation.objects.filter(type="prerequisite-of").values_list(
        "source__slug", "target__slug"
    ):
        edges[source].add(target)
    assert len(edges) > 10
    state: dict[str, int] = {}

    def visit(node, trail):
        if state.get(node) == 1:
            raise AssertionError(f"prerequisite cycle: {' -> '.join([*trail, node])}")
        if state.get(node) == 2:
            return
        state[node] = 1
        for nxt in sorted(edges[node]):
            visit(nxt, [*trail, node])
        state[node] = 2

    for node in sorted(edges):
        visit(node, [])


SYSTEMS = {
    "key-value-store": ["Redis", "Memcached", "DynamoDB"],
    "document-store": ["MongoDB", "DocumentDB", "CouchDB", "Cloudant"],
    "column-store": ["Cassandra", "HBase"],
    "graph-database": ["Neo4j", "Cosmos DB"],
    "wsgi": ["Gunicorn", "uWSGI", "mod_wsgi"],
    "asgi": ["Daphne", "Hypercorn", "Uvicorn"],
}


def test_every_system_the_notes_name_is_an_example_of_its_concept(anon, kb):
    for concept, systems in SYSTEMS.items():
        response = anon.get(reverse("example-list"), {"concept": concept, "kind": "system"})
        names = " ".join(example["name"] for example in response.json()["results"])
        for system in systems:
            assert system in names, f"{system} is not an example of {concept}"


REQUIRED_COMPARISONS = [
    {"relational-database", "non-relational-database"},
    {"key-value-store", "document-store", "column-store", "graph-database"},
    {"flat-file", "relational-database"},
    {"er-model", "relational-model"},
    {"oop-model", "sql-model"},
    {"mvc", "mvt"},
    {"function-based-view", "class-based-view"},
    {"wsgi", "asgi"},
    {"multi-table-inheritance", "abstract-base-class", "proxy-model"},
    {"sqlite", "production-database"},
    {"forward-relationship", "backward-relationship"},
]


def test_every_required_comparison_exists_with_aspects_and_a_verdict(anon, kb):
    found = {}
    for page in range(1, 3):
        response = anon.get(reverse("comparison-list"), {"page_size": 100, "page": page})
        if response.status_code != 200:
            break
        for item in response.json()["results"]:
            found[frozenset(item["concepts"])] = item["slug"]
    for concepts in REQUIRED_COMPARISONS:
        slug = found.get(frozenset(concepts))
        assert slug, f"no comparison of {sorted(concepts)}"
        detail = anon.get(reverse("comparison-detail", args=[slug])).json()
        assert len(detail["aspects"]) >= 3 and detail["verdict"].strip()


def test_database_types_carry_advisor_traits(kb):
    for slug in ("relational-database", "key-value-store", "document-store", "column-store"):
        traits = Concept.objects.get(slug=slug).traits
        factors = {trait["factor"] for trait in traits}
        assert {"data_structure", "intended_use"} <= factors, slug
        assert any(trait["fit"] < 0 for trait in traits), f"{slug} has no trait against it"


def test_code_examples_are_present_for_what_the_notes_describe(anon, kb):
    response = anon.get(reverse("example-list"), {"kind": "code", "page_size": 100})
    codes = [example["slug"] for example in response.json()["results"]]
    assert len(codes) >= 10
    bodies = [anon.get(reverse("example-detail", args=[slug])).json()["code"] for slug in codes]
    text = "\n".join(bodies)
    for snippet in (
        "models.Model",
        "on_delete",
        "abstract = True",
        "proxy = True",
        "as_view()",
        "has_perm",
        "get_asgi_application",
    ):
        assert snippet in text, snippet


def test_search_answers_from_the_loaded_knowledge_base(anon, kb):
    response = anon.get("/api/v1/search/", {"q": "RDBMS"})
    assert response.status_code == 200
    assert response.json()["results"][0]["slug"] == "relational-database"
