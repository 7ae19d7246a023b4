"""How many queries each discovery endpoint runs: the same on a small and on the real KB.

Each case: (URL under /api/v1/ on the small fixture KB, the same kind of request on
the real KB, queries). Graph walks load the edge list in one query, never one per hop.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

DISCOVERY_QUERIES = {
    # concept, edge list, reached concepts
    "neighbors": (
        "concepts/relational-database/neighbors/?depth=2",
        "concepts/relational-database/neighbors/?depth=3",
        3,
    ),
    # concept and known ones, prerequisite edges, steps
    "learning-path": (
        "concepts/relational-database/learning-path/?known=key-value-store",
        "concepts/join/learning-path/?known=table",
        3,
    ),
    # edge list; both ends and the concepts on the path
    "path": (
        "graph/path/?from=key-value-store&to=database",
        "graph/path/?from=key-value-store&to=django-orm",
        2,
    ),
    # concepts, edge list
    "graph": ("graph/", "graph/", 2),
    "graph-around-mermaid": (
        "graph/?around=relational-database&depth=2&format=mermaid",
        "graph/?around=relational-database&depth=2&format=mermaid",
        2,
    ),
    # + the category's existence
    "graph-category-dot": (
        "graph/?category=database-type&format=dot",
        "graph/?category=database-type&format=dot",
        3,
    ),
    "graph-jsonld": ("graph/?format=jsonld", "graph/?format=jsonld", 2),
    # concepts, their example systems, the covering comparison, its values
    "compare-curated": (
        "compare/?concepts=relational-database,key-value-store",
        "compare/?concepts=key-value-store,graph-database",
        4,
    ),
    "compare": (
        "compare/?concepts=database,relational-database",
        "compare/?concepts=join,table",
        3,
    ),
    # database types with traits, their example systems
    "advisor": ("advisor/?q=user+session+cache", "advisor/?q=user+session+cache", 2),
    "advisor-structured": (
        "advisor/?transactions=multi-operation&latency=low",
        "advisor/?transactions=multi-operation&latency=low",
        2,
    ),
}


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/{path}")
    assert response.status_code == 200, response.content
    return len(queries)
