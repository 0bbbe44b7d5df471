"""Schema migrations: from the first revision to head and a newer schema refused, on
SQLite and PostgreSQL; backups and the released fixture files (tests/data) are SQLite
files, so those tests run on SQLite only."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from annotator.db import migrations
from annotator.db.engine import DatabaseError, make_engine, open_database, resolve_url
from annotator.db.models import Document, Status
from annotator.io.importer import import_paths
from annotator.store.documents import document_spans, list_documents
from annotator.store.gold import GOLD, accept_span, gold_spans
from annotator.store.spans import add_span, document_relations

from ..conftest import Backend
from .dbcheck import connect, scalar, table_rows
from .test_crash import run_together, spawn

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


def make_db(path: Path | str, tmp_path: Path) -> None:
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


def test_database_from_a_newer_version_is_refused_and_unchanged(
    backend: Backend, tmp_path: Path
) -> None:
    location = backend.new_url("newer")
    make_db(location, tmp_path)
    with connect(location) as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'fffffff'"))
        conn.commit()
        if backend.is_sqlite:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    before = table_rows(location)
    before_file = digest(Path(location)) if backend.is_sqlite else None
    with pytest.raises(DatabaseError, match="newer version of annotator"):
        open_database(location)
    assert table_rows(location) == before
    assert scalar(location, "SELECT version_num FROM alembic_version") == "fffffff"
    if backend.is_sqlite:
        assert digest(Path(location)) == before_file
        assert not (tmp_path / "backups").exists()


# What a database written by the first release (revision 0001) held, in that schema's
# own columns: no gold provenance yet.
REVISION_0001_ROWS = [
    ("annotator", {"name": "salma"}),
    ("project", {"name": "default"}),
    ("label", {"project_id": 1, "name": "PERSON", "display_name": "شخص", "kind": "entity",
               "color": "#1f77b4", "hotkey": "1", "position": 0}),
    ("label", {"project_id": 1, "name": "QUOTE", "display_name": "اقتباس", "kind": "quote",
               "color": "#ff7f0e", "hotkey": "9", "position": 1}),
    ("relation_type", {"project_id": 1, "name": "SPEAKER", "display_name": "المتكلم",
                       "from_labels": '["QUOTE"]', "to_labels": '["PERSON"]',
                       "hotkey": "s", "position": 0}),
    ("document", {"project_id": 1, "name": "old", "text": "قال محمد: «غدا نبدأ»",
                  "length": 20, "sha256": "a" * 64, "meta": '{"source": "0001"}'}),
    ("document_status", {"document_id": 1, "annotator_id": 1, "status": "in_progress"}),
    ("span", {"document_id": 1, "document_length": 20, "annotator_id": 1, "label_id": 1,
              "start": 4, "end": 8, "origin": "manual"}),
    ("span", {"document_id": 1, "document_length": 20, "annotator_id": 1, "label_id": 2,
              "start": 10, "end": 20, "origin": "imported"}),
    ("relation", {"from_span_id": 2, "to_span_id": 1, "type_id": 1}),
]
TIMESTAMPS = {"annotator": ["created_at"], "project": ["created_at"],
              "document": ["imported_at"], "document_status": ["updated_at"],
              "span": ["created_at", "updated_at"], "relation": ["created_at"]}


def test_a_first_revision_database_is_migrated_to_head_with_its_data(
    backend: Backend,
) -> None:
    """Revision 0001 built by Alembic itself and filled with plain SQL (ids from the
    database's own sequences), then opened by the app: migrated, data intact, and new
    rows take new ids (on PostgreSQL the sequences survive the migration)."""
    location = backend.new_url("rev0001")
    engine = make_engine(resolve_url(location))
    migrations.upgrade(engine, "0001")
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with engine.begin() as conn:
        assert migrations.current_revision(conn) == "0001"
        for table, values in REVISION_0001_ROWS:
            values = {**values, **{column: when for column in TIMESTAMPS.get(table, [])}}
            columns = ", ".join(f'"{c}"' for c in values)
            params = ", ".join(f":{c}" for c in values)
            conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({params})"), values)
    engine.dispose()

    db = open_database(location)
    try:
        with db.engine.connect() as conn:
            assert migrations.current_revision(conn) == migrations.head_revision()
        assert (db.backup is not None) == backend.is_sqlite  # a server is not copied
        text_ = "قال محمد: «غدا نبدأ»"
        person, quote = document_spans(db, 1)
        assert (person.id, person.label, text_[person.start:person.end]) == (1, "PERSON", "محمد")
        assert (quote.id, quote.label, quote.origin) == (2, "QUOTE", "imported")
        (rel,) = document_relations(db, 1)
        assert (rel.from_span_id, rel.to_span_id, rel.type) == (2, 1, "SPEAKER")
        (row,) = list_documents(db, 1, "salma")
        assert (row.name, row.status, row.span_count) == ("old", Status.IN_PROGRESS, 2)
        with db.reading() as s:
            doc = s.scalars(select(Document)).one()
            assert doc.meta == {"source": "0001"} and doc.imported_at == when
        # The columns 0002 added are empty on old rows and work on new ones.
        assert gold_spans(db, 1) == []
        gold = accept_span(db, person.id, "huda")
        assert gold.source_span_id == person.id and gold.id > 2
        newer = add_span(db, 1, "omar", "PERSON", 4, 8)
        assert newer.id > gold.id
        by_id = sorted(document_spans(db, 1), key=lambda span: span.id)
        assert [span.annotator for span in by_id] == ["salma", "salma", GOLD, "omar"]
    finally:
        db.close()


# A process that opens the database when told to (a line on stdin).
OPEN_AFTER_GO = """
import sys
from annotator.db.engine import open_database
print("ready", flush=True)
sys.stdin.readline()
db = open_database(sys.argv[1])
print("backup", db.backup)
db.close()
"""


def test_several_processes_opening_an_old_database_at_once(backend: Backend) -> None:
    """Laptops sharing a server (or windows on one file) all opened after an upgrade of
    the app: one migrates, the others wait and find it at head; no error, data intact."""
    location = backend.new_url("shared-old")
    engine = make_engine(resolve_url(location))
    migrations.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO annotator (name, created_at) VALUES ('salma', :t)"),
                      {"t": datetime(2026, 1, 2, tzinfo=UTC)})
    engine.dispose()
    procs = [spawn("-c", OPEN_AFTER_GO, location, stdin=subprocess.PIPE) for _ in range(4)]
    outs = run_together(procs, timeout=120)
    with connect(location) as conn:
        assert migrations.current_revision(conn) == migrations.head_revision()
        assert conn.execute(text("SELECT name FROM annotator")).all() == [("salma",)]
    backups = [out.split("\n", 1)[0].split(" ", 1)[1] for out in outs]
    if backend.is_sqlite:  # whoever migrated copied the file first
        taken = [b for b in backups if b != "None"]
        assert taken and all(Path(b).is_file() for b in taken)
    else:
        assert backups == ["None"] * 4


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


def test_migrations_build_exactly_the_models(db_url: str) -> None:
    """Autogenerate finds nothing to add: the revisions and the ORM models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from annotator.db.models import Base

    db = open_database(db_url)
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
