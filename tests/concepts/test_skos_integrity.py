"""The whole SKOS export passes skosify's integrity checks: no clash, top concepts declared.

skosify (the vocabulary checker of the Finto/Skosmos project) is run in check-only mode on
``graph/?format=jsonld``, the whole scheme in one document: every warning it logs is a
failure (``related`` overlapping ``broaderTransitive``, ``broader`` cycles, redundant
hierarchy, label clashes, concepts outside the scheme or without a top concept).
"""

import logging

import pytest
import rdflib
import skosify
from django.urls import reverse
from rdflib.namespace import RDF, SKOS

from concepts.jsonld import links_from_edges

pytestmark = pytest.mark.django_db


def export(client) -> rdflib.Graph:
    response = client.get(reverse("graph"), {"format": "jsonld"})
    assert response.status_code == 200
    return rdflib.Graph().parse(data=response.content, format="json-ld")


def skosify_warnings(graph: rdflib.Graph, caplog) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        skosify.skosify(
            graph,
            keep_related=True,  # report a related/broaderTransitive clash, do not repair it
            break_cycles=False,
            eliminate_redundancy=False,
            mark_top_concepts=False,  # report a concept no top concept reaches
            label="kbapi",
        )
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_the_whole_export_passes_skosify(anon, kb, caplog):
    assert skosify_warnings(export(anon), caplog) == []


def test_top_concepts_are_declared_and_reach_every_concept(anon, kb):
    graph = export(anon)
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    top = set(graph.objects(None, SKOS.hasTopConcept))
    assert top and top <= concepts
    assert top == set(graph.subjects(SKOS.topConceptOf, None))
    reached, todo = set(), list(top)
    while todo:
        node = todo.pop()
        if node not in reached:
            reached.add(node)
            todo.extend(graph.objects(node, SKOS.narrower))
    assert reached == concepts, sorted(concepts - reached)[:10]


def test_skosify_reports_a_clash_the_export_would_have_had(caplog):
    """The check can fail: the same edges mapped naively (every non-hierarchical type to
    ``related``) clash, and skosify says so."""
    base = "https://example.org/"
    graph = rdflib.Graph()
    scheme = rdflib.URIRef(base + "scheme")
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    for slug in ("table", "primary-key", "relational-model"):
        node = rdflib.URIRef(base + slug)
        graph.add((node, RDF.type, SKOS.Concept))
        graph.add((node, SKOS.prefLabel, rdflib.Literal(slug, lang="en")))
        graph.add((node, SKOS.inScheme, scheme))
    pk, table = rdflib.URIRef(base + "primary-key"), rdflib.URIRef(base + "table")
    graph.add((pk, SKOS.broader, table))
    graph.add((pk, SKOS.related, table))  # what `table prerequisite-of primary-key` gave
    messages = skosify_warnings(graph, caplog)
    assert any("skos:broaderTransitive and skos:related" in m for m in messages), messages


def test_the_mapping_drops_related_pairs_the_hierarchy_links_and_implied_broaders():
    links = links_from_edges(
        [
            ("primary-key", "part-of", "table"),
            ("table", "prerequisite-of", "primary-key"),  # direct clash
            ("table", "part-of", "relational-model"),
            ("relational-model", "related-to", "primary-key"),  # through table
            ("primary-key", "is-a", "relational-model"),  # implied by part-of table
            ("primary-key", "uses", "index"),  # no hierarchy between them: kept
        ]
    )
    assert links["primary-key"] == {"broader": {"table"}, "related": {"index"}}
    assert links["table"] == {"broader": {"relational-model"}, "narrower": {"primary-key"}}
