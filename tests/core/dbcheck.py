"""Reading a test database on either backend without going through the code under test.

Checks that used ``sqlite3.connect(path)`` take a location instead (a SQLite path or a
PostgreSQL URL, as ``backend.new_url`` hands out) and run plain SQL through SQLAlchemy.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, MetaData, create_engine, inspect, select, text
from sqlalchemy.pool import NullPool

from annotator.db.engine import resolve_url


@contextmanager
def connect(location: str | os.PathLike[str]) -> Iterator[Connection]:
    """A plain connection (none of the app's settings) to the database at ``location``."""
    engine = create_engine(resolve_url(location), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def rows(location: str | os.PathLike[str], sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """The rows of one query (``"end"`` quoted, as both backends accept)."""
    with connect(location) as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def scalar(location: str | os.PathLike[str], sql: str, **params: Any) -> Any:
    with connect(location) as conn:
        return conn.execute(text(sql), params).scalar()


def table_rows(location: str | os.PathLike[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Every table with all its rows in a stable order: equal before and after means the
    database was not changed (the server-side counterpart of comparing file digests)."""
    with connect(location) as conn:
        names = sorted(inspect(conn).get_table_names())
        meta = _reflected.get(str(location))
        if meta is None or sorted(meta.tables) != names:  # reflected once per schema
            meta = _reflected[str(location)] = MetaData()
            meta.reflect(conn)
        return {
            name: sorted((tuple(r) for r in conn.execute(select(table))), key=repr)
            for name, table in sorted(meta.tables.items())
        }


_reflected: dict[str, MetaData] = {}
