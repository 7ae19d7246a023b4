"""``search(q, types)``: one ranked list over concepts, examples and comparisons.

Both databases answer alike: the query is read by the same rules (``text``),
whole-name and name-word matches get the same boosts, and misspelt queries
are corrected by the same trigram measure; only the full-text engine differs.

1. Full text: every term must match (the last one as a prefix), names weigh
   most. One query returns the candidates, a second the titles and snippets
   of the page shown.

   - When at most ``MAX_HITS`` documents match (the whole real knowledge
     base, and most queries), every match is ranked exactly: text rank
     (ts_rank / bm25, names weighing most) plus the name boosts, as before.
   - Beyond that the list is approximate. Ranking every match would read
     each of them (a common word matches tens of thousands of documents at
     100,000 concepts), so the candidates are found through the names, in
     tiers, each read by an index up to a LIMIT (``SearchName``):

     a. the names and aliases equal to the query (its words in any order);
     b. the titles starting with the query as typed (the first
        ``MAX_HITS + 1`` read, then sorted by title);
     c. the other documents whose names hold all its words (in index order).

     Their rank is the name boosts alone (b: 0.75, c: 0.5), without a text
     rank. When b and c give more than ``MAX_HITS`` documents, a to c are
     the hits and the full text is not read at all. Otherwise they come
     first, then ``MAX_HITS + 1`` other full-text matches read in index
     order (not the best by text rank) and ordered by their exact rank; all
     are ranked by their name boosts alone. So a whole name still comes
     first, titles starting with the query next, then the other name
     matches, but which of many similar matches make the list, and their
     order, is approximate.

2. Nothing found: the names most like the query, by trigram similarity,
   become the results and the best one the ``suggestion``.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import permutations

from django.db import connection

from . import backends
from .models import SearchDocument
from .text import CLOSE, OPEN, best_window, phrase, search_terms, without_marks, words

MAX_HITS = 1000
FUZZY_CANDIDATES = 50
# A misspelt name must share most of the query's trigrams and be about as long.
MIN_SHARED = 0.6
MIN_SIMILARITY = 0.3
MIN_SUGGESTION = 0.5  # only a close name is offered as the term meant
EXACT_NAME_BOOST = 1.0
NAME_PREFIX_BOOST = 0.25
NAME_WORDS_BOOST = 0.5
KINDS = tuple(SearchDocument.Kind.values)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SPACE = re.compile(r"\s+")


@dataclass
class Hit:
    """One result: what the API shows for it."""

    doc_id: int
    type: str
    slug: str
    title: str
    rank: float
    snippet: str = ""
    highlights: list[list[int]] = field(default_factory=list)


class Hits(Sequence):
    """Ranked (document id, rank) rows; a ``Hit`` is made only for the page shown."""

    def __init__(self, rows: list[tuple[int, float]]):
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [Hit(doc_id, "", "", "", rank) for doc_id, rank in self.rows[index]]
        doc_id, rank = self.rows[index]
        return Hit(doc_id, "", "", "", rank)


@dataclass
class Outcome:
    """The ranked hits of a query, and the term meant when the query looked misspelt."""

    hits: Sequence[Hit] = field(default_factory=list)
    suggestion: str | None = None
    query: "backends.Query | None" = None

    def with_snippets(self, page: list[Hit]) -> list[Hit]:
        """Fill in the type, slug and snippet of the hits on the page shown (one query at most).

        A hit whose document was rewritten since the hits were read is left out.
        """
        if self.query is None or not page:
            return page
        details = _backend().page(self.query, [hit.doc_id for hit in page])
        shown = []
        for hit in page:
            if hit.doc_id in details:
                hit.type, hit.slug, hit.title, *parts = details[hit.doc_id]
                hit.snippet, hit.highlights = choose_snippet(parts)
                shown.append(hit)
        return shown


def search(q: str, types: list[str] | tuple[str, ...] = KINDS) -> Outcome:
    """Rank the concepts, examples and comparisons (of ``types``) that match ``q``."""
    types = [t for t in KINDS if t in types] or list(KINDS)
    terms = search_terms(q)
    if not terms:
        return Outcome()
    query = backends.Query(
        terms=terms,
        exact=_whole_names(q),
        prefix=f"| {phrase(q)}",
        name_words=[f" {term}" for term in terms],
        types=types,
        boosts=(EXACT_NAME_BOOST, NAME_PREFIX_BOOST, NAME_WORDS_BOOST),
    )
    named, ranked = _backend().candidates(query, limit=MAX_HITS + 1)
    if len(named) > MAX_HITS:
        rows = named[:MAX_HITS]  # more name matches than hits: the full text is not read
    elif len(ranked) <= MAX_HITS:
        rows = [(doc_id, rank) for doc_id, rank, _ in ranked]  # every match, ranked exactly
    else:
        rows = _merge(named, ranked)[:MAX_HITS]
    if rows:
        return Outcome(hits=Hits(rows), query=query)
    return _fuzzy(phrase(q), types)


def _merge(named: list[tuple], ranked: list[tuple]) -> list[tuple]:
    """The name matches, then a sample of the other matches, all ranked by their boosts.

    The sample is ranked exactly, but the name matches have no text rank: both are
    ranked by the name boosts alone, ties in that order (the sample best first).
    """
    seen = {doc_id for doc_id, _ in named}
    rows = named + [(doc_id, boost) for doc_id, _, boost in ranked if doc_id not in seen]
    return sorted(rows, key=lambda row: -row[1])  # stable: ties keep their order


def _whole_names(q: str) -> list[str]:
    """The query as a whole name or alias, its words in any order (up to three words)."""
    found = words(q)
    orders = permutations(found) if len(found) <= 3 else [found]
    return sorted({f"| {' '.join(order)} |" for order in orders})


def _fuzzy(wanted: str, types: list[str]) -> Outcome:
    if len(wanted) < 3:
        return Outcome()
    scored = []
    for doc_id, kind, slug, title, names, summary in _backend().similar_names(
        wanted, types, limit=FUZZY_CANDIDATES, min_shared=MIN_SHARED
    ):
        name, (score, shared, start, end) = max(
            ((name, best_window(wanted, name)) for name in names.split("\n")),
            key=lambda pair: pair[1][0],
        )
        if shared >= MIN_SHARED and score >= MIN_SIMILARITY:
            marked = f"{name[:start]}{OPEN}{name[start:end]}{CLOSE}{name[end:]}"
            snippet, highlights = choose_snippet([f"{marked} — {_shorten(summary)}"])
            hit = Hit(doc_id, kind, slug, title, round(score, 6), snippet, highlights)
            scored.append((hit, name[start:end]))
    scored.sort(key=lambda pair: (-pair[0].rank, KINDS.index(pair[0].type), pair[0].title))
    best = scored[0] if scored else None
    suggestion = (
        best[1] if best and best[0].rank >= MIN_SUGGESTION and phrase(best[1]) != wanted else None
    )
    return Outcome(hits=[hit for hit, _ in scored], suggestion=suggestion)


def choose_snippet(parts) -> tuple[str, list[list[int]]]:
    """The first part with a match in it (else the first part), as plain text on one line,
    and the ``[start, end)`` offsets of its matches (code points)."""
    parts = [p for p in parts if p]
    if not parts:
        return "", []
    text = next((p for p in parts if OPEN in p), parts[0])
    return without_marks(_SPACE.sub(" ", _CONTROL.sub("", text)).strip())


def _shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _backend():
    return backends.for_vendor(connection.vendor)
