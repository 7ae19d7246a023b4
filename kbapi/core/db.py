"""Read queries compiled once per process: the ORM writes the SQL, later calls only run it.

Building and compiling a queryset costs more Python than running it for the
small, indexed reads of the hottest endpoints (a concept by slug: ~1 ms of
ORM against ~0.1 ms of SQLite). A :class:`PreparedQuery` lets the ORM build
and compile the query once per process and database, with marker values in
place of the parameters, and then runs the same SQL with the real values,
applying the same field converters (JSON, date-times) the ORM would; JSON
columns are parsed by orjson, to the same values.
Query counting (``CaptureQueriesContext``) sees these queries like any other.

On PostgreSQL (psycopg 3) the server plans such a query once per connection
too: it is sent as a prepared statement, and pooled connections keep it.
Planning the concept detail's query took longer than running it (0.22 ms
against 0.13 ms, ``EXPLAIN ANALYZE``). Django leaves statements unprepared
for the sake of external poolers in transaction mode; kbapi uses Django's own
pool, where a connection stays with one server session, and turns them on
(``prepare_threshold`` in the settings; ``DATABASE_PREPARED_STATEMENTS=0``
turns them off). Only these cursors prepare: Django's own cursors bind
parameters on the client, and those never prepare.
"""

import json
import re
from collections.abc import Callable, Sequence
from functools import cache

import orjson
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.psycopg_any import is_psycopg3
from django.db.models import JSONField, QuerySet

PLACEHOLDER = re.compile(r"(?<!%)%s")  # as Django's SQLite backend finds them


class PreparedQuery:
    """``build(*markers)`` returns a ``values_list`` queryset; ``rows(*args)`` runs it with args.

    ``markers`` are sample arguments no real call passes (``"\\x00slug"``, ``-1``): the
    compiled parameters equal to a marker are where the real arguments go.
    """

    def __init__(self, build: Callable[..., QuerySet], markers: Sequence):
        self.build = build
        self.markers = tuple(markers)
        self._compiled: dict[tuple, tuple] = {}

    def rows(self, *args) -> list[list]:
        connection = connections[DEFAULT_DB_ALIAS]
        key = (id(connection), connection.vendor, connection.settings_dict["NAME"])
        compiled = self._compiled.get(key) or self._compile(key)
        sql, params, slots, compiler, converters = compiled
        params = dict(params)
        for name, argument in slots:
            params[name] = args[argument]
        with planned_once(connection) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            return list(compiler.apply_converters(rows, converters))
        return rows

    def _compile(self, key: tuple) -> tuple:
        compiler = self.build(*self.markers).query.get_compiler(using=DEFAULT_DB_ALIAS)
        sql, params = compiler.as_sql()
        slots = [
            (position, self.markers.index(value))
            for position, value in enumerate(params)
            if any(value is marker or value == marker for marker in self.markers)
        ]
        missing = set(range(len(self.markers))) - {argument for _, argument in slots}
        if missing:
            raise ValueError(f"Markers {sorted(missing)} do not reach the query's parameters.")
        sql, params, slots = _named(sql, params, slots)
        converters = {
            position: ([_faster(convert) for convert in convs], expression)
            for position, (convs, expression) in compiler.get_converters(
                [s[0] for s in compiler.select[: compiler.col_count]]
            ).items()
        }
        self._compiled[key] = compiled = (sql, tuple(params), slots, compiler, converters)
        return compiled


def _named(sql: str, params: Sequence, slots: list) -> tuple[str, dict, list]:
    """``%s`` placeholders as ``%(p0)s``, ``%(p1)s``, ...: with named parameters Django's
    SQLite cursor formats the query once with ``%`` instead of a regex pass over it on
    every call (the concept detail's query is 2 KB)."""
    names = (f"p{i}" for i in range(len(params)))
    named = PLACEHOLDER.sub(lambda _: f"%({next(names)})s", sql)
    return (
        named,
        {f"p{i}": value for i, value in enumerate(params)},
        [(f"p{position}", argument) for position, argument in slots],
    )


def planned_once(connection):
    """A cursor of ``connection`` (Django's wrapper: counted, logged) whose queries the
    server plans once per connection: a prepared statement on PostgreSQL with psycopg 3,
    a plain cursor elsewhere (SQLite plans in-process and keeps its own statement cache).
    """
    if (
        connection.vendor != "postgresql"
        or not is_psycopg3
        or connection.settings_dict["OPTIONS"].get("prepare_threshold") is None
    ):
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        # Django's create_cursor would also give the cursor its own time-zone loader
        # if the connection's differed; kbapi's connections are all in UTC.
        return connection._prepare_cursor(_preparing_cursor()(connection.connection))


@cache
def _preparing_cursor():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Server-side binding (``$1``), and every query prepared on first use."""

        def execute(self, query, params=None, *, prepare=True, binary=None):
            return super().execute(query, params, prepare=prepare, binary=binary)

    return PreparingCursor


def json_column(value):
    """A JSON column read with a plain cursor: Django's backends hand it over as text.

    Text that is not JSON stays as it is, as ``JSONField.from_db_value`` leaves it.
    """
    if not isinstance(value, str):
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:  # also what orjson refuses and json reads (NaN, huge ints)
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value


def _faster(convert):
    """A field converter, with plain ``JSONField`` parsing done by :func:`json_column`."""
    field = getattr(convert, "__self__", None)
    if (
        isinstance(field, JSONField)
        and field.decoder is None
        and convert.__func__ is JSONField.from_db_value
    ):
        return _json_value
    return convert


def _json_value(value, expression, connection):
    return json_column(value)
