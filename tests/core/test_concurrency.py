"""Several processes on one SQLite file: nobody sees "database is locked", nothing is lost.

Writers take the lock up front (BEGIN IMMEDIATE) and wait on the busy timeout, so
annotating processes (tests/crash_worker.py, through annotator.spans like the window)
and a CLI import queue for each other instead of failing.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

from .test_crash import WORKER, check_file, make_corpus, spawn, three_document_db

PROCESSES = 3
SPANS_EACH = 1000
WRITER_SPANS = 2500


def reported_ids(out: str) -> list[int]:
    return [int(line.split()[2]) for line in out.splitlines() if line.startswith("ok add ")]


def span_rows(path: Path) -> list[tuple[int, str]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(
            "SELECT span.id, annotator.name FROM span "
            "JOIN annotator ON annotator.id = span.annotator_id"
        ).fetchall()


def test_processes_adding_spans_at_once_lose_nothing(tmp_path: Path) -> None:
    path = three_document_db(tmp_path / "shared.sqlite3")
    started = time.monotonic()
    procs = [spawn(str(WORKER), str(path), f"ann{i}", str(i), str(SPANS_EACH))
             for i in range(PROCESSES)]
    results = [p.communicate(timeout=120) for p in procs]
    elapsed = time.monotonic() - started
    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert "locked" not in err
    ids = [i for out, _ in results for i in reported_ids(out)]
    assert len(ids) == len(set(ids)) == PROCESSES * SPANS_EACH
    rows = span_rows(path)
    assert len(rows) == PROCESSES * SPANS_EACH
    assert {sid for sid, _ in rows} == set(ids)
    for i, (out, _) in enumerate(results):
        assert {sid for sid, who in rows if who == f"ann{i}"} == set(reported_ids(out))
    check_file(path)
    owners = [who for _, who in sorted(rows)]
    turns = sum(a != b for a, b in zip(owners, owners[1:], strict=False))
    assert turns > PROCESSES, "the processes did not write at the same time"
    print(f"\nconcurrency: {PROCESSES} processes x {SPANS_EACH} spans in {elapsed:.1f} s, "
          f"{len(rows)} stored, writers took turns {turns} times, 0 errors")


def test_an_import_while_another_process_annotates(tmp_path: Path) -> None:
    path = three_document_db(tmp_path / "shared.sqlite3")
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
    assert sorted(sid for sid, _ in span_rows(path)) == sorted(reported_ids(w_out))
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM document").fetchone()[0] == len(texts) + 3
        first_span, last_span = conn.execute(
            "SELECT MIN(created_at), MAX(created_at) FROM span").fetchone()
        first_doc, last_doc = conn.execute(
            "SELECT MIN(imported_at), MAX(imported_at) FROM document WHERE id > 3").fetchone()
    assert first_span < last_doc and first_doc < last_span, "they did not overlap"
    check_file(path)
