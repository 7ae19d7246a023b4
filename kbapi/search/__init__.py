"""Ranked search over concepts, examples and comparisons (``search(q, types)``).

One table, ``search_document``, holds what is searched for every object; the
services keep it in step through ``kbapi.signals.object_written``. PostgreSQL
searches it with a weighted tsvector (GIN) and pg_trgm; SQLite with FTS5
tables created by this app's migration.
"""
