"""Rows that two writers may create at the same moment.

An annotator's row, and their status on a document, are made on first use. On SQLite a
writer holds the whole database (BEGIN IMMEDIATE), so "look, then insert" is safe. On
PostgreSQL two transactions look at once, both see nothing, and the second insert fails
with a unique violation that rolls back the whole change (the span being added). An
``INSERT ... ON CONFLICT DO NOTHING`` waits for the other transaction instead and then
keeps its row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from annotator.db.models import Base

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_missing(session: Session, model: type[Base], **values: Any) -> None:
    """Insert a ``model`` row with ``values`` unless one with the same key (primary key
    or a unique constraint) exists or is being inserted by another transaction."""
    insert = _INSERTS[session.get_bind().dialect.name]
    session.execute(insert(model).values(**values).on_conflict_do_nothing())
