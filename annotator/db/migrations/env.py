"""Alembic environment: runs on the engine handed over in ``config.attributes``.

On SQLite, batch migrations rebuild a table by copying it and dropping the old one; with
foreign keys on, that DROP would cascade and delete rows of the tables that reference it
(relations, when ``span`` is rebuilt). So foreign keys are off while migrations run, and
``PRAGMA foreign_key_check`` must come back clean before they are switched on again.
"""

from __future__ import annotations

from alembic import context

from annotator.db.models import Base

engine = context.config.attributes["engine"]
MIGRATION_LOCK = 0x616E6E6F  # "anno": the advisory lock key taken while migrating


def _sqlite_pragma(connection, sql: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    # On the raw connection, outside any transaction: PRAGMA foreign_keys is ignored
    # inside one, and SQLAlchemy would open one (BEGIN IMMEDIATE) for a normal execute.
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        return cursor.execute(sql).fetchall()
    finally:
        cursor.close()


with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_pragma(connection, "PRAGMA foreign_keys = OFF")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Laptops sharing a server may all open it at once after an upgrade of the app:
            # one migrates, the others wait here and then find the schema already at head.
            # (On SQLite, BEGIN IMMEDIATE already makes them queue.)
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        context.run_migrations()
    connection.commit()
    if sqlite:
        broken = _sqlite_pragma(connection, "PRAGMA foreign_key_check")
        _sqlite_pragma(connection, "PRAGMA foreign_keys = ON")
        if broken:
            raise RuntimeError(f"migration left rows with dangling foreign keys: {broken[:5]}")
