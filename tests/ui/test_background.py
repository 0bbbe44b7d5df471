"""``ui.io.background.Task`` on a real worker thread, and our engine (SQLite, PostgreSQL) used
from one."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from annotator.db.engine import Database
from annotator.io.export import export
from annotator.io.importer import import_paths
from annotator.store.documents import list_documents
from annotator.store.projects import ensure_project, list_annotators
from annotator.store.spans import add_span
from ui.io.background import Progress, Task, error_message


def test_the_engine_serves_a_worker_thread_the_connection_the_gui_thread_made(
    sample_db: Database, tmp_path: Path, qtbot: QtBot
) -> None:
    project_id = ensure_project(sample_db)
    first = list_documents(sample_db, project_id)[0]
    assert sample_db.engine.pool.checkedin() == 1  # made on this (the GUI) thread
    seen: dict[str, object] = {}
    (tmp_path / "new.txt").write_text("خبر جديد من الموصل", encoding="utf-8")

    def work(progress: Progress, cancel: threading.Event) -> object:
        seen["thread"] = threading.current_thread().name
        add_span(sample_db, first.id, "salma", "PERSON", 0, 9)  # a write transaction
        imported = import_paths(sample_db, [tmp_path / "new.txt"])
        exported = export(sample_db, project_id, tmp_path / "out.jsonl")
        return imported, exported

    task = Task(work)
    with qtbot.waitSignal(task.finished, timeout=10_000) as blocker:
        task.start()
    imported, exported = blocker.args[0]
    assert seen["thread"] == "annotator-task" != threading.current_thread().name
    assert imported.imported == ["new"] and exported.documents == 41
    # The pooled connection (sqlite3 with check_same_thread off, or psycopg) went to the
    # worker and back.
    assert sample_db.engine.pool.checkedin() == 1
    assert list_annotators(sample_db) == ["salma"]  # and the GUI thread reads the writes
    assert not task.running


def test_the_gui_thread_reads_while_the_worker_holds_a_write_transaction(
    sample_db: Database, qtbot: QtBot
) -> None:
    project_id = ensure_project(sample_db)
    first = list_documents(sample_db, project_id)[0]
    writing, read = threading.Event(), threading.Event()

    def work(progress: Progress, cancel: threading.Event) -> int:
        with sample_db.sessions.begin() as s:  # SQLite: BEGIN IMMEDIATE, the write lock
            s.connection().exec_driver_sql("UPDATE document SET name = 'renamed' "
                                           f"WHERE id = {first.id}")
            writing.set()
            assert read.wait(10)
        return 1

    task = Task(work)
    with qtbot.waitSignal(task.finished, timeout=10_000):
        task.start()
        assert writing.wait(10)
        # WAL (SQLite) or MVCC (PostgreSQL): a reader on another connection is not blocked
        # and sees the old name.
        assert list_documents(sample_db, project_id)[0].name == first.name
        read.set()
    assert list_documents(sample_db, project_id)[0].name == "renamed"


def test_cancel_from_the_first_progress_stops_the_work(qtbot: QtBot) -> None:
    counted: list[int] = []

    def work(progress: Progress, cancel: threading.Event) -> int:
        for i in range(1, 10_000):
            if cancel.is_set():
                break
            counted.append(i)
            progress(i, 10_000)
        return len(counted)

    task = Task(work)
    # Direct: runs on the worker thread inside progress(), before the work goes on.
    task.progress.connect(lambda done, total: task.cancel(), Qt.ConnectionType.DirectConnection)
    with qtbot.waitSignal(task.finished, timeout=10_000) as blocker:
        task.start()
    assert blocker.args == [1] and counted == [1]


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (ValueError("a split is two or three numbers"), "a split is two or three numbers"),
        (FileNotFoundError(2, "No such file or directory", "/no/such/x.jsonl"),
         "No such file or directory: /no/such/x.jsonl"),
        (ModuleNotFoundError("No module named 'spacy'", name="spacy"),
         "this needs the spacy package (pip install spacy)"),
        (KeyError("x"), "KeyError: 'x'"),
    ],
)
def test_a_failure_is_reported_as_words(
    qtbot: QtBot, error: Exception, message: str
) -> None:
    def work(progress: Progress, cancel: threading.Event) -> None:
        raise error

    task = Task(work)
    with qtbot.waitSignal(task.failed, timeout=10_000) as blocker:
        task.start()
    assert blocker.args == [message] == [error_message(error)]
    assert not task.running


def test_synchronous_tasks_are_done_when_start_returns(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Task, "synchronous", True)
    events: list[object] = []
    task = Task(lambda progress, cancel: (progress(1, 1), threading.current_thread().name)[1])
    task.progress.connect(lambda done, total: events.append((done, total)))
    task.finished.connect(lambda result: events.append((result, task.running)))
    task.start()
    assert events == [(1, 1), (threading.current_thread().name, False)]
