"""The schema of every ``application/ld+json`` answer: a SKOS document (``concepts.jsonld``)."""

from kbapi.http.renderers import JSONLD_MEDIA_TYPE

JSONLD_COMPONENT = {
    "type": "object",
    "description": "SKOS concepts as JSON-LD: a `@graph` of one `skos:ConceptScheme` and "
    "its `skos:Concept` nodes (prefLabel, altLabel, definition, scopeNote, notation, broader, "
    "narrower, related, inScheme, topConceptOf, rdfs:seeAlso to the API resource), with the "
    "`@context` that maps these terms to SKOS. IRIs are `<SKOS_BASE_IRI>scheme` and "
    "`<SKOS_BASE_IRI>concept/<slug>`, whatever host was asked. A page of the concept list "
    "also holds a `hydra:PartialCollectionView` node (`next`, `previous`, `first`, "
    "`totalItems`); `graph/?format=jsonld` is the whole scheme in one document.",
    "properties": {
        "@context": {"type": "object", "additionalProperties": {}},
        "@graph": {"type": "array", "items": {"type": "object", "additionalProperties": {}}},
    },
    "required": ["@context", "@graph"],
}


def jsonld_schema_hook(result, generator, request, public):
    """drf-spectacular hook: every ``application/ld+json`` response is a SKOS document."""
    result.setdefault("components", {}).setdefault("schemas", {})["SkosDocument"] = JSONLD_COMPONENT
    ref = {"$ref": "#/components/schemas/SkosDocument"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                if JSONLD_MEDIA_TYPE in content:
                    content[JSONLD_MEDIA_TYPE] = {"schema": ref}
    return result
