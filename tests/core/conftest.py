from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.db.engine import Database, open_database

from ..conftest import Backend


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A SQLite file location, for tests about SQLite files themselves."""
    return tmp_path / "annotator.sqlite3"


@pytest.fixture
def db_url(backend: Backend) -> str:
    """A new database on this run's backend: a SQLite path or a PostgreSQL URL."""
    return backend.new_url()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    yield database
    database.close()
