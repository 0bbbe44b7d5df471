"""Backups on real SQLite files: daily rotation, before a migration, restore.

SQLite only: backups are copies of the file through SQLite's backup API; a PostgreSQL
server is backed up with its own tools (``backup`` of a URL is refused, tested here)."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from annotator.cli import main
from annotator.db import backups, migrations
from annotator.db.backups import BackupError, list_backups, restore, take_backup
from annotator.db.engine import open_database
from annotator.db.models import Document, Span
from annotator.io.importer import import_paths
from annotator.store.spans import add_span

DATA = Path(__file__).resolve().parent.parent / "data"


def make_db(path: Path, tmp_path: Path, text: str = "نص أول للنسخ الاحتياطي") -> int:
    (tmp_path / "doc.txt").write_text(text, encoding="utf-8")
    db = open_database(path)
    import_paths(db, [tmp_path / "doc.txt"])
    with db.reading() as s:
        doc_id = s.scalars(select(Document.id)).one()
    db.close()
    return doc_id


def span_count(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT COUNT(*) FROM span").fetchone()[0]


def test_a_new_database_gets_no_backup_and_the_next_open_takes_todays(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    make_db(path, tmp_path)
    assert list_backups(path) == []  # created empty: nothing worth keeping yet
    db = open_database(path)
    assert db.daily_backup is not None and db.daily_backup.parent == tmp_path / "backups"
    db.close()
    [daily] = list_backups(path, "daily")
    assert daily.revision == migrations.head_revision()
    with closing(sqlite3.connect(daily.path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT text FROM document").fetchall() == [("نص أول للنسخ الاحتياطي",)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file
    again = open_database(path)  # same day: no second copy
    assert again.daily_backup is None
    again.close()
    assert len(list_backups(path, "daily")) == 1


def test_daily_backups_rotate_keeping_the_newest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.sqlite3"
    make_db(path, tmp_path)
    day = datetime(2026, 1, 1, 9, tzinfo=UTC)

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            return day

    monkeypatch.setattr(backups, "datetime", Clock)
    for i in range(backups.KEEP["daily"] + 3):
        day = datetime(2026, 1, 1, 9, tzinfo=UTC) + timedelta(days=i)
        open_database(path).close()
        open_database(path).close()  # twice a day: still one backup that day
    daily = list_backups(path, "daily")
    assert len(daily) == backups.KEEP["daily"]
    assert daily[-1].taken == day
    assert daily[0].taken == day - timedelta(days=backups.KEEP["daily"] - 1)
    assert not list((tmp_path / "backups").glob("*.part"))


def test_opening_with_todays_backup_is_cheap(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    make_db(path, tmp_path)
    open_database(path).close()
    for _ in range(20):  # other kinds in the folder do not confuse the check
        take_backup(path, "manual")
    # The check reads names only, never a backup or the database: with every file in the
    # folder turned to garbage (and the database gone) it still knows today's is there.
    for backup in (tmp_path / "backups").iterdir():
        backup.write_bytes(b"not a database")
    path.unlink()
    assert not backups.daily_backup_due(path)


def test_an_older_database_is_backed_up_into_the_rotation_before_migrating(
    tmp_path: Path,
) -> None:
    fixtures = sorted(DATA.glob("schema-*.sqlite3"))
    old = next(f for f in fixtures if f.stem != f"schema-{migrations.head_revision()}")
    path = tmp_path / "old.sqlite3"
    shutil.copy(old, path)
    old_rev = old.stem.removeprefix("schema-")
    db = open_database(path)
    db.close()
    [pre] = list_backups(path, "migration")
    assert pre.path == db.backup and pre.revision == old_rev
    with closing(sqlite3.connect(pre.path)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == old_rev
        assert conn.execute("SELECT name FROM document").fetchall() == [("released",)]


def test_restore_brings_back_the_data_and_keeps_what_it_replaced(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    doc_id = make_db(path, tmp_path)
    db = open_database(path)
    add_span(db, doc_id, "mona", "PERSON", 0, 2)
    db.close()
    backup = take_backup(path, "manual")
    db = open_database(path)
    for i in range(5):  # work after the backup, then regretted
        add_span(db, doc_id, "mona", "PERSON", i + 3, i + 5)
    db.close()
    assert span_count(path) == 6

    done = restore(backup, path, known=migrations.is_known)
    assert span_count(path) == 1
    assert done.previous is not None and span_count(done.previous) == 6
    db = open_database(path)  # opens as a normal, writable database
    add_span(db, doc_id, "mona", "PERSON", 4, 6)
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Span)) == 2
    db.close()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_restore_of_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    make_db(path, tmp_path)
    before = path.read_bytes()
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("ليس قاعدة بيانات\n" * 200, encoding="utf-8")
    with pytest.raises(BackupError, match="not a SQLite database"):
        restore(junk, path)
    other = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(BackupError, match="not an annotator database"):
        restore(other, path)
    assert path.read_bytes() == before
    assert list_backups(path) == []


def test_restore_of_a_newer_backup_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    make_db(path, tmp_path)
    newer = tmp_path / "newer.sqlite3"
    shutil.copy(path, newer)
    with closing(sqlite3.connect(newer)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = 'fffffff'")
    with pytest.raises(BackupError, match="newer version"):
        restore(newer, path, known=migrations.is_known)


def test_restore_refuses_a_database_in_use_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    doc_id = make_db(path, tmp_path)
    backup = take_backup(path, "manual")
    db = open_database(path)  # the window, say
    add_span(db, doc_id, "mona", "PERSON", 0, 2)
    with pytest.raises(BackupError, match="in use"):
        restore(backup, path)
    assert span_count(path) == 1
    restore(backup, path, force=True)
    with db.reading() as s:  # the open connection sees the restored data
        assert s.scalar(select(func.count()).select_from(Span)) == 0
    db.close()


def test_backup_and_restore_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.sqlite3"
    doc_id = make_db(path, tmp_path)
    copy = tmp_path / "copy.sqlite3"
    assert main(["--db", str(path), "backup", "--to", str(copy)]) == 0
    assert str(copy) in capsys.readouterr().out
    assert main(["--db", str(path), "backup", "--to", str(copy)]) == 1
    assert "exists" in capsys.readouterr().err
    assert main(["--db", str(path), "backup"]) == 0
    assert len(list_backups(path, "manual")) == 1
    db = open_database(path)
    add_span(db, doc_id, "mona", "PERSON", 0, 2)
    db.close()
    assert main(["--db", str(path), "restore", str(copy)]) == 0
    out = capsys.readouterr()
    assert "restored" in out.out and "as it was is kept in" in out.err
    assert span_count(path) == 0
    assert main(["--db", str(path), "restore", str(tmp_path / "doc.txt")]) == 1
    assert "not a SQLite database" in capsys.readouterr().err
    assert main(["--db", str(tmp_path / "none.sqlite3"), "backup"]) == 1
    assert main(["--db", "postgresql://u@h/d", "backup"]) == 2
    assert "pg_dump" in capsys.readouterr().err
