"""Merging another database: both sides on SQLite or both on PostgreSQL, a laptop's
SQLite file into a server and back, and an older SQLite file; reading a file that is in
use through its -wal is SQLite's own (tested on files only)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from annotator.db.engine import Database, DatabaseError, open_database
from annotator.db.models import LabelKind, Span, Status
from annotator.io.export import export_native
from annotator.io.importer import import_paths
from annotator.io.merge import MergeError, MergeReport, merge_database
from annotator.store.documents import document_spans, list_documents
from annotator.store.labels import add_label, update_label
from annotator.store.projects import ensure_project, find_project, load_schema
from annotator.store.schema import LabelSpec
from annotator.store.spans import add_relation, add_span, document_relations, set_status
from tests.conftest import Backend
from tests.core.dbcheck import table_rows

TEXT = "قال الوزير محمد علي إن وبغداد تستضيف القمة في 2014"
OTHER_TEXT = "خبر آخر عن المفوضية"
DATA = Path(__file__).resolve().parents[1] / "data"


def at(words: str) -> tuple[int, int]:
    i = TEXT.index(words)
    return i, i + len(words)


def with_docs(location: Path | str, tmp_path: Path, texts: dict[str, str]) -> Database:
    db = open_database(location)
    folder = tmp_path / f"texts-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    assert import_paths(db, [folder]).ok
    return db


def digest(folder: Path) -> dict[str, str]:
    """Every file beside the database (the -wal and -shm too), by content."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def state(location: Path | str) -> object:
    """What must not change in the other database: for a file, every file beside it; for
    a server database, every row."""
    if "://" in str(location):
        return table_rows(location)
    return digest(Path(location).parent)


def make_laptops(here_at: Path | str, there_at: Path | str,
                 tmp_path: Path) -> tuple[Database, Path | str]:
    """Here: salma's work on "x". There (closed): omar's work on "x", a new document
    "y", salma's own spans too (one identical, one not), a label here missing."""
    here = with_docs(here_at, tmp_path, {"x": TEXT})
    add_span(here, 1, "salma", "PERSON", *at("محمد علي"))
    set_status(here, 1, "salma", Status.DONE)
    there = with_docs(there_at, tmp_path, {"x": TEXT, "y": OTHER_TEXT})
    pid = ensure_project(there)
    person_label = load_schema(there, pid).label("PERSON")
    update_label(there, person_label.id or 0, replace(person_label, hotkey="p"))
    add_label(there, pid, LabelSpec("FACILITY", "منشأة", LabelKind.ENTITY, "#123456", "1"))
    quote = add_span(there, 1, "omar", "QUOTE", *at("إن وبغداد تستضيف القمة"))
    person = add_span(there, 1, "omar", "PERSON", *at("محمد علي"))
    add_relation(there, quote.id, person.id, "SPEAKER", "omar")
    add_span(there, 1, "omar", "FACILITY", *at("القمة"))
    add_span(there, 1, "salma", "PERSON", *at("محمد علي"))  # the same as here
    add_span(there, 1, "salma", "GPE", *at("بغداد"))
    set_status(there, 1, "salma", Status.IN_PROGRESS)  # lower than done here
    set_status(there, 1, "omar", Status.DONE)
    add_span(there, 2, "omar", "ORGANIZATION", 11, 19)
    there.close()
    return here, there_at


def laptop_file(tmp_path: Path) -> Path:
    """A SQLite file alone in its folder, so that its folder's digest is its state."""
    (tmp_path / "there").mkdir()
    return tmp_path / "there" / "laptop.sqlite3"


@pytest.fixture
def laptops(backend: Backend, tmp_path: Path) -> Iterator[tuple[Database, Path | str]]:
    """Both databases on this run's backend."""
    there_at = laptop_file(tmp_path) if backend.is_sqlite else backend.new_url("there")
    here, there = make_laptops(backend.new_url("here"), there_at, tmp_path)
    yield here, there
    here.close()


def check_first_merge(here: Database, report: MergeReport) -> None:
    assert (report.documents_added, report.documents_matched) == (1, 1)
    assert (report.spans_added, report.spans_present) == (5, 1)
    assert report.relations_added == 1
    assert report.annotators_added == ["omar"]
    assert report.labels_added == ["FACILITY"] and report.relation_types_added == []
    x = {(s.annotator, s.label, TEXT[s.start:s.end]) for s in document_spans(here, 1)}
    assert x == {
        ("salma", "PERSON", "محمد علي"), ("salma", "GPE", "بغداد"),
        ("omar", "PERSON", "محمد علي"), ("omar", "QUOTE", "إن وبغداد تستضيف القمة"),
        ("omar", "FACILITY", "القمة"),
    }
    (rel,) = document_relations(here, 1)
    assert rel.type == "SPEAKER"


def test_merge_adds_theirs_keeps_ours_and_repeats_as_a_no_op(
    laptops: tuple[Database, Path | str],
) -> None:
    here, other = laptops
    before = state(other)
    report = merge_database(here, other)
    assert state(other) == before  # the other database was never written
    check_first_merge(here, report)
    # statuses: salma's done stays done; omar's comes over
    rows = {r.name: r for r in list_documents(here, 1, "salma")}
    assert rows["x"].status == Status.DONE
    assert {r.name: r.status for r in list_documents(here, 1, "omar")} == {
        "x": Status.DONE, "y": Status.IN_PROGRESS}
    label = load_schema(here, 1).label("FACILITY")
    assert label.hotkey is None  # 1 is PERSON's here
    again = merge_database(here, other)
    assert again.added == 0 and again.spans_present == 6 and again.documents_matched == 2
    assert state(other) == before


def test_a_laptop_file_into_a_server_and_the_server_into_a_new_file(
    pg_server: str, tmp_path: Path
) -> None:
    """Across backends: the laptop's SQLite file merges into PostgreSQL, and the server's
    project then merges into an empty SQLite file, which ends up with the same spans."""
    server = Backend("postgresql", tmp_path, pg_server)
    try:
        here, other = make_laptops(server.new_url("server"), laptop_file(tmp_path), tmp_path)
        before = state(other)
        check_first_merge(here, merge_database(here, other))
        assert state(other) == before
        copy = open_database(tmp_path / "copy.sqlite3")
        back = merge_database(copy, here.location)
        assert back.project_created and (back.documents_added, back.spans_added) == (2, 6)

        def spans(db: Database) -> set[tuple[object, ...]]:
            return {(doc, s.annotator, s.label, s.start, s.end)
                    for doc in (1, 2) for s in document_spans(db, doc)}

        assert spans(copy) == spans(here) and len(spans(here)) == 6
        copy.close()
        here.close()
    finally:
        server.drop_all()


def test_a_status_is_raised_never_lowered(laptops: tuple[Database, Path | str]) -> None:
    here, other = laptops
    set_status(here, 1, "omar", Status.IN_PROGRESS)
    report = merge_database(here, other)
    assert report.statuses_raised == 1  # omar: in progress here, done there
    assert {r.name: r.status for r in list_documents(here, 1, "salma")}["x"] == Status.DONE


def test_merge_into_a_new_project_takes_the_whole_schema(
    laptops: tuple[Database, Path | str], backend: Backend, tmp_path: Path
) -> None:
    _here, other = laptops
    empty_at = backend.new_url("empty")
    empty = open_database(empty_at)
    report = merge_database(empty, other)
    assert report.project_created and report.documents_added == 2
    assert "FACILITY" in load_schema(empty, find_project(empty, "default") or 0).label_names
    with pytest.raises(MergeError, match="no project 'news'"):
        merge_database(empty, other, "news")
    with pytest.raises(MergeError, match="into itself"):
        merge_database(empty, empty_at)
    with pytest.raises(MergeError, match="no database file"):
        merge_database(empty, tmp_path / "missing.sqlite3")
    assert not (tmp_path / "missing.sqlite3").exists()
    (tmp_path / "notes.sqlite3").write_text("ليس قاعدة بيانات\n" * 50, encoding="utf-8")
    with pytest.raises(DatabaseError, match="cannot open database"):
        merge_database(empty, tmp_path / "notes.sqlite3")
    empty.close()


def test_an_older_file_is_read_through_a_migrated_copy(
    db: Database, tmp_path: Path
) -> None:
    (tmp_path / "old").mkdir()
    old = tmp_path / "old" / "schema-0001.sqlite3"
    shutil.copy(DATA / "schema-0001.sqlite3", old)
    before = digest(old.parent)
    report = merge_database(db, old)
    assert digest(old.parent) == before  # not migrated in place, no backup beside it
    assert report.source_migrated and report.documents_added == 1 and report.spans_added == 2
    assert report.relations_added == 1 and report.project_created


def test_gold_provenance_comes_over_with_ids_of_this_database(
    laptops: tuple[Database, Path | str], tmp_path: Path
) -> None:
    from annotator.store.gold import accept_span, gold_spans

    here, other = laptops
    there = open_database(other)
    omar_quote = next(s for s in document_spans(there, 1, "omar") if s.label == "QUOTE")
    accepted = accept_span(there, omar_quote.id, "huda")
    there.close()
    merge_database(here, other)
    (gold,) = gold_spans(here, 1)
    here_quote = next(s for s in document_spans(here, 1, "omar") if s.label == "QUOTE")
    assert gold.source_span_id == here_quote.id != omar_quote.id
    assert (gold.source_annotator, gold.adjudicated_by) == ("omar", "huda")
    assert gold.adjudicated_at == accepted.adjudicated_at


def test_merge_is_whole_documents_or_none_when_cancelled(
    laptops: tuple[Database, Path | str],
) -> None:
    here, other = laptops
    cancel = threading.Event()
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        cancel.set()

    report = merge_database(here, other, progress=progress, cancel=cancel)
    # "x" came over whole (its 4 new spans and the relation); "y" was not reached
    assert report.cancelled and seen == [1] and report.documents_added == 0
    assert (report.spans_added, report.relations_added) == (4, 1)
    with here.reading() as s:
        assert len(s.scalars(select(Span.id)).all()) == 1 + 4
    assert [r.name for r in list_documents(here, 1)] == ["x"]


def test_importing_a_native_export_twice_adds_nothing_the_second_time(
    laptops: tuple[Database, Path | str], tmp_path: Path
) -> None:
    """The other way to bring work together; unlike a merge, it needs the labels here."""
    here, other = laptops
    there = open_database(other)
    export_native(there, 1, tmp_path / "omar.jsonl", annotators=["omar"])
    there.close()
    refused = import_paths(here, [tmp_path / "omar.jsonl"])
    assert refused.spans == 0 and "unknown label 'FACILITY'" in refused.failed[0][1]
    add_label(here, 1, LabelSpec("FACILITY", "منشأة", LabelKind.ENTITY, "#123456"))
    first = import_paths(here, [tmp_path / "omar.jsonl"])
    second = import_paths(here, [tmp_path / "omar.jsonl"])
    assert first.spans == 4 and second.spans == 0 and not second.imported


def test_cli_merge(laptops: tuple[Database, Path | str]) -> None:
    here, other = laptops
    run = [sys.executable, "-m", "annotator", "--db", here.location, "merge", str(other)]
    first = subprocess.run(run, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "1 documents added" in first.stdout and "5 spans added" in first.stdout
    assert "FACILITY" in first.stderr
    second = subprocess.run(run, capture_output=True, text=True)
    assert "0 documents added" in second.stdout and "0 spans added" in second.stdout
    bad = subprocess.run([*run, "--project", "news"], capture_output=True, text=True)
    assert bad.returncode == 2 and "no project 'news'" in bad.stderr


def test_a_file_in_use_is_read_through_its_log(tmp_path: Path) -> None:
    """Work committed in the other file's -wal (its app still open) comes over."""
    here, other = make_laptops(tmp_path / "here.sqlite3", laptop_file(tmp_path), tmp_path)
    assert isinstance(other, Path)
    there = open_database(other)
    add_span(there, 2, "omar", "PERSON", 0, 3)
    try:
        assert other.with_name(other.name + "-wal").exists()
        report = merge_database(here, other)
    finally:
        there.close()
    assert report.spans_added == 6
    here.close()
