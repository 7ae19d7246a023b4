"""Walks over the concept graph, on an edge list held in memory.

The discovery reads load every relation in one query and hand the edges to
these functions, so no walk ever queries the database per hop. Everything
here is plain Python and deterministic: neighbours are visited in slug order,
so the same knowledge base always gives the same answer on any database.
"""

import heapq
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

FORWARD = "forward"
BACKWARD = "backward"
PREREQUISITE = "prerequisite-of"


class Edge(NamedTuple):
    """A relation as ``source --type--> target``, by concept slugs.

    Edges and steps are named tuples rather than dataclasses: a walk sorts and
    hashes hundreds of them per request, and tuples compare in C (about ten
    times faster than a dataclass's generated ``__lt__``).
    """

    source: str
    type: str
    target: str


class Step(NamedTuple):
    """An edge as a walk crossed it: ``forward`` from source to target, else ``backward``."""

    edge: Edge
    direction: str

    @property
    def start(self) -> str:
        return self.edge.source if self.direction == FORWARD else self.edge.target

    @property
    def end(self) -> str:
        return self.edge.target if self.direction == FORWARD else self.edge.source


@dataclass(frozen=True)
class Reached:
    """A concept found by a walk: how far away it is and the steps that lead to it."""

    slug: str
    distance: int
    steps: tuple[Step, ...]


class Graph:
    """The relations between concepts, walkable in both directions."""

    def __init__(self, edges: Iterable[Edge], types: Iterable[str] | None = None):
        wanted = set(types) if types else None
        self.edges = sorted({e for e in edges if wanted is None or e.type in wanted})
        # Each slug's steps in (far end, type, direction) order, sorted as plain tuples.
        adjacency: dict[str, list[tuple]] = defaultdict(list)
        for edge in self.edges:
            source, kind, target = edge
            adjacency[source].append((target, kind, FORWARD, Step(edge, FORWARD)))
            adjacency[target].append((source, kind, BACKWARD, Step(edge, BACKWARD)))
        self._adjacency = {
            slug: [keyed[3] for keyed in sorted(steps, key=itemgetter(0, 1, 2))]
            for slug, steps in adjacency.items()
        }

    def steps_from(self, slug: str) -> list[Step]:
        return self._adjacency.get(slug, [])

    def reach(self, start: str, depth: int) -> list[Reached]:
        """Concepts within ``depth`` relations of ``start``, nearest first, then by slug.

        Each comes with every step that reaches it from a concept one relation
        nearer, so a client can draw how it was reached.
        """
        distance = {start: 0}
        steps: dict[str, list[Step]] = defaultdict(list)
        queue = deque([start])
        while queue:
            here = queue.popleft()
            if distance[here] == depth:
                continue
            for step in self.steps_from(here):
                there = step.end
                if there not in distance:
                    distance[there] = distance[here] + 1
                    queue.append(there)
                if distance[there] == distance[here] + 1:
                    steps[there].append(step)
        found = [Reached(s, d, tuple(steps[s])) for s, d in distance.items() if s != start]
        return sorted(found, key=lambda r: (r.distance, r.slug))

    def shortest_path(self, start: str, goal: str) -> list[Step] | None:
        """The fewest steps from ``start`` to ``goal`` ignoring edge direction; None if apart."""
        came_by: dict[str, Step | None] = {start: None}
        queue = deque([start])
        while queue and goal not in came_by:
            here = queue.popleft()
            for step in self.steps_from(here):
                if step.end not in came_by:
                    came_by[step.end] = step
                    queue.append(step.end)
        if goal not in came_by:
            return None
        path: list[Step] = []
        node = goal
        while (step := came_by[node]) is not None:
            path.append(step)
            node = step.start
        return path[::-1]

    def subgraph(self, nodes: set[str]) -> list[Edge]:
        """The edges whose both ends are in ``nodes``."""
        return [e for e in self.edges if e.source in nodes and e.target in nodes]


@dataclass(frozen=True)
class Lesson:
    """One concept of a learning path and its direct prerequisites within the path."""

    slug: str
    prerequisites: tuple[str, ...]


def learning_path(edges: Iterable[Edge], concept: str, known: set[str]) -> list[Lesson]:
    """The transitive prerequisites of ``concept``, each after its own prerequisites.

    ``prerequisite-of`` edges read ``source`` is a prerequisite of ``target``.
    A known concept is left out and so is what lies only behind it: knowing a
    concept is taken to mean knowing its own prerequisites. Among concepts
    ready at the same time, the smaller slug comes first. Should the content
    ever hold a prerequisite cycle, the smallest slug still waiting breaks it,
    so the answer stays complete and deterministic.
    """
    requires: dict[str, set[str]] = defaultdict(set)
    for edge in edges:
        if edge.type == PREREQUISITE:
            requires[edge.target].add(edge.source)
    needed = _needed(requires, concept, known)
    within = {slug: requires[slug] & needed for slug in needed}
    return [Lesson(slug, tuple(sorted(within[slug]))) for slug in _topological(within)]


def _needed(requires: dict[str, set[str]], concept: str, known: set[str]) -> set[str]:
    if concept in known:
        return set()
    needed: set[str] = set()
    stack = [concept]
    while stack:
        for prerequisite in requires.get(stack.pop(), ()):
            if prerequisite not in known and prerequisite not in needed and prerequisite != concept:
                needed.add(prerequisite)
                stack.append(prerequisite)
    return needed


def _topological(requires: dict[str, set[str]]) -> list[str]:
    """Kahn's algorithm with a heap of slugs, so ties are settled by slug."""
    waiting = {slug: len(before) for slug, before in requires.items()}
    unlocks: dict[str, list[str]] = defaultdict(list)
    for slug, before in requires.items():
        for prerequisite in before:
            unlocks[prerequisite].append(slug)
    ready = [slug for slug, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(waiting):
        if not ready:  # a cycle: release its smallest member
            heapq.heappush(ready, min(s for s in waiting if s not in done))
        slug = heapq.heappop(ready)
        if slug in done:
            continue
        done.add(slug)
        order.append(slug)
        for follower in unlocks[slug]:
            waiting[follower] -= 1
            if waiting[follower] == 0 and follower not in done:
                heapq.heappush(ready, follower)
    return order
