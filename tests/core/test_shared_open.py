"""Several laptops opening one new or outdated database at the same moment.

On a team server every laptop migrates on open; they must not race each other into a
half-built schema or a failed start. Runs on SQLite and PostgreSQL. (An old schema
opened by several processes at once: tests/core/test_migrations.py.)
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from annotator.db import migrations
from annotator.db.engine import make_engine, resolve_url

from ..conftest import Backend

OPENERS = 4
OPEN = ("import sys; from annotator.db.engine import open_database; "
        "open_database(sys.argv[1]).close()")


def open_at_once(location: str) -> list[subprocess.CompletedProcess[str]]:
    procs = [subprocess.Popen([sys.executable, "-c", OPEN, location], text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(OPENERS)]
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=120), *p.communicate())
            for p in procs]


def versions(location: str) -> list[str]:
    engine = create_engine(resolve_url(location), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
    finally:
        engine.dispose()


def test_processes_creating_the_schema_at_once_all_start(backend: Backend) -> None:
    location = backend.new_url("fresh")
    for done in open_at_once(location):
        assert done.returncode == 0, done.stderr
    assert versions(location) == [migrations.head_revision()]


def test_connections_switching_a_new_file_to_wal_at_once_all_succeed(tmp_path: Path) -> None:
    # SQLite only: turning a new file to WAL takes an exclusive lock without waiting on
    # the busy timeout, so a bare PRAGMA fails now and then ("database is locked") when
    # several connections do it at once; a few hundred rounds showed it before the fix.
    errors: list[str] = []

    def connect(location: Path) -> None:
        engine = make_engine(resolve_url(location))
        try:
            with engine.connect():
                pass
        except Exception as exc:  # noqa: BLE001 - every failure is reported
            errors.append(str(exc))
        finally:
            engine.dispose()

    for round_ in range(200):
        location = tmp_path / f"new-{round_}.sqlite3"
        threads = [threading.Thread(target=connect, args=(location,)) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
