"""Opening a database: where it lives, connection settings and migrations.

``open_database`` is the one entry point. It resolves the location (``--db`` argument,
then the ``ANNOTATOR_DB`` variable, then a SQLite file in the user data directory),
creates the engine, and brings the schema to the newest Alembic revision. A SQLite file
is backed up (:mod:`annotator.db.backups`, a ``backups/`` folder beside it) before a
migration, and once a day on open.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from annotator.db import backups

ENV_VAR = "ANNOTATOR_DB"
DEFAULT_FILE = "annotator.sqlite3"
BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_S = 10  # PostgreSQL: give up reaching the server after this long
log = logging.getLogger(__name__)


class DatabaseError(RuntimeError):
    """The database cannot be opened or migrated; the message says why."""


def default_data_dir() -> Path:
    """The per-user data directory (platformdirs), e.g. ``~/.local/share/annotator``."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("annotator", appauthor=False))


def resolve_url(db: str | os.PathLike[str] | None = None) -> URL:
    """Turn ``--db`` / ``ANNOTATOR_DB`` / the default into a SQLAlchemy URL.

    A value holding ``://`` is a URL (``sqlite:///...``, ``postgresql+psycopg://...``);
    anything else is a path to a SQLite file.
    """
    value = os.fspath(db) if db is not None else os.environ.get(ENV_VAR) or None
    if value is None:
        value = str(default_data_dir() / DEFAULT_FILE)
    if "://" in value:
        url = make_url(value)
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return url
    path = Path(value).expanduser().resolve()
    return URL.create("sqlite+pysqlite", database=str(path))


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for memory databases and other servers."""
    if not is_sqlite(url) or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _on_sqlite_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions begin (see below).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    _set_wal(cur)
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def _set_wal(cur: sqlite3.Cursor) -> None:
    # Switching a new file to WAL needs an exclusive lock for a moment, and SQLite does not
    # wait on the busy timeout for it: two processes opening a new database at once (two
    # laptops, a window and an import) can get "database is locked" here. Try again
    # within the busy timeout. Once the file is in WAL mode this is a no-op.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _on_sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    # Writes take the lock up front (BEGIN IMMEDIATE), so two processes queue on the busy
    # timeout instead of failing with "database is locked" when a reader upgrades to a
    # writer. Read-only work asks for a deferred transaction (see Database.reading).
    mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: URL) -> Engine:
    """An engine with our connection settings (WAL, foreign keys, busy timeout on SQLite)."""
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    # A server that went away (a laptop off the lab's network) must fail a write in
    # seconds, so the window can keep the change and retry, not hang on TCP's minutes.
    args = {} if "connect_timeout" in url.query else {"connect_timeout": CONNECT_TIMEOUT_S}
    return create_engine(url, pool_pre_ping=True, connect_args=args)


@dataclass
class Database:
    """An open, migrated database: its URL, engine and session factory."""

    url: URL
    engine: Engine
    sessions: sessionmaker[Session]
    backup: Path | None = None  # the copy taken before a migration, if one ran
    daily_backup: Path | None = None  # today's backup, if this opening took it

    @property
    def location(self) -> str:
        """Where the data is, for messages: a file path or a URL without password."""
        path = sqlite_path(self.url)
        # Unquoted for people: ?host=/run/postgresql, not ?host=%2Frun%2Fpostgresql.
        return str(path) if path else unquote(self.url.render_as_string(hide_password=True))

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for read-only work: on SQLite it does not take the write lock."""
        with self.engine.connect() as conn:
            conn.execution_options(sqlite_begin="DEFERRED")
            with Session(bind=conn) as session:
                yield session

    def close(self) -> None:
        self.engine.dispose()


def _daily_backup(database: Database, path: Path, revision: str) -> None:
    # A failed daily backup (full disk, read-only folder) must not stop the user working.
    try:
        database.daily_backup = backups.daily_backup(path, revision)
    except (backups.BackupError, OSError) as exc:
        log.warning("daily backup of %s failed: %s", path, exc)


def open_database(
    db: str | os.PathLike[str] | None = None, *, migrate: bool = True, daily_backup: bool = True
) -> Database:
    """Open (creating if needed) and migrate the database named by ``db``.

    A SQLite file is backed up before a migration, and (``daily_backup``) when no backup
    of it was taken today.

    Raises :class:`DatabaseError` with a readable message when the file is not a
    database, belongs to a newer version of the app, or cannot be reached.
    """
    from annotator.db import migrations

    url = resolve_url(db)
    engine = make_engine(url)
    database = Database(url, engine, sessionmaker(engine, expire_on_commit=False))
    try:
        with engine.connect() as conn:
            current = migrations.current_revision(conn)
            has_tables = bool(inspect(conn).get_table_names())
    except Exception as exc:  # noqa: BLE001 - any driver error becomes one clear message
        engine.dispose()
        raise DatabaseError(f"cannot open database {database.location}: {exc}") from exc
    head = migrations.head_revision()
    path = sqlite_path(url)
    if current == head:
        if path is not None and daily_backup:
            _daily_backup(database, path, current)
        return database
    if current is not None and not migrations.is_known(current):
        engine.dispose()
        raise DatabaseError(
            f"database {database.location} was written by a newer version of annotator "
            f"(schema revision {current}); upgrade the app to open it. It was left unchanged."
        )
    if current is None and has_tables:
        engine.dispose()
        raise DatabaseError(f"{database.location} holds tables that are not annotator's")
    if not migrate:
        engine.dispose()
        raise DatabaseError(f"database {database.location} needs migrating to {head}")
    if current is not None and path is not None:
        try:
            database.backup = backups.take_backup(path, "migration", current)
        except (backups.BackupError, OSError) as exc:
            engine.dispose()
            raise DatabaseError(f"not migrating {database.location}: {exc}") from exc
    migrations.upgrade(engine)
    return database
