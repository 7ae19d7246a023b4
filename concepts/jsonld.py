"""Concepts as JSON-LD in SKOS terms, for linked-data tools.

Each concept is a ``skos:Concept`` in one ``skos:ConceptScheme`` (the concept
list's URL): its name is ``prefLabel``, its aliases ``altLabel``, its summary
``definition``, its slug ``notation``, its Markdown definition (detail only)
``scopeNote``. ``is-a`` and ``part-of`` edges become ``broader`` (and, seen
from the other end, ``narrower``); every other relation type becomes
``related``. Error responses stay in the shared JSON error shape.
"""

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.urls import reverse

from kbapi.http.renderers import JSONLD_MEDIA_TYPE, JSONRenderer, is_error, render_error

SKOS = "http://www.w3.org/2004/02/skos/core#"
BROADER_TYPES = {"is-a", "part-of"}


def _text(term: str) -> dict:
    return {"@id": f"skos:{term}", "@language": "en"}


def _link(term: str) -> dict:
    return {"@id": f"skos:{term}", "@type": "@id"}


CONTEXT = {
    "skos": SKOS,
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
}


def canonical(url: str) -> str:
    """A concept's IRI: its URL without the ``format`` parameter DRF carries along."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "format"]
    return urlunsplit(parts._replace(query=urlencode(query)))


def scheme_url(request) -> str:
    path = reverse("concept-list")
    return request.build_absolute_uri(path) if request is not None else path


def scheme_node(request) -> dict:
    return {
        "@id": scheme_url(request),
        "@type": "ConceptScheme",
        "prefLabel": "kbapi: database concepts",
    }


def concept_node(concept: dict, scheme: str, links: dict[str, set[str]] | None = None) -> dict:
    """A concept dict (url, slug, name, aliases?, summary?, definition?) as a SKOS node."""
    node = {
        "@id": canonical(concept["url"]),
        "@type": "Concept",
        "prefLabel": concept["name"],
        "notation": concept["slug"],
        "inScheme": scheme,
    }
    optional = {
        "altLabel": concept.get("aliases"),
        "definition": concept.get("summary"),
        "scopeNote": concept.get("definition"),
    }
    node.update({term: value for term, value in optional.items() if value})
    for term, targets in sorted((links or {}).items()):
        if targets:
            node[term] = sorted(targets)
    return node


def document(nodes: list[dict], request) -> dict:
    return {"@context": CONTEXT, "@graph": [scheme_node(request), *nodes]}


def links_from_edges(edges: Iterable[tuple[str, str, str]]) -> dict[str, dict[str, set[str]]]:
    """SKOS links per concept URL from ``(source url, type, target url)`` edges."""
    links: dict[str, dict[str, set[str]]] = {}

    def add(subject: str, term: str, obj: str) -> None:
        links.setdefault(subject, {}).setdefault(term, set()).add(obj)

    for source, relation_type, target in edges:
        if relation_type in BROADER_TYPES:
            add(source, "broader", target)
            add(target, "narrower", source)
        else:
            add(source, "related", target)
            add(target, "related", source)
    return links


def graph_document(nodes: list[dict], edges: list[dict], request) -> dict:
    """The graph endpoint's nodes (with aliases and summary) and edges as SKOS."""
    url = {n["slug"]: canonical(n["url"]) for n in nodes}
    links = links_from_edges((url[e["source"]], e["type"], url[e["target"]]) for e in edges)
    scheme = scheme_url(request)
    return document([concept_node(n, scheme, links.get(url[n["slug"]])) for n in nodes], request)


def concept_detail_document(concept: dict, request) -> dict:
    """A concept in full (the detail serializer's data) as SKOS, with its relations."""
    relations = concept.get("relations") or {}
    me = canonical(concept["url"])
    edges = [(me, e["type"], canonical(e["concept"]["url"])) for e in relations.get("outgoing", [])]
    edges += [
        (canonical(e["concept"]["url"]), e["type"], me) for e in relations.get("incoming", [])
    ]
    links = links_from_edges(edges).get(me)
    return document([concept_node(concept, scheme_url(request), links)], request)


def concept_list_document(page: dict, request) -> dict:
    """A page of the concept list as SKOS; the Link header carries the paging."""
    scheme = scheme_url(request)
    return document([concept_node(c, scheme) for c in page.get("results", [])], request)


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
