"""Concepts as JSON-LD in SKOS terms, for linked-data tools.

Each concept is a ``skos:Concept`` in one ``skos:ConceptScheme``. Their IRIs
are stable names, not addresses: ``<SKOS_BASE_IRI>scheme`` and
``<SKOS_BASE_IRI>concept/<slug>`` (the setting, never the request's Host), so
one concept has one IRI however the API was reached; each node points at its
API resource with ``rdfs:seeAlso`` (that one does follow the request). A
concept's name is ``prefLabel``, its aliases ``altLabel``, its summary
``definition``, its slug ``notation``, its Markdown definition (detail only)
``scopeNote``. ``is-a`` and ``part-of`` edges become ``broader`` (and, seen
from the other end, ``narrower``); every other relation type becomes
``related``. A concept with no ``broader`` is a top concept: the whole-scheme
export (``graph/?format=jsonld``) lists them in ``hasTopConcept`` and each says
``topConceptOf``. Error responses stay in the shared JSON error shape.
"""

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.urls import reverse

from kbapi.http.renderers import JSONLD_MEDIA_TYPE, JSONRenderer, is_error, render_error

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
HYDRA = "http://www.w3.org/ns/hydra/core#"
BROADER_TYPES = {"is-a", "part-of"}


def _text(term: str) -> dict:
    return {"@id": f"skos:{term}", "@language": "en"}


def _link(term: str, prefix: str = "skos") -> dict:
    return {"@id": f"{prefix}:{term}", "@type": "@id"}


CONTEXT = {
    "skos": SKOS,
    "rdfs": RDFS,
    "hydra": HYDRA,
    "Concept": "skos:Concept",
    "ConceptScheme": "skos:ConceptScheme",
    "prefLabel": _text("prefLabel"),
    "altLabel": _text("altLabel"),
    "definition": _text("definition"),
    "scopeNote": _text("scopeNote"),
    "notation": "skos:notation",
    "broader": _link("broader"),
    "narrower": _link("narrower"),
    "related": _link("related"),
    "inScheme": _link("inScheme"),
    "hasTopConcept": _link("hasTopConcept"),
    "topConceptOf": _link("topConceptOf"),
    "seeAlso": _link("seeAlso", "rdfs"),
    "PartialCollectionView": "hydra:PartialCollectionView",
    "first": _link("first", "hydra"),
    "previous": _link("previous", "hydra"),
    "next": _link("next", "hydra"),
    "totalItems": "hydra:totalItems",
}


def base_iri() -> str:
    return settings.SKOS_BASE_IRI


def scheme_iri() -> str:
    return f"{base_iri()}scheme"


def concept_iri(slug: str) -> str:
    return f"{base_iri()}concept/{slug}"


def canonical(url: str) -> str:
    """A concept's API URL without the ``format`` parameter DRF carries along."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "format"]
    return urlunsplit(parts._replace(query=urlencode(query)))


def scheme_node(request, top: Iterable[str] | None = None) -> dict:
    path = reverse("concept-list")
    node = {
        "@id": scheme_iri(),
        "@type": "ConceptScheme",
        "prefLabel": "kbapi: database concepts",
        "seeAlso": request.build_absolute_uri(path) if request is not None else path,
    }
    if top is not None:
        node["hasTopConcept"] = sorted(concept_iri(slug) for slug in top)
    return node


def concept_node(concept: dict, links: dict[str, set[str]] | None = None) -> dict:
    """A concept dict (url, slug, name, aliases?, summary?, definition?) as a SKOS node.

    ``links`` maps SKOS terms to concept slugs. A concept with no ``broader`` among
    them is a top concept of the scheme only when ``links`` is given (the caller knew
    its relations).
    """
    node = {
        "@id": concept_iri(concept["slug"]),
        "@type": "Concept",
        "prefLabel": concept["name"],
        "notation": concept["slug"],
        "inScheme": scheme_iri(),
        "seeAlso": canonical(concept["url"]),
    }
    optional = {
        "altLabel": concept.get("aliases"),
        "definition": concept.get("summary"),
        "scopeNote": concept.get("definition"),
    }
    node.update({term: value for term, value in optional.items() if value})
    for term, targets in sorted((links or {}).items()):
        if targets:
            node[term] = sorted(concept_iri(slug) for slug in targets)
    if links is not None and not links.get("broader"):
        node["topConceptOf"] = scheme_iri()
    return node


def document(nodes: list[dict], request, top: Iterable[str] | None = None) -> dict:
    return {"@context": CONTEXT, "@graph": [scheme_node(request, top), *nodes]}


def links_from_edges(edges: Iterable[tuple[str, str, str]]) -> dict[str, dict[str, set[str]]]:
    """SKOS links per concept slug from ``(source slug, type, target slug)`` edges.

    SKOS keeps the hierarchy and ``related`` apart (integrity condition S27: ``related``
    is disjoint from ``broaderTransitive``), and a ``broader`` that another of the
    concept's ``broader`` already implies is redundant. Our relation types say more
    than SKOS can (``table prerequisite-of primary-key`` while ``primary-key part-of
    table``), so among the given edges: a pair the hierarchy already links, directly
    or through other concepts, gets no ``related``, and a ``broader`` implied by
    another one is left out. The API's relations keep every edge.
    """
    edges = list(edges)
    parents: dict[str, set[str]] = {}
    for source, relation_type, target in edges:
        if relation_type in BROADER_TYPES:
            parents.setdefault(source, set()).add(target)
    above = _ancestors(parents)
    links: dict[str, dict[str, set[str]]] = {}

    def add(subject: str, term: str, obj: str) -> None:
        links.setdefault(subject, {}).setdefault(term, set()).add(obj)

    for source, relation_type, target in edges:
        if relation_type in BROADER_TYPES:
            others = parents[source] - {target}
            if any(target in above.get(other, ()) for other in others):
                continue  # implied by a more specific broader concept
            add(source, "broader", target)
            add(target, "narrower", source)
        elif target not in above.get(source, ()) and source not in above.get(target, ()):
            add(source, "related", target)
            add(target, "related", source)
    return links


def _ancestors(parents: dict[str, set[str]]) -> dict[str, set[str]]:
    """Every concept reachable upwards through ``parents`` (cycles tolerated)."""
    above: dict[str, set[str]] = {}
    for start in parents:
        seen: set[str] = set()
        todo = list(parents[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(parents.get(node, ()))
        above[start] = seen
    return above


def graph_document(nodes: list[dict], edges: list[dict], request, *, whole: bool) -> dict:
    """The graph endpoint's nodes (with aliases and summary) and edges as SKOS.

    ``whole``: the selection is the whole scheme (every concept, every relation), so
    the concepts without ``broader`` are its top concepts, declared both ways.
    """
    links = links_from_edges((e["source"], e["type"], e["target"]) for e in edges)
    concepts = [
        concept_node(n, links.get(n["slug"], {}) if whole else links.get(n["slug"])) for n in nodes
    ]
    top = [n["notation"] for n in concepts if "topConceptOf" in n] if whole else None
    return document(concepts, request, top)


def concept_detail_document(concept: dict, request) -> dict:
    """A concept in full (the detail serializer's data) as SKOS, with its relations."""
    relations = concept.get("relations") or {}
    me = concept["slug"]
    edges = [(me, e["type"], e["concept"]["slug"]) for e in relations.get("outgoing", [])]
    edges += [(e["concept"]["slug"], e["type"], me) for e in relations.get("incoming", [])]
    links = links_from_edges(edges).get(me, {})
    return document([concept_node(concept, links)], request)


def concept_list_document(page: dict, request) -> dict:
    """A page of the concept list as SKOS, and where its neighbour pages are.

    The page itself is a ``hydra:PartialCollectionView`` node (``next``,
    ``previous``, ``first``, ``totalItems``), so the body says what the Link
    header says. The whole scheme in one document is ``graph/?format=jsonld``.
    """
    view = {
        "@id": request.build_absolute_uri() if request is not None else "",
        "@type": "PartialCollectionView",
    }
    if request is not None:
        first = urlsplit(request.build_absolute_uri())
        query = [(k, v) for k, v in parse_qsl(first.query, keep_blank_values=True) if k != "page"]
        view["first"] = urlunsplit(first._replace(query=urlencode(query)))
    for term, key in (("next", "next"), ("previous", "previous")):
        if page.get(key):
            view[term] = page[key]
    if isinstance(page.get("count"), int):
        view["totalItems"] = page["count"]
    nodes = [concept_node(c) for c in page.get("results", [])]
    return {"@context": CONTEXT, "@graph": [scheme_node(request), view, *nodes]}


class JSONLDRenderer(JSONRenderer):
    """``?format=jsonld``: concepts (list or detail) or the concept graph as SKOS JSON-LD."""

    media_type = JSONLD_MEDIA_TYPE
    format = "jsonld"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if is_error(renderer_context) or not isinstance(data, dict):
            return render_error(data, renderer_context)
        request = (renderer_context or {}).get("request")
        if "@context" not in data:
            if "results" in data:
                data = concept_list_document(data, request)
            else:
                data = concept_detail_document(data, request)
        return super().render(data, accepted_media_type, renderer_context)
