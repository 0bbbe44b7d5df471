"""Several laptops opening one new or outdated database at the same moment.

On a team server every laptop migrates on open; they must not race each other into a
half-built schema or a failed start. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from annotator.db import migrations
from annotator.db.engine import open_database, resolve_url

from ..conftest import Backend

OPENERS = 4
OPEN = "import sys; from annotator.db.engine import open_database; open_database(sys.argv[1]).close()"


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


def test_processes_migrating_an_old_schema_at_once_all_start(backend: Backend) -> None:
    location = backend.new_url("old")
    engine = create_engine(resolve_url(location), poolclass=NullPool)
    migrations.upgrade(engine, "0001")
    engine.dispose()
    for done in open_at_once(location):
        assert done.returncode == 0, done.stderr
    assert versions(location) == [migrations.head_revision()]
    open_database(location, daily_backup=False).close()
