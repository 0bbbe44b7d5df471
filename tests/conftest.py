"""Shared test setup: every test gets its own data directory and database location."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import Connection, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from . import pg_cluster

# Test data lives in the repository (tests/data/README.md says what each file is and its
# licence): a fresh clone passes its tests with nothing beside it.
DATA = Path(__file__).resolve().parent / "data"
SEED_DIR = DATA / "seed"
NEWSFANE = DATA / "newsfane" / "NewsFANE_Gold_2014_170K.txt"


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user data directory or ANNOTATOR_DB."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("ANNOTATOR_DB", raising=False)
    monkeypatch.delenv("ANNOTATOR_BIDI", raising=False)


# --- Databases: every backend-neutral test runs on SQLite and on PostgreSQL ------------
#
# A test asks for ``backend`` (or a fixture built on it, such as tests/core's ``db``) and
# runs twice: ``[sqlite]`` on a file in tmp_path, ``[postgresql]`` on a fresh database in
# a real PostgreSQL server. The server is ANNOTATOR_TEST_PG (a URL whose user may create
# databases; .ci/run starts a throwaway cluster and sets it), or else a cluster this
# session starts itself from Debian's postgresql package (tests/pg_cluster.py).
# Tests about SQLite files themselves (backups, PRAGMA integrity_check, WAL, SIGKILL
# mid-write, schema fixture files) ask for tmp_path files directly and run once.

BACKENDS = ("sqlite", "postgresql")
TEST_PG_VAR = "ANNOTATOR_TEST_PG"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The URL of a PostgreSQL server the tests may create and drop databases on."""
    url = os.environ.get(TEST_PG_VAR)
    if url:
        yield url
        return
    directory = Path(tempfile.mkdtemp(prefix="annotator-test-pg-"))
    try:
        url = pg_cluster.start(directory)
    except pg_cluster.ClusterError as exc:
        pytest.fail(f"cannot start the test PostgreSQL: {exc}", pytrace=False)
    try:
        yield url
    finally:
        pg_cluster.stop(directory)
        shutil.rmtree(directory, ignore_errors=True)


class Backend:
    """Hands out new, empty database locations on one backend for one test."""

    def __init__(self, name: str, tmp_path: Path, server: str | None) -> None:
        self.name = name
        self._tmp = tmp_path
        self._server = make_url(server) if server else None
        self._created: list[str] = []

    @property
    def is_sqlite(self) -> bool:
        return self.name == "sqlite"

    def new_url(self, name: str = "annotator", template: str | None = None) -> str:
        """A location for ``--db`` / ``open_database``: a file path, or a new PG database.

        ``template``, a closed database on this backend, is copied instead of starting
        empty (a file copy, or PostgreSQL's CREATE DATABASE ... TEMPLATE).
        """
        if self._server is None:
            path = self._tmp / f"{name}.sqlite3"
            if template is not None:
                shutil.copyfile(template, path)
            return str(path)
        database = f"t{uuid.uuid4().hex[:12]}_{re.sub(r'[^a-z0-9]+', '_', name.lower())}"
        source = f' TEMPLATE "{make_url(template).database}"' if template else ""
        with self._admin() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{database}"{source}')
        self._created.append(database)
        # Unquoted, as people type it and as Database.location shows it.
        return unquote(self._server.set(database=database).render_as_string(hide_password=False))

    @contextmanager
    def _admin(self) -> Iterator[Connection]:
        assert self._server is not None
        engine = create_engine(self._server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with engine.connect() as conn:
                yield conn
        finally:
            engine.dispose()

    def drop_all(self) -> None:
        if self._server is None or not self._created:
            return
        with self._admin() as conn:
            for database in self._created:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """The database backend this run of the test uses (SQLite file or PostgreSQL)."""
    server = request.getfixturevalue("pg_server") if request.param == "postgresql" else None
    chosen = Backend(request.param, tmp_path, server)
    yield chosen
    chosen.drop_all()
