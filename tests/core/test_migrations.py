"""Schema migrations on real SQLite files: backups first, newer files refused."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from annotator.db import migrations
from annotator.db.engine import DatabaseError, open_database
from annotator.db.models import Document
from annotator.importer import import_paths

DATA = Path(__file__).resolve().parent.parent / "data"

EXTRA_REVISION = '''
import sqlalchemy as sa
from alembic import op

revision = "9000"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("added_later", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("document") as batch:
        batch.drop_column("added_later")
'''


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_db(path: Path, tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text("نص محفوظ", encoding="utf-8")
    db = open_database(path)
    import_paths(db, [tmp_path / "doc.txt"])
    db.close()


def revision_of(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def test_older_database_is_backed_up_then_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite3"
    make_db(path, tmp_path)
    old_head = migrations.head_revision()
    # A newer app version: the real revisions plus one more.
    newer = tmp_path / "migrations"
    shutil.copytree(migrations.HERE, newer)
    (newer / "versions" / "9000_added_later.py").write_text(EXTRA_REVISION.format(head=old_head))
    monkeypatch.setattr(migrations, "script_location", newer)

    db = open_database(path)
    assert db.backup is not None and db.backup.parent == path.parent / "backups"
    assert db.backup.name.startswith("old-migration-")
    assert db.backup.name.endswith(f"-{old_head}.sqlite3")
    assert revision_of(db.backup) == old_head
    assert revision_of(path) == "9000"
    with db.reading() as s:
        assert s.scalars(select(Document.text)).all() == ["نص محفوظ"]
    db.close()
    with sqlite3.connect(db.backup) as conn:
        assert conn.execute("SELECT text FROM document").fetchall() == [("نص محفوظ",)]


def test_database_from_a_newer_version_is_refused_and_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    make_db(path, tmp_path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("UPDATE alembic_version SET version_num = 'fffffff'")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = digest(path)
    with pytest.raises(DatabaseError, match="newer version of annotator"):
        open_database(path)
    assert digest(path) == before
    assert not (tmp_path / "backups").exists()


def test_a_file_that_is_not_a_database_is_refused_and_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("هذا ليس قاعدة بيانات\n" * 100, encoding="utf-8")
    before = digest(path)
    with pytest.raises(DatabaseError, match="cannot open database"):
        open_database(path)
    assert digest(path) == before


@pytest.mark.parametrize("fixture", sorted(DATA.glob("schema-*.sqlite3")), ids=lambda p: p.stem)
def test_every_released_schema_opens_with_its_data(fixture: Path, tmp_path: Path) -> None:
    """Databases written by earlier versions (tests/data) open, migrated, data intact."""
    path = tmp_path / fixture.name
    shutil.copy(fixture, path)
    old = revision_of(path)
    db = open_database(path)
    assert revision_of(path) == migrations.head_revision()
    assert (db.backup is not None) == (old != migrations.head_revision())
    with db.reading() as s:
        assert s.scalars(select(Document.name)).all() == ["released"]
    db.close()


def test_the_newest_schema_has_a_fixture() -> None:
    """A new migration comes with a tests/data file written at its revision."""
    assert (DATA / f"schema-{migrations.head_revision()}.sqlite3").exists()


def test_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    """Autogenerate finds nothing to add: the revisions and the ORM models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from annotator.db.models import Base

    db = open_database(tmp_path / "fresh.sqlite3")
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.close()
    assert diff == []


REBUILD_REVISION = '''
import sqlalchemy as sa
from alembic import op

revision = "9100"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("span", recreate="always") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("span", recreate="always") as batch:
        batch.drop_column("note")
'''


def test_a_migration_that_rebuilds_span_keeps_relations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite rebuilds a table by copy and DROP; with foreign keys on, the DROP would
    cascade into relation. The migration environment switches them off meanwhile."""
    path = tmp_path / "old.sqlite3"
    shutil.copy(DATA / f"schema-{migrations.head_revision()}.sqlite3", path)
    with sqlite3.connect(path) as conn:
        before = conn.execute("SELECT COUNT(*) FROM relation").fetchone()[0]
    assert before > 0
    newer = tmp_path / "migrations"
    shutil.copytree(migrations.HERE, newer)
    head = migrations.head_revision()
    (newer / "versions" / "9100_rebuild.py").write_text(REBUILD_REVISION.format(head=head))
    monkeypatch.setattr(migrations, "script_location", newer)
    db = open_database(path)
    db.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM relation").fetchone()[0] == before
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
