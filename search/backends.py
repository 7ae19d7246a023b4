"""The database-specific half of search: PostgreSQL (tsvector + pg_trgm) and SQLite (FTS5).

Each backend answers three questions, each in one query whatever the size of
the knowledge base: the candidates of a query (its name matches and, when
they are few, its ranked full-text matches), the titles and snippets of a page
of hits, and the documents whose names look like a (misspelt) query.

Every part of a query reads a bounded number of rows: each tier of name
matches stops at a LIMIT (an index lookup or scan, never a sort of all
matches), and the full-text matches are read and ranked only when the names
did not already give more than ``limit`` documents, and then at most
``limit`` of them.
"""

import math
from dataclasses import dataclass

from django.db import connection

from .index import FTS_TABLE, NAMES_TABLE, TRIGRAM_TABLE, TRIGRAM_VOCAB
from .models import SearchDocument
from .text import CLOSE, OPEN, raw_trigrams

SNIPPET_WORDS = 24
FUZZY_MAX_CHARS = 64
RARE_TRIGRAMS = 8
NO_TRIGRAM = "|||"  # never in the names ("| a | b |"): matches nothing


@dataclass(frozen=True)
class Query:
    """A full-text query, read from the user's text by the shared rules."""

    terms: list[str]  # all must match; the last one as a prefix
    exact: list[str]  # "| whole query |": a name or alias equal to the query
    prefix: str  # "| query": a name or alias that starts with the query as typed
    name_words: list[str]  # " term": every term starts a word of a name or alias
    types: list[str]
    boosts: tuple[float, float, float]  # exact name, name starting so, all terms in names

    @property
    def phrases(self) -> list[str]:
        """The whole names the query can equal ("key value", "value key")."""
        return [name[2:-2] for name in self.exact]

    @property
    def typed(self) -> str:
        """The query's words as typed: a name starting with them gets the prefix boost."""
        return self.prefix[2:]

    @property
    def narrowed(self) -> list[str]:
        """The kinds asked for, or [] when every kind is (no filter needed)."""
        return list(self.types) if set(self.types) != set(SearchDocument.Kind.values) else []


class PostgresBackend:
    """Weighted tsvector (names A, summary B, body C) with a GIN index; pg_trgm for typos."""

    weights = "{0.05,0.2,0.4,1.0}"  # D, C, B, A (ts_rank's order)

    def _tsquery(self, query: Query) -> str:
        return " & ".join([*query.terms[:-1], f"{query.terms[-1]}:*"])

    def candidates(self, query: Query, *, limit: int) -> tuple[list[tuple], list[tuple]]:
        """(name matches as (document id, rank), ranked matches as (id, rank, boosts)).

        Name matches, in three tiers, each read by an index up to a LIMIT: the names
        equal to the query (ranked by their boosts), then the titles starting with it
        (in title order), then the other documents whose names hold all its words (in
        index order); a document may come twice (a whole alias, then its title). Their
        rank is the name boosts alone. The last two tiers hold one row per document
        and at most ``limit`` rows together. Ranked matches: only when those two tiers
        have fewer than ``limit`` rows, at most ``limit`` full-text matches (in index
        order), each ranked exactly: ts_rank plus the name boosts.
        """
        kinds = query.narrowed
        kind_filter = "AND kind = ANY(%(kinds)s)" if kinds else ""
        exact = " OR ".join(f"strpos(keys, %(exact{i})s) > 0" for i in range(len(query.exact)))
        words = " AND ".join(f"strpos(keys, %(word{i})s) > 0" for i in range(len(query.name_words)))
        sql = f"""
            WITH whole AS MATERIALIZED (
                SELECT document_id, (%(exact_boost)s + %(words_boost)s
                    + CASE WHEN phrase LIKE %(typed_like)s THEN %(prefix_boost)s ELSE 0.0 END
                )::float8 AS rank, phrase
                FROM search_name WHERE phrase = ANY(%(phrases)s) {kind_filter}
                ORDER BY rank DESC, phrase, document_id
                LIMIT %(limit)s
            ),
            titled AS MATERIALIZED (
                (SELECT * FROM (
                    SELECT document_id, %(title_rank)s::float8 AS rank, phrase FROM search_name
                    WHERE is_title AND phrase LIKE %(typed_like)s {kind_filter}
                    LIMIT %(limit)s
                ) AS starting ORDER BY phrase COLLATE "C", document_id)
                UNION ALL
                (SELECT document_id, %(words_rank)s::float8, '' FROM search_name
                WHERE is_title AND vector @@ to_tsquery('english', %(tsquery)s)
                    AND phrase NOT LIKE %(typed_like)s {kind_filter}
                LIMIT %(limit)s)
                LIMIT %(limit)s
            ),
            ranked AS MATERIALIZED (
                SELECT id, title, text_rank + boost AS rank, boost
                FROM (
                    SELECT id, title,
                        ts_rank('{self.weights}'::float4[], vector,
                            to_tsquery('english', %(tsquery)s), 32) AS text_rank,
                        (
                            CASE WHEN {exact} THEN %(exact_boost)s ELSE 0.0 END
                            + CASE WHEN strpos(keys, %(prefix)s) > 0
                                THEN %(prefix_boost)s ELSE 0.0 END
                            + CASE WHEN {words} THEN %(words_boost)s ELSE 0.0 END
                        )::float8 AS boost
                    FROM search_document
                    WHERE vector @@ to_tsquery('english', %(tsquery)s) {kind_filter}
                        -- Read (and ranked) only when the names gave fewer than ``limit``
                        -- documents: PostgreSQL checks this once, before the scan.
                        AND (SELECT count(*) FROM titled) < %(limit)s
                    LIMIT %(limit)s
                ) AS matches
            )
            SELECT 1 AS part, document_id, rank, rank FROM whole
            UNION ALL
            SELECT 2, document_id, rank, rank FROM titled
            UNION ALL
            (SELECT 3, id, rank, boost FROM ranked ORDER BY rank DESC, title, id)
        """
        exact_boost, prefix_boost, words_boost = query.boosts
        params = {
            "phrases": query.phrases,
            "typed_like": f"{query.typed}%",
            "tsquery": self._tsquery(query),
            "kinds": kinds,
            "limit": limit,
            "prefix": query.prefix,
            "exact_boost": exact_boost,
            "prefix_boost": prefix_boost,
            "words_boost": words_boost,
            "title_rank": prefix_boost + words_boost,
            "words_rank": words_boost,
            **{f"exact{i}": name for i, name in enumerate(query.exact)},
            **{f"word{i}": word for i, word in enumerate(query.name_words)},
        }
        return _split(_fetch(sql, params))

    def page(self, query: Query, doc_ids: list[int]) -> dict[int, tuple]:
        """(kind, slug, title, snippet part) of each document shown.

        The part is what ``engine.choose_snippet`` would pick among the headlines of the
        summary, the body and the names: the first that holds a query word, else the
        first that is not empty. Only that one headline is computed; which field holds a
        query word is read from the weights of the stored vector (names A, summary B,
        body C), without parsing the text again.
        """
        marks = f"StartSel='{OPEN}', StopSel='{CLOSE}'"
        words = f"MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}"
        sql = """
            SELECT id, kind, slug, title, CASE
                WHEN ts_filter(vector, '{b}') @@ w
                    THEN ts_headline('english', summary, q, %(text)s)
                WHEN ts_filter(vector, '{c}') @@ w
                    THEN ts_headline('english', body, q, %(text)s)
                WHEN ts_filter(vector, '{a}') @@ w
                    THEN ts_headline('english', names, q, %(names)s)
                WHEN summary <> '' THEN ts_headline('english', summary, q, %(text)s)
                WHEN body <> '' THEN ts_headline('english', body, q, %(text)s)
                ELSE ts_headline('english', names, q, %(names)s)
            END
            FROM search_document,
                to_tsquery('english', %(tsquery)s) AS q,
                to_tsquery('english', %(any_word)s) AS w
            WHERE id = ANY(%(ids)s)
        """
        params = {
            "text": f"{marks}, {words}",
            "names": f"{marks}, HighlightAll=true",
            "tsquery": self._tsquery(query),
            "any_word": " | ".join([*query.terms[:-1], f"{query.terms[-1]}:*"]),
            "ids": doc_ids,
        }
        return {doc_id: parts for doc_id, *parts in _fetch(sql, params)}

    def similar_names(
        self, wanted: str, types: list[str], *, limit: int, min_shared: float
    ) -> list[tuple]:
        sql = """
            SELECT id, kind, slug, title, names, summary
            FROM search_document
            WHERE kind = ANY(%(types)s) AND %(wanted)s <%% keys
            ORDER BY word_similarity(%(wanted)s, keys) DESC, id
            LIMIT %(limit)s
        """
        return _fetch(sql, {"wanted": wanted, "types": list(types), "limit": limit})


class SqliteBackend:
    """FTS5 with bm25 column weights (names 10, summary 4, body 1); FTS5 trigrams for typos."""

    def _match(self, query: Query, *, prefix: bool = True) -> str:
        quoted = [f'"{term}"' for term in query.terms]
        if prefix:
            quoted[-1] += "*"
        return " AND ".join(quoted)

    def candidates(self, query: Query, *, limit: int) -> tuple[list[tuple], list[tuple]]:
        """As ``PostgresBackend.candidates``, with bm25 for the exact ranks."""
        kinds = query.narrowed
        in_kinds = f"IN ({', '.join(f'%(kind{i})s' for i in range(len(kinds)))})"
        kind_filter = f"AND kind {in_kinds}" if kinds else ""
        # Only a narrowed search joins every full-text match to its document to check the kind.
        kind_join = f"JOIN search_document AS c ON c.id = {FTS_TABLE}.rowid" if kinds else ""
        fts_kind_filter = f"AND c.kind {in_kinds}" if kinds else ""
        names_kind_filter = f"AND n.kind {in_kinds}" if kinds else ""
        phrases = ", ".join(f"%(phrase{i})s" for i in range(len(query.phrases)))
        exact = " OR ".join(f"instr(d.keys, %(exact{i})s) > 0" for i in range(len(query.exact)))
        words = " AND ".join(
            f"instr(d.keys, %(word{i})s) > 0" for i in range(len(query.name_words))
        )
        sql = f"""
            WITH whole AS MATERIALIZED (
                SELECT document_id, %(exact_boost)s + %(words_boost)s
                    + CASE WHEN phrase >= %(typed)s AND phrase < %(typed_end)s
                        THEN %(prefix_boost)s ELSE 0.0 END AS rank,
                    phrase
                FROM search_name WHERE phrase IN ({phrases}) {kind_filter}
                ORDER BY rank DESC, phrase, document_id
                LIMIT %(limit)s
            ),
            titled AS MATERIALIZED (
                SELECT * FROM (
                    SELECT document_id, %(title_rank)s AS rank FROM search_name
                    WHERE is_title AND phrase >= %(typed)s AND phrase < %(typed_end)s {kind_filter}
                    ORDER BY phrase, document_id LIMIT %(limit)s)
                UNION ALL
                SELECT * FROM (
                    SELECT n.document_id, %(words_boost)s
                    FROM {NAMES_TABLE} JOIN search_name AS n ON n.id = {NAMES_TABLE}.rowid
                    WHERE {NAMES_TABLE} MATCH %(match)s
                        AND NOT (n.phrase >= %(typed)s AND n.phrase < %(typed_end)s)
                        {names_kind_filter}
                    LIMIT %(limit)s)
                LIMIT %(limit)s
            ),
            ranked AS MATERIALIZED (
                SELECT id, title, text_rank + boost AS rank, boost FROM (
                    SELECT d.id, d.title, m.score / (1.0 + m.score) AS text_rank,
                        CASE WHEN {exact} THEN %(exact_boost)s ELSE 0.0 END
                        + CASE WHEN instr(d.keys, %(prefix)s) > 0
                            THEN %(prefix_boost)s ELSE 0.0 END
                        + CASE WHEN {words} THEN %(words_boost)s ELSE 0.0 END AS boost
                    FROM (
                        -- Read (and bm25-ranked) only when the names gave fewer than
                        -- ``limit`` documents: a LIMIT of 0 skips the scan (a WHERE
                        -- would not).
                        SELECT {FTS_TABLE}.rowid AS doc_id,
                            -bm25({FTS_TABLE}, 10.0, 4.0, 1.0) AS score
                        FROM {FTS_TABLE} {kind_join}
                        WHERE {FTS_TABLE} MATCH %(match)s {fts_kind_filter}
                        LIMIT (
                            SELECT CASE WHEN count(*) < %(limit)s THEN %(limit)s ELSE 0 END
                            FROM titled
                        )
                    ) AS m
                    JOIN search_document AS d ON d.id = m.doc_id
                )
            )
            SELECT 1 AS part, document_id, rank, rank FROM whole
            UNION ALL
            SELECT 2, document_id, rank, rank FROM titled
            UNION ALL
            SELECT * FROM (SELECT 3, id, rank, boost FROM ranked ORDER BY rank DESC, title, id)
        """
        exact_boost, prefix_boost, words_boost = query.boosts
        params = {
            "exact_boost": exact_boost,
            "prefix_boost": prefix_boost,
            "words_boost": words_boost,
            "title_rank": prefix_boost + words_boost,
            "typed": query.typed,
            "typed_end": _successor(query.typed),
            "match": self._match(query),
            "prefix": query.prefix,
            "limit": limit,
            **{f"phrase{i}": name for i, name in enumerate(query.phrases)},
            **{f"kind{i}": kind for i, kind in enumerate(kinds)},
            **{f"exact{i}": name for i, name in enumerate(query.exact)},
            **{f"word{i}": word for i, word in enumerate(query.name_words)},
        }
        return _split(_fetch(sql, params))

    def page(self, query: Query, doc_ids: list[int]) -> dict[int, tuple]:
        """(kind, slug, title, summary part, body part, names part) of each document shown.

        FTS5 answers ``rowid = ?`` once per id, and with a prefix term it merges that
        term's whole doclist each time (a common prefix: milliseconds per id). So the
        query with its last word complete comes first; only the documents it does not
        match (they hold a longer word) are read with the prefix, in one pass over the
        rowid range they span.
        """
        values = ", ".join("(%s)" for _ in doc_ids)
        parts = f"""
            snippet({FTS_TABLE}, 1, %s, %s, '…', {SNIPPET_WORDS}) AS s,
            snippet({FTS_TABLE}, 2, %s, %s, '…', {SNIPPET_WORDS}) AS b,
            highlight({FTS_TABLE}, 0, %s, %s) AS n
        """
        sql = f"""
            WITH shown(id) AS (VALUES {values}),
            whole AS MATERIALIZED (
                SELECT rowid AS id, {parts} FROM {FTS_TABLE}
                WHERE {FTS_TABLE} MATCH %s AND rowid IN (SELECT id FROM shown)
            ),
            rest AS MATERIALIZED (SELECT id FROM shown WHERE id NOT IN (SELECT id FROM whole)),
            parts AS (
                SELECT * FROM whole
                UNION ALL
                SELECT * FROM (
                    SELECT rowid AS id, {parts} FROM {FTS_TABLE}
                    WHERE {FTS_TABLE} MATCH %s
                        AND rowid BETWEEN (SELECT min(id) FROM rest) AND (SELECT max(id) FROM rest)
                        AND +rowid IN (SELECT id FROM rest)
                    LIMIT (SELECT count(*) FROM rest)
                )
            )
            SELECT d.id, d.kind, d.slug, d.title, p.s, p.b, p.n FROM parts AS p
            JOIN search_document AS d ON d.id = p.id
        """
        marks = [OPEN, CLOSE] * 3
        params = [*doc_ids, *marks, self._match(query, prefix=False), *marks, self._match(query)]
        return {doc_id: parts for doc_id, *parts in _fetch(sql, params)}

    def similar_names(
        self, wanted: str, types: list[str], *, limit: int, min_shared: float
    ) -> list[tuple]:
        grams = raw_trigrams(wanted[:FUZZY_MAX_CHARS])
        if not grams:
            return []
        kinds = ", ".join("%s" for _ in types)
        marks = ", ".join("%s" for _ in grams)
        # Candidates hold one of the query's rarest trigrams that the names hold at all:
        # common ones ("ata", "dat") would make the query read most of the index. A name
        # that shares ``min_shared`` of the trigrams misses at most n - ceil(n * min_shared)
        # of them, so it holds one of any that many plus one.
        rare = len(grams) - math.ceil(len(grams) * min_shared) + 1
        rare = max(1, min(rare, RARE_TRIGRAMS))
        sql = f"""
            SELECT d.id, d.kind, d.slug, d.title, d.names, d.summary
            FROM {TRIGRAM_TABLE} JOIN search_document AS d ON d.id = {TRIGRAM_TABLE}.rowid
            WHERE {TRIGRAM_TABLE} MATCH coalesce((
                SELECT group_concat('"' || term || '"', ' OR ') FROM (
                    SELECT term FROM {TRIGRAM_VOCAB} WHERE term IN ({marks})
                    ORDER BY doc, term LIMIT {rare}
                )
            ), '"{NO_TRIGRAM}"') AND d.kind IN ({kinds})
            ORDER BY bm25({TRIGRAM_TABLE}), d.id
            LIMIT %s
        """
        return _fetch(sql, [*grams, *types, limit])


def _successor(text: str) -> str:
    """The first string after every string that starts with ``text`` (code point order)."""
    return text[:-1] + chr(ord(text[-1]) + 1)


def _split(rows: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """(part, id, rank, boost) rows -> (name matches as (id, rank), ranked as (id, rank, boost)).

    Parts 1 and 2 are the name tiers, in order; a document is kept where it first comes.
    """
    named, ranked, seen = [], [], set()
    for part, doc_id, rank, boost in rows:
        if part == 3:
            ranked.append((doc_id, rank, boost))
        elif doc_id not in seen:
            seen.add(doc_id)
            named.append((doc_id, rank))
    return named, ranked


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


BACKENDS = {"postgresql": PostgresBackend(), "sqlite": SqliteBackend()}


def for_vendor(vendor: str):
    try:
        return BACKENDS[vendor]
    except KeyError:
        raise NotImplementedError(f"Search does not support {vendor}.") from None
