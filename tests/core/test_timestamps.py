"""Timestamps are UTC on every database, whatever the server's TimeZone.

PostgreSQL hands ``timestamptz`` values back in the session's time zone; SQLite keeps
the digits it was given. A team server set to Asia/Baghdad must not shift any time by
three hours on the way into a laptop's SQLite file (merge) or into the app.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from annotator.db.engine import Database, open_database
from annotator.db.models import Document, Span
from annotator.io.importer import import_paths
from annotator.io.merge import merge_database
from annotator.store.projects import ensure_project
from annotator.store.spans import add_span
from tests.conftest import Backend

TEXT = "قال الوزير محمد علي إن بغداد تستضيف القمة"


def in_baghdad(db: Database) -> None:
    """Make every new connection to this database see times at +03:00."""
    if db.url.get_backend_name() != "postgresql":
        return
    with db.engine.connect() as conn:
        conn.exec_driver_sql(f'ALTER DATABASE "{db.url.database}" SET TIME ZONE \'Asia/Baghdad\'')
        conn.commit()
    db.engine.dispose()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW TIME ZONE").scalar() == "Asia/Baghdad"


def times(db: Database) -> list[datetime]:
    """Every timestamp stored: documents' import times, spans' creation and update."""
    with db.sessions() as s:
        spans = s.execute(select(Span.created_at, Span.updated_at).order_by(Span.id)).all()
        return [*s.scalars(select(Document.imported_at).order_by(Document.id)),
                *(t for row in spans for t in row)]


@pytest.fixture
def server(backend: Backend, tmp_path: Path) -> Database:
    db = open_database(backend.new_url("server"))
    in_baghdad(db)
    folder = tmp_path / f"texts-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    assert import_paths(db, [folder]).ok
    start = TEXT.index("بغداد")
    add_span(db, 1, "huda", "LOCATION", start, start + len("بغداد"))
    return db


def test_times_come_back_aware_utc(server: Database) -> None:
    stamps = times(server)
    assert len(stamps) == 3 and all(t.utcoffset() == timedelta(0) for t in stamps)


def test_merging_from_a_server_in_another_time_zone_keeps_the_instant(
        server: Database, tmp_path: Path) -> None:
    ensure_project(server, "default")
    laptop = open_database(tmp_path / "laptop.sqlite3")
    try:
        merge_database(laptop, server.url.render_as_string(hide_password=False)
                       if server.url.get_backend_name() == "postgresql" else server.url.database)
        assert times(laptop) == times(server)
        with laptop.sessions() as s:
            created = s.scalar(select(Span.created_at))
        assert created is not None and created.tzinfo is UTC
    finally:
        laptop.close()
        server.close()
