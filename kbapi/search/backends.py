"""The database-specific half of search: PostgreSQL (tsvector + pg_trgm) and SQLite (FTS5).

Each backend answers three questions, each in one query whatever the size of
the knowledge base: the ranked full-text hits, the snippets of a page of
hits, and the documents whose names look like a (misspelt) query.
"""

from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, F, FloatField, Q, Value, When

from .index import FTS_TABLE, TRIGRAM_TABLE, TRIGRAM_VOCAB
from .models import SearchDocument
from .text import raw_trigrams

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


class PostgresBackend:
    """Weighted tsvector (names A, summary B, body C) with a GIN index; pg_trgm for typos."""

    weights = [0.05, 0.2, 0.4, 1.0]  # D, C, B, A

    def _tsquery(self, query: Query) -> SearchQuery:
        terms = [*query.terms[:-1], f"{query.terms[-1]}:*"]
        return SearchQuery(" & ".join(terms), search_type="raw", config="english")

    def full_text(self, query: Query, *, limit: int) -> list[tuple]:
        tsquery = self._tsquery(query)
        text_rank = SearchRank(F("vector"), tsquery, weights=self.weights, normalization=Value(32))
        # The best ``limit`` by text rank are the candidates; the name boosts reorder them.
        candidates = (
            SearchDocument.objects.filter(vector=tsquery, kind__in=query.types)
            .order_by(text_rank.desc(), "id")
            .values("id")[:limit]
        )
        rows = (
            SearchDocument.objects.filter(id__in=candidates)
            .annotate(rank=text_rank + self._boosts(query))
            .order_by("-rank", "title", "id")
            .values_list("id", "kind", "slug", "title", "rank")
        )
        return list(rows)

    def _boosts(self, query: Query):
        exact_boost, prefix_boost, words_boost = query.boosts
        return (
            Case(
                When(
                    Q(*[Q(keys__contains=name) for name in query.exact], _connector=Q.OR),
                    then=Value(exact_boost),
                ),
                default=Value(0.0),
                output_field=FloatField(),
            )
            + Case(
                When(keys__contains=query.prefix, then=Value(prefix_boost)),
                default=Value(0.0),
                output_field=FloatField(),
            )
            + Case(
                When(
                    Q(*[Q(keys__contains=word) for word in query.name_words]),
                    then=Value(words_boost),
                ),
                default=Value(0.0),
                output_field=FloatField(),
            )
        )

    def snippets(self, query: Query, doc_ids: list[int]) -> dict[int, tuple[str, ...]]:
        tsquery = self._tsquery(query)
        from .engine import CLOSE, OPEN

        def headline(column, **options):
            return SearchHeadline(
                column, tsquery, config="english", start_sel=OPEN, stop_sel=CLOSE, **options
            )

        rows = (
            SearchDocument.objects.filter(pk__in=doc_ids)
            .annotate(
                s=headline("summary", max_words=SNIPPET_WORDS, min_words=SNIPPET_WORDS // 2),
                b=headline("body", max_words=SNIPPET_WORDS, min_words=SNIPPET_WORDS // 2),
                n=headline("names", highlight_all=True),
            )
            .values_list("id", "s", "b", "n")
        )
        return {doc_id: parts for doc_id, *parts in rows}

    def similar_names(self, wanted: str, types: list[str], *, limit: int) -> list[tuple]:
        rows = (
            SearchDocument.objects.filter(kind__in=types, keys__trigram_word_similar=wanted)
            .annotate(similarity=TrigramWordSimilarity(wanted, "keys"))
            .order_by("-similarity", "id")
            .values_list("id", "kind", "slug", "title", "names", "summary")
        )
        return list(rows[:limit])


class SqliteBackend:
    """FTS5 with bm25 column weights (names 10, summary 4, body 1); FTS5 trigrams for typos."""

    def _match(self, query: Query) -> str:
        quoted = [f'"{term}"' for term in query.terms]
        quoted[-1] += "*"
        return " AND ".join(quoted)

    def full_text(self, query: Query, *, limit: int) -> list[tuple]:
        kinds = list(query.types) if set(query.types) != set(SearchDocument.Kind.values) else []
        # Only a narrowed search joins every match to its document to check the kind.
        kind_join = f"JOIN search_document AS c ON c.id = {FTS_TABLE}.rowid" if kinds else ""
        kind_filter = f"AND c.kind IN ({', '.join('%s' for _ in kinds)})" if kinds else ""
        exact = " OR ".join("instr(d.keys, %s) > 0" for _ in query.exact)
        name_words = " AND ".join("instr(d.keys, %s) > 0" for _ in query.name_words)
        sql = f"""
            SELECT d.id, d.kind, d.slug, d.title,
                m.score / (1.0 + m.score)
                + CASE WHEN {exact} THEN %s ELSE 0.0 END
                + CASE WHEN instr(d.keys, %s) > 0 THEN %s ELSE 0.0 END
                + CASE WHEN {name_words} THEN %s ELSE 0.0 END AS rank
            FROM (
                -- The best ``limit`` by text rank are the candidates; the name boosts
                -- reorder them.
                SELECT {FTS_TABLE}.rowid AS doc_id, -bm25({FTS_TABLE}, 10.0, 4.0, 1.0) AS score
                FROM {FTS_TABLE} {kind_join}
                WHERE {FTS_TABLE} MATCH %s {kind_filter}
                ORDER BY score DESC, {FTS_TABLE}.rowid
                LIMIT %s
            ) AS m
            JOIN search_document AS d ON d.id = m.doc_id
            ORDER BY rank DESC, d.title, d.id
        """
        exact_boost, prefix_boost, words_boost = query.boosts
        params = [
            *query.exact,
            exact_boost,
            query.prefix,
            prefix_boost,
            *query.name_words,
            words_boost,
            self._match(query),
        ]
        return self._fetch(sql, [*params, *kinds, limit])

    def snippets(self, query: Query, doc_ids: list[int]) -> dict[int, tuple[str, ...]]:
        from .engine import CLOSE, OPEN

        marks = ", ".join("%s" for _ in doc_ids)
        sql = f"""
            SELECT rowid,
                snippet({FTS_TABLE}, 1, %s, %s, '…', {SNIPPET_WORDS}),
                snippet({FTS_TABLE}, 2, %s, %s, '…', {SNIPPET_WORDS}),
                highlight({FTS_TABLE}, 0, %s, %s)
            FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid IN ({marks})
        """
        rows = self._fetch(sql, [OPEN, CLOSE] * 3 + [self._match(query), *doc_ids])
        return {doc_id: parts for doc_id, *parts in rows}

    def similar_names(self, wanted: str, types: list[str], *, limit: int) -> list[tuple]:
        grams = raw_trigrams(wanted[:FUZZY_MAX_CHARS])
        if not grams:
            return []
        kinds = ", ".join("%s" for _ in types)
        marks = ", ".join("%s" for _ in grams)
        # Candidates share one of the query's rarest trigrams that the names hold at all:
        # common ones ("ata", "dat") would make the query read most of the index.
        sql = f"""
            SELECT d.id, d.kind, d.slug, d.title, d.names, d.summary
            FROM {TRIGRAM_TABLE} JOIN search_document AS d ON d.id = {TRIGRAM_TABLE}.rowid
            WHERE {TRIGRAM_TABLE} MATCH coalesce((
                SELECT group_concat('"' || term || '"', ' OR ') FROM (
                    SELECT term FROM {TRIGRAM_VOCAB} WHERE term IN ({marks})
                    ORDER BY doc, term LIMIT {RARE_TRIGRAMS}
                )
            ), '"{NO_TRIGRAM}"') AND d.kind IN ({kinds})
            ORDER BY bm25({TRIGRAM_TABLE}), d.id
            LIMIT %s
        """
        return self._fetch(sql, [*grams, *types, limit])

    def _fetch(self, sql: str, params: list) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


BACKENDS = {"postgresql": PostgresBackend(), "sqlite": SqliteBackend()}


def for_vendor(vendor: str):
    try:
        return BACKENDS[vendor]
    except KeyError:
        raise NotImplementedError(f"Search does not support {vendor}.") from None
