"""graph/: the concept graph as JSON, Mermaid, Graphviz DOT and SKOS JSON-LD."""

import json
import os
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from django.conf import settings
from django.urls import reverse
from rdflib.namespace import RDF, RDFS, SKOS, Namespace

from concepts.models import Concept
from discovery.formats import HUB_DEGREE, MAX_NODES
from relations.models import Relation
from relations.services import relation_create
from tests.conftest import require_tool
from tests.factories import make_concept

MERMAID_CHECK = Path(__file__).resolve().parents[1] / "mermaid"
TRICKY_NAME = 'He said "hi" <b>#1</b> & `end`; [x] {y} | z --> w'
CONCEPTS = "http://testserver/api/v1/concepts/"
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
# rdflib's own JSON-LD parser still uses its deprecated ConjunctiveGraph
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


def graph(client, **params):
    return client.get(reverse("graph"), params)


def mermaid_diagram_type(text: str) -> str:
    """Parse ``text`` with Mermaid's own parser (tests/mermaid, run by Node)."""
    node = require_tool("node")
    if not (MERMAID_CHECK / "node_modules" / "mermaid").is_dir():
        message = "Mermaid's parser is not installed: npm ci --prefix tests/mermaid"
        if os.environ.get("KBAPI_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return run_tool([node, str(MERMAID_CHECK / "parse.mjs")], text).stdout.strip()


def graphviz_svg(text: str) -> str:
    result = run_tool([require_tool("dot"), "-Tsvg"], text)
    assert result.stderr == "", result.stderr
    return result.stdout


def run_tool(command: list[str], text: str) -> subprocess.CompletedProcess:
    """Run an external checker on ``text`` (its standard input); it must succeed."""
    result = subprocess.run(
        command, input=text, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def tricky():
    """Concepts whose slugs are Mermaid keywords and whose name needs escaping."""
    make_concept("end", name=TRICKY_NAME)
    make_concept("subgraph", name="Sub\\graph \\N \\\\ back\\slash")
    acid = Concept.objects.get(slug="acid")
    for slug in ("end", "subgraph"):
        relation_create(source=Concept.objects.get(slug=slug), type="related-to", target=acid)


# --- JSON ------------------------------------------------------------------------------


def test_json_graph_has_every_concept_and_relation(anon):
    body = graph(anon).json()
    slugs = [n["slug"] for n in body["results"]]
    assert slugs == sorted(Concept.objects.values_list("slug", flat=True))
    assert len(body["edges"]) == Relation.objects.count()
    assert {"source": "key-value-store", "type": "is-a", "target": "non-relational-database"} in (
        body["edges"]
    )
    assert all(e["source"] in slugs and e["target"] in slugs for e in body["edges"])
    node = next(n for n in body["results"] if n["slug"] == "acid")
    assert node == {
        "slug": "acid",
        "name": Concept.objects.get(slug="acid").name,
        "category": Concept.objects.get(slug="acid").category.slug,
        "url": f"{CONCEPTS}acid/",
    }


def test_category_keeps_its_concepts_and_the_edges_among_them(anon):
    body = graph(anon, category="database-type").json()
    expected = set(
        Concept.objects.filter(category__slug="database-type").values_list("slug", flat=True)
    )
    assert {n["slug"] for n in body["results"]} == expected
    assert all(n["category"] == "database-type" for n in body["results"])
    assert body["edges"] and all(
        e["source"] in expected and e["target"] in expected for e in body["edges"]
    )


def test_around_keeps_the_neighbourhood_within_depth(anon):
    body = graph(anon, around="graph-database", depth=2).json()
    near = anon.get(reverse("concept-neighbors", args=["graph-database"]), {"depth": 2}).json()
    expected = {"graph-database"} | {r["slug"] for r in near["results"]}
    assert {n["slug"] for n in body["results"]} == expected
    assert all(e["source"] in expected and e["target"] in expected for e in body["edges"])


def test_around_with_category_and_type(anon):
    body = graph(anon, around="graph-database", category="database-type", type="is-a").json()
    assert {n["slug"] for n in body["results"]} == {"graph-database", "non-relational-database"}
    assert body["edges"] == [
        {"source": "graph-database", "type": "is-a", "target": "non-relational-database"}
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"depth": "2"}, "depth"),
        ({"around": "acid", "depth": "4"}, "depth"),
        ({"around": "acid", "depth": "NaN"}, "depth"),
        ({"around": "no-such-concept"}, "around"),
        ({"category": "no-such-category"}, "category"),
        ({"type": "friend-of"}, "type"),
        ({"type": ""}, "type"),
        ({"format": "svg"}, "format"),
        ({"format": "mermaid", "category": "no-such-category"}, "category"),
        ({"format": "dot", "around": "acid", "depth": "0"}, "depth"),
        ({"format": "jsonld", "type": "x"}, "type"),
    ],
)
def test_bad_parameters_are_400_in_the_json_error_shape(anon, params, field):
    response = graph(anon, **params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert field in response.json()["errors"]


# --- Mermaid --------------------------------------------------------------------------


def test_mermaid_is_plain_text_that_mermaid_parses_as_a_flowchart(anon, tricky):
    response = graph(anon, format="mermaid")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("graph LR\n")
    assert 'c_key_value_store -->|"is a"| c_non_relational_database' in text
    assert 'c_end["He said #quot;hi#quot; #lt;b#gt;#35;1#lt;/b#gt; #amp; #96;end#96;' in text
    assert text.count(" -->|") == Relation.objects.count()
    assert mermaid_diagram_type(text) == "flowchart-v2"


def test_mermaid_neighbourhood(anon):
    text = graph(anon, format="mermaid", around="acid", depth=1).content.decode()
    assert 'c_acid["ACID"]' in text
    assert 'c_acid -->|"prerequisite of"| c_oltp' in text


def test_mermaid_is_chosen_by_accept_header_too(anon):
    response = anon.get(reverse("graph"), HTTP_ACCEPT="text/plain")
    assert response.content.startswith(b"graph LR\n")


# --- Graphviz DOT ----------------------------------------------------------------------


def test_dot_is_accepted_by_graphviz(anon, tricky):
    # a neighbourhood, not the whole graph: laying out every concept takes dot half a minute
    response = graph(anon, format="dot", around="acid", depth=2)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vnd.graphviz; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("digraph concepts {")
    assert '"acid" -> "oltp" [label="prerequisite of"];' in text
    svg = graphviz_svg(text)
    assert "<title>acid</title>" in svg
    assert "He said &quot;hi&quot; &lt;b&gt;#1&lt;/b&gt; &amp; `end`" in svg
    assert "Sub\\graph \\N \\\\ back\\slash" in svg
    assert svg.count('class="edge"') == text.count(" -> ") > 10


def test_whole_graph_as_dot_has_every_node_and_edge(anon):
    text = graph(anon, format="dot").content.decode()
    assert text.count(" -> ") == Relation.objects.count()
    assert text.count("URL=") == Concept.objects.count()


def test_dot_is_chosen_by_accept_header(anon):
    response = anon.get(reverse("graph"), {"around": "acid"}, HTTP_ACCEPT="text/vnd.graphviz")
    assert response.content.startswith(b"digraph concepts {")
    graphviz_svg(response.content.decode())


# --- readable pictures -----------------------------------------------------------------

FOCUS = "relational-database"


def graphviz_layout(text: str) -> dict:
    """The picture as Graphviz itself lays it out (``dot -Tjson``)."""
    return json.loads(run_tool([require_tool("dot"), "-Tjson"], text).stdout)


def test_dot_picture_of_depth_2_marks_the_focus_links_nodes_and_stays_readable(anon):
    answer = graph(anon, around=FOCUS, depth=2).json()
    assert len(answer["results"]) > MAX_NODES  # the JSON answer itself is not cut
    laid_out = graphviz_layout(graph(anon, format="dot", around=FOCUS, depth=2).content.decode())
    nodes = {n["name"]: n for n in laid_out["objects"]}
    # readable: at most MAX_NODES concepts, and only the focus has many edges drawn
    assert 20 < len(nodes) <= MAX_NODES
    drawn = Counter()
    for e in laid_out["edges"]:
        drawn[laid_out["objects"][e["tail"]]["name"]] += 1
        drawn[laid_out["objects"][e["head"]]["name"]] += 1
    assert max(count for slug, count in drawn.items() if slug != FOCUS) < HUB_DEGREE
    assert drawn[FOCUS] == max(drawn.values())
    # the focus is marked, every node links to its API resource
    assert "filled" in nodes[FOCUS]["style"] and nodes[FOCUS]["fillcolor"] == "#ffe08a"
    assert all("filled" not in n["style"] for slug, n in nodes.items() if slug != FOCUS)
    assert {n["URL"] for n in nodes.values()} == {f"{CONCEPTS}{slug}/" for slug in nodes}
    # what is left out is said: a hub is dashed with how many of its relations are not drawn
    table = nodes["table"]
    assert "dashed" in table["style"] and table["label"].startswith("Table (+")
    assert f"{len(answer['results']) - len(nodes)} more concepts" in laid_out["label"]


def test_mermaid_picture_of_depth_2_marks_the_focus_links_nodes_and_parses(anon):
    text = graph(anon, format="mermaid", around=FOCUS, depth=2).content.decode()
    assert mermaid_diagram_type(text) == "flowchart-v2"
    ids = re.findall(r"^  (c_\w+)\[", text, flags=re.MULTILINE)
    assert 20 < len(ids) <= MAX_NODES
    links = dict(re.findall(r'^  click (c_\w+) href "([^"]+)"', text, flags=re.MULTILINE))
    assert links == {i: f"{CONCEPTS}{i[2:].replace('_', '-')}/" for i in ids}
    assert "  class c_relational_database focus\n" in text
    assert text.count(" -->|") < 60


def test_depth_1_and_whole_pictures_are_not_cut(anon):
    text = graph(anon, format="mermaid", around="acid", depth=1).content.decode()
    answer = graph(anon, around="acid", depth=1).json()
    assert text.count(" -->|") == len(answer["edges"])
    assert "  class c_acid focus\n" in text
    assert "class c_" not in text.replace("  class c_acid focus\n", "")


# --- SKOS JSON-LD ----------------------------------------------------------------------


def skos_graph(response) -> rdflib.Graph:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/ld+json")
    return rdflib.Graph().parse(data=response.content, format="json-ld")


def concept(slug: str) -> rdflib.URIRef:
    return rdflib.URIRef(f"{settings.SKOS_BASE_IRI}concept/{slug}")


def scheme() -> rdflib.URIRef:
    return rdflib.URIRef(f"{settings.SKOS_BASE_IRI}scheme")


def label(text: str) -> rdflib.Literal:
    return rdflib.Literal(text, lang="en")


def test_graph_as_jsonld_is_skos(anon):
    g = skos_graph(graph(anon, format="jsonld"))
    assert (scheme(), RDF.type, SKOS.ConceptScheme) in g
    assert len(set(g.subjects(RDF.type, SKOS.Concept))) == Concept.objects.count()
    kv = concept("key-value-store")
    assert (kv, SKOS.prefLabel, label("Key-value store")) in g
    assert (kv, SKOS.altLabel, label("KV store")) in g
    assert (kv, SKOS.notation, rdflib.Literal("key-value-store")) in g
    assert (kv, SKOS.inScheme, scheme()) in g
    assert (kv, SKOS.definition, None) in g
    assert (kv, RDFS.seeAlso, rdflib.URIRef(f"{CONCEPTS}key-value-store/")) in g
    assert (kv, SKOS.broader, concept("non-relational-database")) in g  # is-a
    assert (concept("key-value-pair"), SKOS.broader, kv) in g  # part-of
    assert (concept("non-relational-database"), SKOS.narrower, kv) in g
    assert (kv, SKOS.related, concept("document-store")) in g  # alternative-to
    assert (concept("document-store"), SKOS.related, kv) in g
    assert (kv, SKOS.broader, concept("document-store")) not in g


def test_skos_iris_are_the_configured_base_whatever_the_host(anon, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    settings.SKOS_BASE_IRI = "https://vocab.example.net/db/"
    here = skos_graph(anon.get(reverse("graph"), {"format": "jsonld"}))
    there = skos_graph(anon.get(reverse("graph"), {"format": "jsonld"}, HTTP_HOST="other.example"))
    iris = set(here.subjects(RDF.type, SKOS.Concept))
    assert iris == set(there.subjects(RDF.type, SKOS.Concept))
    assert {str(i) for i in iris} == {
        f"https://vocab.example.net/db/concept/{slug}"
        for slug in Concept.objects.values_list("slug", flat=True)
    }
    detail = skos_graph(
        anon.get(
            reverse("concept-detail", args=["acid"]),
            {"format": "jsonld"},
            HTTP_HOST="other.example",
        )
    )
    acid = rdflib.URIRef("https://vocab.example.net/db/concept/acid")
    assert (acid, RDF.type, SKOS.Concept) in detail
    # the API address is the one thing that follows the request
    assert (
        acid,
        RDFS.seeAlso,
        rdflib.URIRef("http://other.example/api/v1/concepts/acid/"),
    ) in detail


def test_the_whole_scheme_is_one_document_with_top_concepts(anon):
    g = skos_graph(graph(anon, format="jsonld"))
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    assert concepts == {concept(s) for s in Concept.objects.values_list("slug", flat=True)}
    has_broader = set(
        Relation.objects.filter(type__in=["is-a", "part-of"]).values_list("source__slug", flat=True)
    )
    top = {
        concept(s)
        for s in Concept.objects.exclude(slug__in=has_broader).values_list("slug", flat=True)
    }
    assert top and top != concepts
    assert set(g.objects(scheme(), SKOS.hasTopConcept)) == top
    assert set(g.subjects(SKOS.topConceptOf, scheme())) == top
    assert not any((c, SKOS.broader, None) in g for c in top)
    # broader and narrower are each other's inverse, related is symmetric
    broader = set(g.subject_objects(SKOS.broader))
    assert broader and broader == {(o, s) for s, o in g.subject_objects(SKOS.narrower)}
    related = set(g.subject_objects(SKOS.related))
    assert related == {(o, s) for s, o in related}


def test_concept_detail_as_jsonld(anon):
    response = anon.get(reverse("concept-detail", args=["key-value-store"]), {"format": "jsonld"})
    g = skos_graph(response)
    kv = concept("key-value-store")
    assert (kv, RDF.type, SKOS.Concept) in g
    assert (kv, SKOS.broader, concept("non-relational-database")) in g
    assert (kv, SKOS.narrower, concept("key-value-pair")) in g
    assert (kv, SKOS.related, concept("user-session")) in g
    assert (kv, SKOS.scopeNote, None) in g  # the Markdown definition, in full
    assert (kv, SKOS.topConceptOf, None) not in g
    assert {str(o) for o in g.objects(kv, SKOS.altLabel)} == set(
        Concept.objects.get(slug="key-value-store").aliases
    )


def test_concept_list_as_jsonld_says_where_the_next_page_is(anon):
    response = anon.get(reverse("concept-list"), {"format": "jsonld", "page_size": 5})
    g = skos_graph(response)
    assert len(set(g.subjects(RDF.type, SKOS.Concept))) == 5
    assert (scheme(), RDF.type, SKOS.ConceptScheme) in g
    (page,) = g.subjects(RDF.type, HYDRA.PartialCollectionView)
    (following,) = g.objects(page, HYDRA.next)
    assert f'<{following}>; rel="next"' in response["Link"]
    assert (page, HYDRA.totalItems, rdflib.Literal(Concept.objects.count())) in g
    second = anon.get(str(following).removeprefix("http://testserver"))
    assert (None, RDF.type, SKOS.Concept) in skos_graph(second)


def test_missing_concept_as_jsonld_is_still_the_json_error_shape(anon):
    response = anon.get(reverse("concept-detail", args=["nothing-here"]), {"format": "jsonld"})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["status"] == 404


def test_plain_json_of_concepts_is_unchanged_by_the_new_format(anon):
    response = anon.get(reverse("concept-detail", args=["key-value-store"]))
    assert response["Content-Type"] == "application/json"
    assert response.json()["slug"] == "key-value-store"


# --- one operation per format (typed clients) -----------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt", "media_type"),
    [
        ("graph-mermaid", "mermaid", "text/plain"),
        ("graph-dot", "dot", "text/vnd.graphviz"),
        ("graph-jsonld", "jsonld", "application/ld+json"),
    ],
)
def test_each_format_has_its_own_url_answering_the_same_graph(anon, name, fmt, media_type):
    params = {"around": "acid", "depth": 2, "type": "prerequisite-of"}
    response = anon.get(reverse(name), params)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == media_type
    assert response.content == graph(anon, format=fmt, **params).content
    # the URL names the format: a format parameter does not change it, bad input stays JSON
    assert anon.get(reverse(name), {"format": "json"}).content == anon.get(reverse(name)).content
    missing = anon.get(reverse(name), {"around": "no-such-concept"})
    assert missing.status_code == 400 and missing.json()["errors"].keys() == {"around"}


@pytest.mark.parametrize("params", [{"fields": "version"}, {"expand": "category,tags"}])
def test_concept_as_jsonld_is_the_whole_skos_node_whatever_fields_or_expand_say(anon, params):
    url = reverse("concept-detail", args=["key-value-store"])
    response = anon.get(url, {"format": "jsonld", **params})
    assert response.status_code == 200
    assert response.content == anon.get(url, {"format": "jsonld"}).content
    listed = {"fields": "slug"} if "fields" in params else params  # no version on the list
    page = anon.get(reverse("concept-list"), {"format": "jsonld", "page_size": 3, **listed})
    assert (
        page.status_code == 200 and len(set(skos_graph(page).subjects(RDF.type, SKOS.Concept))) == 3
    )


def test_concept_as_jsonld_still_refuses_unknown_fields_or_expand(anon):
    url = reverse("concept-detail", args=["key-value-store"])
    for params in ({"fields": "nope"}, {"expand": "/"}):
        response = anon.get(url, {"format": "jsonld", **params})
        assert response.status_code == 400 and response.json()["errors"].keys() == set(params)
