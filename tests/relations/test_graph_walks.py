"""The walks of discovery.graph on small hand-made edge lists (no database)."""

from discovery.graph import BACKWARD, FORWARD, Edge, Graph, learning_path


def edges(*triples: str) -> list[Edge]:
    return [Edge(*t.split()) for t in triples]


def order(lessons) -> list[str]:
    return [lesson.slug for lesson in lessons]


def test_reach_walks_both_directions_and_keeps_every_reaching_edge():
    g = Graph(edges("a uses b", "c is-a b", "a related-to c", "c uses d"))
    reached = {r.slug: r for r in g.reach("a", 2)}
    assert {s: r.distance for s, r in reached.items()} == {"b": 1, "c": 1, "d": 2}
    assert [(s.edge.source, s.direction) for s in reached["b"].steps] == [("a", FORWARD)]
    assert [(s.edge.type, s.direction) for s in reached["d"].steps] == [("uses", FORWARD)]
    assert [s.direction for s in Graph(edges("b uses a")).reach("a", 1)[0].steps] == [BACKWARD]


def test_reach_stops_at_depth_and_filters_types():
    g = Graph(edges("a is-a b", "b is-a c", "c is-a d", "a uses x"), types=["is-a"])
    assert [r.slug for r in g.reach("a", 2)] == ["b", "c"]


def test_shortest_path_ignores_direction_and_is_deterministic():
    g = Graph(edges("a uses b", "c uses b", "a uses e", "e uses c", "z uses y"))
    path = g.shortest_path("a", "c")
    assert [(s.start, s.end, s.direction) for s in path] == [
        ("a", "b", FORWARD),
        ("b", "c", BACKWARD),
    ]
    assert g.shortest_path("a", "a") == []
    assert g.shortest_path("a", "z") is None
    assert g.shortest_path("a", "nowhere") is None


def test_learning_path_orders_prerequisites_and_breaks_ties_by_slug():
    prereqs = edges(
        "b prerequisite-of goal",
        "a prerequisite-of goal",
        "c prerequisite-of b",
        "a prerequisite-of c",
        "x uses goal",
    )
    lessons = learning_path(prereqs, "goal", set())
    assert order(lessons) == ["a", "c", "b"]
    assert [lesson.prerequisites for lesson in lessons] == [(), ("a",), ("c",)]


def test_known_concepts_take_what_lies_only_behind_them():
    prereqs = edges(
        "k prerequisite-of goal",
        "only-k prerequisite-of k",
        "shared prerequisite-of k",
        "shared prerequisite-of m",
        "m prerequisite-of goal",
    )
    assert order(learning_path(prereqs, "goal", {"k"})) == ["shared", "m"]
    assert order(learning_path(prereqs, "goal", {"goal"})) == []


def test_a_cycle_is_broken_at_its_smallest_slug_and_nothing_is_lost():
    prereqs = edges(
        "b prerequisite-of c",
        "c prerequisite-of b",
        "a prerequisite-of b",
        "c prerequisite-of goal",
        "goal prerequisite-of a",
    )
    assert order(learning_path(prereqs, "goal", set())) == ["a", "b", "c"]
