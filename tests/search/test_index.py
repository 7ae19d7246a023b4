"""The search index follows every write made through the API, and costs fixed queries."""

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from search import engine
from search.models import SearchDocument, SearchName
from tests.factories import comparison_body, make_many


def search(client, q, **params):
    response = client.get(reverse("search"), {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()


def found(client, q, **params):
    return [(hit["type"], hit["slug"]) for hit in search(client, q, **params)["results"]]


def concept(slug, name, **fields):
    return {
        "slug": slug,
        "name": name,
        "summary": f"About {name}.",
        "definition": "Nothing in particular.",
        "category": "database-concept",
        "source": "Test",
        "tags": [],
        **fields,
    }


def create(client, route, data):
    response = client.post(reverse(route), data, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_name_match_ranks_above_a_definition_that_mentions_the_word(editor, anon, small_kb):
    mentions = "A wombat here, a wombat there: this text talks about the wombat a lot."
    create(editor, "concept-list", concept("burrow", "Burrow", definition=mentions))
    create(editor, "concept-list", concept("wombat-store", "Wombat store"))
    create(editor, "concept-list", concept("marsupial", "Marsupial", aliases=["Wombat"]))
    assert found(anon, "wombat") == [
        ("concept", "marsupial"),  # the whole alias
        ("concept", "wombat-store"),  # a word of the name
        ("concept", "burrow"),  # the definition only
    ]


def test_summary_outranks_definition(editor, anon, small_kb):
    create(editor, "concept-list", concept("a-one", "Alpha", definition="It is quokka-shaped."))
    create(editor, "concept-list", concept("b-one", "Beta", summary="A quokka-shaped thing."))
    assert found(anon, "quokka") == [("concept", "b-one"), ("concept", "a-one")]


def test_created_updated_and_deleted_concepts_are_found_then_forgotten(deleter, anon, small_kb):
    create(deleter, "concept-list", concept("okapi", "Okapi index", aliases=["OKX"]))
    assert found(anon, "okapi") == [("concept", "okapi")]
    assert found(anon, "OKX") == [("concept", "okapi")]

    url = reverse("concept-detail", args=["okapi"])
    data = {"name": "Pangolin index", "aliases": [], "summary": "Renamed."}
    response = deleter.patch(url, data, format="json")
    assert response.status_code == 200, response.content
    assert found(anon, "pangolin") == [("concept", "okapi")]
    assert found(anon, "okapi") == []
    assert found(anon, "OKX") == []

    assert deleter.delete(url).status_code == 204
    assert found(anon, "pangolin") == []


def names_of(slug):
    doc = SearchDocument.objects.get(kind="concept", slug=slug)
    return set(SearchName.objects.filter(document=doc).values_list("phrase", "is_title"))


def test_names_follow_writes_and_find_documents_beyond_max_hits(
    deleter, anon, small_kb, monkeypatch
):
    create(deleter, "concept-list", concept("okapi", "Okapi index", aliases=["OKX", "Okapi"]))
    create(deleter, "concept-list", concept("okapi-store", "Okapi store"))
    assert names_of("okapi") == {("okapi index", True), ("okx", False), ("okapi", False)}
    # With MAX_HITS below the name matches, only the names are read: they must be in step.
    monkeypatch.setattr(engine, "MAX_HITS", 1)
    assert found(anon, "okapi") == [("concept", "okapi")]  # the whole alias first
    assert search(anon, "okapi")["count"] == 1
    monkeypatch.setattr(engine, "MAX_HITS", 1000)

    url = reverse("concept-detail", args=["okapi"])
    data = {"name": "Pangolin index", "aliases": []}
    assert deleter.patch(url, data, format="json").status_code == 200
    assert names_of("okapi") == {("pangolin index", True)}
    monkeypatch.setattr(engine, "MAX_HITS", 1)
    assert found(anon, "okapi") == [("concept", "okapi-store")]
    monkeypatch.setattr(engine, "MAX_HITS", 1000)

    assert deleter.delete(url).status_code == 204
    assert not SearchName.objects.filter(phrase="pangolin index").exists()
    assert found(anon, "pangolin") == []


def test_tag_changes_reach_the_concepts_that_carry_the_tag(deleter, anon, small_kb):
    create(deleter, "tag-list", {"slug": "gnu", "name": "Gnu"})
    create(deleter, "concept-list", concept("heap", "Heap", tags=["gnu"]))
    assert ("concept", "heap") in found(anon, "gnu")

    url = reverse("tag-detail", args=["gnu"])
    assert deleter.patch(url, {"name": "Ibex"}, format="json").status_code == 200
    assert ("concept", "heap") in found(anon, "ibex")
    assert ("concept", "heap") not in found(anon, "gnu")

    assert deleter.delete(url).status_code == 204
    assert ("concept", "heap") not in found(anon, "ibex")


def test_examples_follow_their_own_writes_and_their_concepts(deleter, anon, small_kb):
    create(deleter, "concept-list", concept("narwhal", "Narwhal engine"))
    data = {"slug": "tusk", "name": "Tusk", "kind": "system", "description": "A real system."}
    create(deleter, "example-list", {**data, "concepts": ["narwhal", "database"]})
    assert found(anon, "tusk") == [("example", "tusk")]
    assert ("example", "tusk") in found(anon, "narwhal", type="example")

    # Renaming the concept renames it in the example's document too.
    url = reverse("concept-detail", args=["narwhal"])
    assert deleter.patch(url, {"name": "Beluga engine"}, format="json").status_code == 200
    assert ("example", "tusk") in found(anon, "beluga", type="example")
    assert found(anon, "narwhal", type="example") == []

    # Changing the example's concepts re-indexes it.
    example_url = reverse("example-detail", args=["tusk"])
    response = deleter.patch(example_url, {"concepts": ["database"]}, format="json")
    assert response.status_code == 200, response.content
    assert found(anon, "beluga", type="example") == []

    # Deleting a concept takes it out of the documents of its examples.
    response = deleter.patch(example_url, {"concepts": ["database", "narwhal"]}, format="json")
    assert response.status_code == 200, response.content
    assert ("example", "tusk") in found(anon, "beluga", type="example")
    assert deleter.delete(url).status_code == 204
    assert found(anon, "beluga") == []
    assert found(anon, "tusk") == [("example", "tusk")]

    assert deleter.delete(example_url).status_code == 204
    assert found(anon, "tusk") == []


def test_comparisons_are_indexed_on_create_update_and_delete(deleter, anon, small_kb):
    data = comparison_body(
        "db-vs-kv",
        "Axolotl showdown",
        {"Speed": {"database": "ok", "key-value-store": "fast"}},
        summary="Which one to pick.",
        verdict="Pick the capybara one.",
    )
    create(deleter, "comparison-list", data)
    assert found(anon, "axolotl") == [("comparison", "db-vs-kv")]
    assert found(anon, "capybara") == [("comparison", "db-vs-kv")]
    url = reverse("comparison-detail", args=["db-vs-kv"])
    response = deleter.patch(url, {"title": "Tapir showdown"}, format="json")
    assert response.status_code == 200, response.content
    assert found(anon, "axolotl") == []
    assert found(anon, "tapir showdown") == [("comparison", "db-vs-kv")]
    assert deleter.delete(url).status_code == 204
    assert found(anon, "tapir") == []


def test_a_refused_write_leaves_the_index_as_it_was(deleter, anon, small_kb):
    # The database concept is still needed (relations, examples): the delete is refused.
    response = deleter.delete(reverse("concept-detail", args=["database"]))
    assert response.status_code == 409
    assert ("concept", "database") in found(anon, "database")


def test_snippets_are_plain_text_and_highlights_give_the_matches(editor, anon, small_kb):
    """A snippet is text to show as text: no <mark>, no HTML escapes, no Markdown syntax
    (the definition is Markdown); ``highlights`` say where the matches are in it."""
    definition = "Never **trust** a `lemming` & its [friends](https://example.org/f) *ever*."
    create(editor, "concept-list", concept("lemming", "Rodent", definition=definition))
    hit = search(anon, "lemming")["results"][0]
    snippet = hit["snippet"]
    assert [snippet[start:end] for start, end in hit["highlights"]] == ["lemming"]
    assert snippet == "Never trust a lemming & its friends ever."
    # the same for a match in a name, where the index has no Markdown to drop
    hit = search(anon, "rodent")["results"][0]
    assert [hit["snippet"][a:b].lower() for a, b in hit["highlights"]] == ["rodent"]


def test_text_between_angle_brackets_is_text_too(editor, anon, small_kb):
    definition = "Never <script>alert(1)</script> trust a lemming."
    create(editor, "concept-list", concept("lemming", "Rodent", definition=definition))
    hit = search(anon, "lemming")["results"][0]
    assert [hit["snippet"][a:b] for a, b in hit["highlights"]] == ["lemming"]
    # PostgreSQL's headline drops what looks like a tag, SQLite's keeps it: as text, unescaped
    assert "&lt;" not in hit["snippet"] and "<mark>" not in hit["snippet"]


def test_reindex_command_rebuilds_the_same_index(anon, kb):
    before = search(anon, "relational database", page_size=50)
    names = SearchName.objects.count()
    call_command("reindex", verbosity=0)
    assert search(anon, "relational database", page_size=50) == before
    assert SearchName.objects.count() == names
    assert SearchName.objects.filter(is_title=True).count() == SearchDocument.objects.count()


def count_queries(client, q, **params) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        body = search(client, q, **params)
    return len(queries), body


SEARCH_QUERIES = {
    # q: queries (ranked hits + snippets of the page; or hits + names like a misspelt query)
    "database": 2,
    "Relational database": 2,
    "databse": 2,
    "xylophone": 2,
}


def test_search_query_count_is_pinned_and_independent_of_size(anon, small_kb):
    small = {q: count_queries(anon, q, page_size=1)[0] for q in SEARCH_QUERIES}
    make_many(60)
    large = {q: count_queries(anon, q, page_size=100)[0] for q in SEARCH_QUERIES}
    assert small == large == SEARCH_QUERIES
    assert count_queries(anon, "database", page_size=100)[1]["count"] > 60
