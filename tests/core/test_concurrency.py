"""Several processes writing one database at once: no lock or serialization error reaches
them, nothing is lost, nothing is duplicated. On SQLite and on PostgreSQL.

Annotating processes (tests/crash_worker.py, through annotator.store.spans like the window)
start their first writes at the same moment. On SQLite, writers take the lock up front
(BEGIN IMMEDIATE) and wait on the busy timeout; on PostgreSQL they run side by side, and
the first writes of one annotator from two windows at once (the annotator's row, the
document's status) must not collide. The CLI import while another process annotates is
about SQLite's single writer and runs on a file only.
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

from sqlalchemy import text

from annotator.db.engine import Database
from annotator.store.projects import annotator_id
from tests.conftest import Backend
from tests.core import dbcheck

from .test_crash import (
    WORKER,
    check_file,
    check_rows,
    make_corpus,
    run_together,
    spawn,
    three_document_db,
)

WRITERS = 4
SPANS_EACH = 500
SAME_ANNOTATOR_WRITERS = 3
SAME_ANNOTATOR_SPANS = 150
WRITER_SPANS = 2500
ERRORS = ("locked", "serializ", "deadlock", "IntegrityError", "UniqueViolation", "Traceback")


def reported(out: str) -> list[tuple[int, int, str, int, int]]:
    """What a worker said it stored: (span id, document, label, start, end)."""
    found = []
    for line in out.splitlines():
        if line.startswith("ok add "):
            sid, doc, label, start, end = line.split()[2:]
            found.append((int(sid), int(doc), label, int(start), int(end)))
    return found


def reported_ids(out: str) -> list[int]:
    return [row[0] for row in reported(out)]


def stored(location: Path | str) -> list[tuple[int, str, int, str, int, int]]:
    """Every span: (id, annotator, document, label, start, end)."""
    return dbcheck.rows(
        location,
        'SELECT span.id, annotator.name, span.document_id, label.name, span.start, span."end" '
        "FROM span JOIN annotator ON annotator.id = span.annotator_id "
        "JOIN label ON label.id = span.label_id ORDER BY span.id",
    )


def run_at_once(location: Path | str, annotators: list[str], count: int) -> list[str]:
    """Start one worker per name, let them all begin writing at the same moment, and
    return what each printed; each must exit 0 with no database error."""
    procs = [spawn(str(WORKER), str(location), who, str(i), str(count), "--go",
                   stdin=subprocess.PIPE) for i, who in enumerate(annotators)]
    outs = run_together(procs, timeout=300)
    for out in outs:
        assert not [e for e in ERRORS if e in out], out
    return outs


def turns(owners: list[str]) -> int:
    """How often consecutive span ids belong to different writers."""
    return sum(a != b for a, b in zip(owners, owners[1:], strict=False))


def test_processes_adding_spans_at_once_lose_nothing(backend: Backend, tmp_path: Path) -> None:
    location = backend.new_url("shared")
    three_document_db(location, tmp_path / "docs")
    names = [f"ann{i}" for i in range(WRITERS)]
    started = time.monotonic()
    outs = run_at_once(location, names, SPANS_EACH)
    elapsed = time.monotonic() - started
    rows = stored(location)
    ids = [sid for sid, *_ in rows]
    assert len(rows) == len(set(ids)) == WRITERS * SPANS_EACH  # none lost, none twice
    for name, out in zip(names, outs, strict=True):
        said = reported(out)
        assert len(said) == SPANS_EACH
        # each writer's rows are exactly what it reported, with its name on them
        mine = [(sid, doc, label, start, end) for sid, who, doc, label, start, end in rows
                if who == name]
        assert sorted(mine) == sorted(said)
    check_rows(location)
    if backend.is_sqlite:
        check_file(Path(location))
    changes = turns([who for _, who, *_ in rows])
    assert changes > WRITERS, "the processes did not write at the same time"
    print(f"\nconcurrency ({backend.name}): {WRITERS} processes x {SPANS_EACH} spans in "
          f"{elapsed:.1f} s, {len(rows)} stored, writers took turns {changes} times, 0 errors")


def test_one_annotator_in_several_windows_at_once(backend: Backend, tmp_path: Path) -> None:
    """A new annotator's first spans from several processes at the same moment: one
    annotator row and one status row per document come out of it, and every span."""
    location = backend.new_url("same")
    three_document_db(location, tmp_path / "docs")
    outs = run_at_once(location, ["mona"] * SAME_ANNOTATOR_WRITERS, SAME_ANNOTATOR_SPANS)
    said = sorted(row for out in outs for row in reported(out))
    assert len(said) == len({row[0] for row in said})
    rows = stored(location)
    assert [(sid, doc, label, start, end) for sid, _, doc, label, start, end in rows] == said
    assert len(rows) == SAME_ANNOTATOR_WRITERS * SAME_ANNOTATOR_SPANS
    assert dbcheck.rows(location, "SELECT name FROM annotator") == [("mona",)]
    statuses = dbcheck.rows(location, "SELECT document_id, status FROM document_status "
                                      "ORDER BY document_id")
    assert statuses == [(doc, "in_progress") for doc in sorted({r[2] for r in rows})]
    check_rows(location)


def test_a_new_annotator_added_by_two_transactions_at_once(db: Database) -> None:
    """The second transaction waits for the first (on PostgreSQL, at the insert of the
    same name; on SQLite, at BEGIN IMMEDIATE) and then takes the first one's row."""
    found: dict[str, object] = {}

    def second() -> None:
        try:
            with db.sessions.begin() as s:
                found["id"] = annotator_id(s, "nadia")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            found["error"] = exc

    with db.sessions.begin() as first:
        mine = annotator_id(first, "nadia")
        thread = threading.Thread(target=second)
        thread.start()
        if db.engine.dialect.name == "postgresql":  # wait until it waits on our row
            for _ in range(600):
                with db.engine.connect() as conn:
                    if conn.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")
                                    ).scalar():
                        break
                time.sleep(0.05)
            else:
                raise AssertionError("the second transaction never waited for the first")
        else:
            thread.join(0.5)
        assert thread.is_alive() and not found
    thread.join(60)
    assert found == {"id": mine}
    assert dbcheck.rows(db.url.render_as_string(hide_password=False),
                        "SELECT name FROM annotator") == [("nadia",)]


def test_an_import_while_another_process_annotates(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    three_document_db(path, tmp_path / "docs")
    texts = make_corpus(tmp_path / "corpus", 3000)
    # The writer outlasts the import, so that they overlap even on a loaded machine.
    writer = spawn(str(WORKER), str(path), "mona", "1", str(WRITER_SPANS))
    importer = spawn("-m", "annotator", "--db", str(path), "import", str(tmp_path / "corpus"))
    w_out, w_err = writer.communicate(timeout=120)
    i_out, i_err = importer.communicate(timeout=120)
    assert writer.returncode == 0, w_err
    assert importer.returncode == 0, i_err
    assert "locked" not in w_err + i_err
    assert f"{len(texts)} imported" in i_out
    assert len(reported_ids(w_out)) == WRITER_SPANS
    assert sorted(sid for sid, *_ in stored(path)) == sorted(reported_ids(w_out))
    assert dbcheck.scalar(path, "SELECT COUNT(*) FROM document") == len(texts) + 3
    first_span, last_span = dbcheck.rows(path, "SELECT MIN(created_at), MAX(created_at) "
                                               "FROM span")[0]
    first_doc, last_doc = dbcheck.rows(path, "SELECT MIN(imported_at), MAX(imported_at) "
                                             "FROM document WHERE id > 3")[0]
    assert first_span < last_doc and first_doc < last_span, "they did not overlap"
    check_file(path)
