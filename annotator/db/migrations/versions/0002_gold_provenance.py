"""gold provenance on spans: the span a gold span came from, whose it was, who adjudicated
it and when

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 07:53:16.302272

Four nullable columns added with ``ALTER TABLE ... ADD COLUMN`` (SQLite and PostgreSQL
alike): no row is touched, so it takes constant time on a large file.

Why not foreign keys: adding a foreign key on SQLite makes Alembic's batch mode rebuild
``span`` (copy, ``DROP TABLE``, rename). Measured on the 0001 fixture, that rebuild
deleted every relation (with ``foreign_keys = ON`` the ``DROP TABLE`` is an implicit
``DELETE FROM span``, which cascades to ``relation``, and the pragma cannot be turned off
inside the migration's transaction) and dropped ``AUTOINCREMENT`` with its
``sqlite_sequence`` row, so deleted span ids could come back. An inline ``REFERENCES``
clause in ``ADD COLUMN`` avoids the rebuild, but SQLite's reflection cannot read its name
or ``ON DELETE``, so every later autogenerate would propose dropping and re-adding it.
Provenance is a record of what happened, so plain values fit it: see the model.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = (
    ("source_span_id", sa.Integer()),
    ("source_annotator", sa.String(length=128)),
    ("adjudicated_by", sa.String(length=128)),
    ("adjudicated_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("span", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN: SQLite 3.35 or later, and PostgreSQL; no rebuild either.
    for name, _type in reversed(COLUMNS):
        op.drop_column("span", name)
