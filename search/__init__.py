"""Ranked search over concepts, examples and comparisons (``search(q, types)``).

One table, ``search_document``, holds what is searched for every object, and
``search_name`` its names and aliases (so that name matches are found without
ranking every match); the services keep both in step through
``kbapi.core.signals.object_written``. PostgreSQL searches them with weighted
tsvectors (GIN) and pg_trgm; SQLite with FTS5 tables created by this app's
migrations.
"""
