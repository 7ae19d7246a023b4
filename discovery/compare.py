"""Comparisons on demand: a matrix of aspects (rows) by concepts (columns).

Rows come first from a curated comparison that covers every requested concept
(its aspects, in order, restricted to the requested columns), then from the
concepts' own structured attributes. Every cell is a list of texts, so a
frontend draws all rows the same way.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

MIN_CONCEPTS = 2
MAX_CONCEPTS = 6
CURATED = "comparison"
ATTRIBUTES = "concept"


@dataclass(frozen=True)
class Facts:
    """What the matrix needs to know about one compared concept."""

    slug: str
    name: str
    category: str
    summary: str
    advantages: Sequence[str]
    limitations: Sequence[str]
    use_cases: Sequence[str]
    example_systems: Sequence[str]


@dataclass(frozen=True)
class Row:
    """One aspect: where it comes from and a cell (list of texts) per concept slug."""

    name: str
    source: str
    values: Mapping[str, list[str]]


ATTRIBUTE_ROWS: tuple[tuple[str, Callable[[Facts], Sequence[str]]], ...] = (
    ("Category", lambda f: [f.category]),
    ("Summary", lambda f: [f.summary]),
    ("Advantages", lambda f: f.advantages),
    ("Limitations", lambda f: f.limitations),
    ("Use cases", lambda f: f.use_cases),
    ("Example systems", lambda f: f.example_systems),
)


def matrix(
    columns: Sequence[Facts], curated: Sequence[tuple[str, Mapping[str, str]]] = ()
) -> list[Row]:
    """The rows for ``columns``: curated aspects ``(name, {slug: value})`` first.

    An attribute row whose name a curated aspect already uses is left out, so
    every row name appears once.
    """
    slugs = [c.slug for c in columns]
    rows = [
        Row(name, CURATED, {s: [values[s]] if values.get(s) else [] for s in slugs})
        for name, values in curated
    ]
    taken = {row.name.casefold() for row in rows}
    rows += [
        Row(name, ATTRIBUTES, {c.slug: list(pick(c)) for c in columns})
        for name, pick in ATTRIBUTE_ROWS
        if name.casefold() not in taken
    ]
    return rows
