"""``search(q, types)``: one ranked list over concepts, examples and comparisons.

Both databases answer alike: the query is read by the same rules (``text``),
whole-name and name-word matches get the same boosts, and misspelt queries
are corrected by the same trigram measure; only the full-text engine differs.

1. Full text: every term must match (the last one as a prefix), names weigh
   most. One query returns the ranked hits (at most ``MAX_HITS``), a second
   the snippets of the page shown.
2. Nothing found: the names most like the query, by trigram similarity,
   become the results and the best one the ``suggestion``.
"""

import html
import re
from dataclasses import dataclass, field
from itertools import permutations

from django.db import connection

from . import backends
from .models import SearchDocument
from .text import best_window, phrase, search_terms, words

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
OPEN, CLOSE = "\ue000", "\ue001"  # private-use marks around matches, never in content
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


@dataclass
class Outcome:
    """The ranked hits of a query, and the term meant when the query looked misspelt."""

    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None
    query: "backends.Query | None" = None

    def with_snippets(self, page: list[Hit]) -> list[Hit]:
        """Fill in the snippets of the hits on the page shown (one query at most)."""
        if self.query is not None and page:
            parts = _backend().snippets(self.query, [hit.doc_id for hit in page])
            for hit in page:
                hit.snippet = choose_snippet(parts.get(hit.doc_id, ()))
        return page


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
    rows = _backend().full_text(query, limit=MAX_HITS)
    if rows:
        return Outcome(hits=[Hit(*row) for row in rows], query=query)
    return _fuzzy(phrase(q), types)


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
        wanted, types, limit=FUZZY_CANDIDATES
    ):
        name, (score, shared, start, end) = max(
            ((name, best_window(wanted, name)) for name in names.split("\n")),
            key=lambda pair: pair[1][0],
        )
        if shared >= MIN_SHARED and score >= MIN_SIMILARITY:
            marked = f"{name[:start]}{OPEN}{name[start:end]}{CLOSE}{name[end:]}"
            snippet = choose_snippet([f"{marked} — {_shorten(summary)}"])
            scored.append(
                (Hit(doc_id, kind, slug, title, round(score, 6), snippet), name[start:end])
            )
    scored.sort(key=lambda pair: (-pair[0].rank, KINDS.index(pair[0].type), pair[0].title))
    best = scored[0] if scored else None
    suggestion = (
        best[1] if best and best[0].rank >= MIN_SUGGESTION and phrase(best[1]) != wanted else None
    )
    return Outcome(hits=[hit for hit, _ in scored], suggestion=suggestion)


def choose_snippet(parts) -> str:
    """The first part with a match in it (else the first part), as escaped HTML with <mark>s."""
    parts = [p for p in parts if p]
    if not parts:
        return ""
    text = next((p for p in parts if OPEN in p), parts[0])
    text = _SPACE.sub(" ", _CONTROL.sub("", text)).strip()
    escaped = html.escape(text, quote=False)
    return escaped.replace(OPEN, "<mark>").replace(CLOSE, "</mark>")


def _shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _backend():
    return backends.for_vendor(connection.vendor)
