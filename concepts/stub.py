"""The one shape of a concept embedded in another answer: ``{slug, name, category, url}``.

Every answer that names a concept without showing it in full (a relation's ends,
an edge of a concept's detail, an example's or a comparison's concepts, every
concept of the discovery endpoints) shows it this way: ``category`` is the slug of
its category, as in the concept itself, and ``url`` its absolute URL. Discovery
answers may add their own keys after these four (``distance``, ``position``, ...).

``concept_stub`` builds it for the plain fast paths; ``ConceptStubSerializer``
(``concepts.api.serializers``) documents it and builds it from a model or a dict.
A test holds every embedded concept of every endpoint to these keys.
"""


def concept_stub(slug: str, name: str, category: str, url: str) -> dict:
    return {"slug": slug, "name": name, "category": category, "url": url}
