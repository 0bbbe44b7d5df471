"""The schema's constraints, connection settings and locations, on SQLite and PostgreSQL.

The connection settings (WAL, busy timeout) and the default file location are SQLite's
own and tested on a file only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from annotator.db.engine import Database, make_engine, open_database, resolve_url
from annotator.db.models import Annotator, Document, Label, Span
from annotator.io.importer import import_paths
from annotator.store.documents import document_spans
from annotator.store.projects import ensure_project, load_schema
from annotator.store.schema import DEFAULT_SCHEMA
from annotator.store.spans import SpanError, add_span


def _doc(db: Database, text_: str = "نص قصير") -> int:
    project_id = ensure_project(db)
    with db.sessions.begin() as s:
        doc = Document(project_id=project_id, name="d", text=text_, length=len(text_),
                       sha256=text_ + "-sha")
        s.add(doc)
        s.flush()
        return doc.id


def _raw_span(db: Database, doc_id: int, start: int, end: int, length: int | None = None) -> None:
    with db.sessions.begin() as s:
        ann = Annotator(name="raw")
        s.add(ann)
        s.flush()
        label_id = s.scalars(select(Label.id)).first()
        s.execute(insert(Span).values(
            document_id=doc_id, document_length=length if length is not None else 7,
            annotator_id=ann.id, label_id=label_id, start=start, end=end,
        ))


def test_sqlite_opens_with_wal_foreign_keys_and_busy_timeout(db_path: Path) -> None:
    db = open_database(db_path)
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    db.close()


def test_one_document_per_text_hash_in_a_project(db: Database) -> None:
    _doc(db, "نص")
    with pytest.raises(IntegrityError):
        _doc(db, "نص")


@pytest.mark.parametrize(
    ("start", "end", "length"),
    [(-1, 3, None), (3, 3, None), (4, 2, None), (0, 8, None), (0, 8, 8)],
    ids=["negative", "empty", "reversed", "past-the-end", "lying-about-length"],
)
def test_database_itself_rejects_bad_offsets(
    db: Database, start: int, end: int, length: int | None
) -> None:
    doc_id = _doc(db)  # 7 characters
    with pytest.raises(IntegrityError):
        _raw_span(db, doc_id, start, end, length)


def test_span_needs_an_existing_document(db: Database) -> None:
    _doc(db)
    with pytest.raises(IntegrityError):
        _raw_span(db, 999, 0, 2)


def test_add_span_checks_offsets_and_labels(db: Database) -> None:
    doc_id = _doc(db)
    with pytest.raises(SpanError, match="outside the text"):
        add_span(db, doc_id, "salma", "PERSON", 2, 99)
    with pytest.raises(SpanError, match="unknown label"):
        add_span(db, doc_id, "salma", "NOPE", 0, 2)
    with pytest.raises(ValueError, match="at most 128 characters"):  # PostgreSQL's limit
        add_span(db, doc_id, "س" * 129, "PERSON", 0, 2)
    span = add_span(db, doc_id, "salma", "PERSON", 0, 2)
    assert document_spans(db, doc_id) == [span]


def test_default_label_schema(db: Database) -> None:
    schema = load_schema(db, ensure_project(db))
    names = schema.label_names
    for required in ("PERSON", "ORGANIZATION", "LOCATION", "CLAIM", "QUOTE", "BOILERPLATE"):
        assert required in names
    hotkeys = [lb.hotkey for lb in schema.labels]
    assert len(set(hotkeys)) == len(hotkeys)
    assert all(lb.display_name and lb.color.startswith("#") for lb in schema.labels)
    rels = {r.name: r for r in schema.relation_types}
    assert rels["SPEAKER"].from_labels == ("QUOTE",)
    assert rels["SOURCE"].from_labels == ("CLAIM",)
    assert set(rels["SPEAKER"].to_labels) == {"PERSON", "ORGANIZATION"}
    assert [lb.name for lb in DEFAULT_SCHEMA.labels] == names


def test_location_from_argument_env_or_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert resolve_url().database == str(tmp_path / "xdg-data" / "annotator" / "annotator.sqlite3")
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "env.sqlite3"))
    assert resolve_url().database == str(tmp_path / "env.sqlite3")
    assert resolve_url(tmp_path / "arg.sqlite3").database == str(tmp_path / "arg.sqlite3")
    url = resolve_url("postgresql://ann:secret@localhost:5432/corpus")
    assert url.drivername == "postgresql+psycopg" and url.database == "corpus"


def test_default_location_is_created(tmp_path: Path) -> None:
    db = open_database()
    try:
        assert Path(db.location) == tmp_path / "xdg-data" / "annotator" / "annotator.sqlite3"
        assert os.path.exists(db.location)
    finally:
        db.close()


def test_reopening_keeps_data(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("خبر", encoding="utf-8")
    first = open_database(db_url)
    import_paths(first, [tmp_path / "a.txt"])
    first.close()
    again = open_database(db_url)
    assert again.backup is None
    with again.reading() as s:
        assert s.scalars(select(Document.text)).all() == ["خبر"]
    again.close()


def test_a_server_location_is_shown_readable_and_without_its_password() -> None:
    url = resolve_url("postgresql+psycopg://huda:s3cret@/team?host=/run/postgresql&port=5433")
    location = Database(url, make_engine(url), sessionmaker()).location
    assert location == "postgresql+psycopg://huda:***@/team?host=/run/postgresql&port=5433"
