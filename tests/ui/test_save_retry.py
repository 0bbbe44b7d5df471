"""A change the database refuses for now (locked, full, read-only) waits and is saved later.

SQLite really refuses in each test: another connection holds the write lock past a short
busy timeout; a small tmpfs is filled to the last byte; or the connection is made
read-only. Then the fault goes and the waiting change must reach the database once, with
its offsets, and undo must work as for any change. SQLite's faults on SQLite files; and
a PostgreSQL server (a cluster of the test's own) stopped under the window and started
again.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from annotator.db import engine as engine_module
from annotator.db.engine import Database, open_database
from annotator.store.documents import document_spans
from annotator.store.spans import delete_span
from tests import pg_cluster
from tests.conftest import SEED_DIR
from tests.ui.test_tagging import Opener, key, open_on, three_articles
from ui.main_window import MainWindow
from ui.tagging.view import TaggingView

Screenshot = Callable[[object, str], Path]
RETRY_MS = 15_000  # the backoff reaches 1 + 2 + 5 s; generous for a loaded machine
KERRY = "جون كيري"
LAVROV = "سيرجي لافروف"
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(autouse=True)
def no_question_at_teardown(qtbot: QtBot) -> Iterator[None]:
    """A failed test must not leave a window asking about its pending changes."""
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.tagging.pending.discard()


def stored(db: Database) -> list[tuple[str, int, int]]:
    return [(s.label, s.start, s.end) for s in document_spans(db, 1, "tester")]


def tag(qtbot: QtBot, view: TaggingView, words: str, k: Qt.Key = Qt.Key.Key_1) -> int:
    start = view.text().index(words)
    view.select_range(start, start + len(words))
    key(qtbot, view, k)
    return start


def banner_text(window: MainWindow) -> str:
    return window.pending_banner.text.text() if window.pending_banner.isVisible() else ""


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A lock held longer than 0.2 s refuses a write (the app waits 30 s)."""
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 200)


@pytest.fixture
def db(tmp_path: Path, short_busy_timeout: None) -> Iterator[Database]:
    """A SQLite file whose writes give up after 0.2 s behind another program's lock."""
    opened = open_database(tmp_path / "retry.sqlite3")
    yield opened
    opened.close()


class WriteLock:
    """Another program holding the database's write lock (BEGIN IMMEDIATE)."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)

    def take(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.conn.execute("ROLLBACK")


def locked_window(db: Database, open_window: Opener) -> tuple[MainWindow, TaggingView, WriteLock]:
    """A window on the seed article while another program holds the write lock."""
    window, view = open_on(db, open_window, SEED_DIR)
    lock = WriteLock(db.url.database)
    lock.take()
    return window, view, lock


def answer_next_dialog(button_text: str) -> None:
    """Click ``button_text`` in the next modal dialog, once it is shown."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        buttons = box.buttons() if isinstance(box, QMessageBox) else []
        button = next((b for b in buttons if b.text().replace("&", "") == button_text), None)
        if button is None:  # not shown yet (or an earlier dialog still is)
            QTimer.singleShot(20, click)
            return
        button.click()

    QTimer.singleShot(20, click)


def test_a_locked_database_keeps_changes_in_order_and_saves_them_when_it_frees(
    db: Database, open_window: Opener, qtbot: QtBot, screenshot: Screenshot
) -> None:
    window, view, lock = locked_window(db, open_window)
    tagging = window.tagging

    kerry = tag(qtbot, view, KERRY)
    assert "Not saved yet" in window.statusBar().currentMessage()
    assert "database is locked" in window.statusBar().currentMessage()
    lavrov = tag(qtbot, view, LAVROV, Qt.Key.Key_2)  # waits behind the first
    assert tagging.pending.count() == 2
    assert "2 changes not saved yet" in banner_text(window)
    assert "database is locked" in banner_text(window)
    # Both are on screen, dashed as pending, and listed with the document's spans.
    shown = {(s.label, s.start, s.end) for s in tagging.spans if s.id in view.painter.pending}
    assert shown == {("PERSON", kerry, kerry + len(KERRY)),
                     ("ORGANIZATION", lavrov, lavrov + len(LAVROV))}
    assert window.side_panel.spans.model.rowCount() == 2
    assert stored(db) == []  # nothing is in the database yet
    view.select_span(min(view.painter.pending), scroll=True)
    screenshot(window, "save_retry_pending_locked")
    # F5 reads the database again (readers are not blocked by the lock): the waiting
    # changes stay on screen and in the queue.
    key(qtbot, view, Qt.Key.Key_F5)
    assert window.statusBar().currentMessage().startswith("Refreshed")
    assert tagging.pending.count() == 2
    assert {(s.label, s.start, s.end) for s in tagging.spans
            if s.id in view.painter.pending} == shown
    # Retries ask first, with a short wait, whether the lock is still held.
    assert tagging.pending.probe() == "database is locked"

    lock.release()
    assert tagging.pending.probe() is None
    qtbot.waitUntil(lambda: tagging.pending.count() == 0, timeout=RETRY_MS)
    assert stored(db) == [("PERSON", kerry, kerry + len(KERRY)),
                          ("ORGANIZATION", lavrov, lavrov + len(LAVROV))]
    ids = [s.id for s in document_spans(db, 1, "tester")]
    assert ids == sorted(ids)  # saved in the order they were made
    assert not window.pending_banner.isVisible()
    assert view.painter.pending == set()
    assert {s.id for s in tagging.spans} == set(ids)
    # Ordinary commands now: undo takes them back one by one, newest first.
    assert tagging.undo_stack.count() == 2
    key(qtbot, view, Qt.Key.Key_Z, CTRL)
    assert stored(db) == [("PERSON", kerry, kerry + len(KERRY))]
    key(qtbot, view, Qt.Key.Key_Z, CTRL)
    assert stored(db) == []
    key(qtbot, view, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert stored(db) == [("PERSON", kerry, kerry + len(KERRY))]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs: the database on it can really run out of space."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(folder: Path) -> Path:
    """Write a file until the disk is full; the file is returned to free the space."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"x" * 4096)
    except OSError:
        pass  # ENOSPC: not one more block
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_shows_why_and_retry_now_saves_once_space_is_free(
    small_disk: Path, open_window: Opener, qtbot: QtBot, screenshot: Screenshot
) -> None:
    db = open_database(small_disk / "full.sqlite3", daily_backup=False)
    try:
        window, view = open_on(db, open_window, SEED_DIR)
        filler = fill(small_disk)
        kerry = tag(qtbot, view, KERRY)
        assert window.tagging.pending.count() == 1
        assert "database or disk is full" in banner_text(window)
        assert stored(db) == []
        screenshot(window.pending_banner, "save_retry_banner_full_disk")
        screenshot(window, "save_retry_pending_full_disk")

        filler.unlink()
        qtbot.mouseClick(window.pending_banner.retry_button, Qt.MouseButton.LeftButton)
        assert window.tagging.pending.count() == 0  # at once, not at the next timer
        assert stored(db) == [("PERSON", kerry, kerry + len(KERRY))]
        key(qtbot, view, Qt.Key.Key_Z, CTRL)
        assert stored(db) == []
        window.close()
    finally:
        db.close()


def make_read_only(db: Database) -> Callable[[], None]:
    """From now on SQLite refuses every write ('attempt to write a readonly
    database'); the function returned lifts that."""
    from sqlalchemy import event

    def read_only(conn: sqlite3.Connection, _record: object) -> None:
        conn.execute("PRAGMA query_only = 1")

    event.listen(db.engine, "connect", read_only)
    db.engine.dispose()

    def lift() -> None:
        event.remove(db.engine, "connect", read_only)
        db.engine.dispose()

    return lift


def test_undo_takes_a_pending_change_back_and_redo_queues_it_again(
    db: Database, open_window: Opener, qtbot: QtBot
) -> None:
    window, view = open_on(db, open_window, SEED_DIR)
    tagging = window.tagging
    lift = make_read_only(db)
    start = tag(qtbot, view, KERRY)
    message = window.statusBar().currentMessage()
    assert "Not saved" in message and "readonly" in message
    assert "readonly database" in banner_text(window)
    assert tagging.pending.count() == 1

    key(qtbot, view, Qt.Key.Key_Z, CTRL)
    assert tagging.pending.count() == 0  # it never reached the database
    assert not window.pending_banner.isVisible()
    assert tagging.spans == [] and view.painter.pending == set()

    key(qtbot, view, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert tagging.pending.count() == 1  # the database still refuses: waiting again
    lift()
    qtbot.waitUntil(lambda: tagging.pending.count() == 0, timeout=RETRY_MS)
    assert stored(db) == [("PERSON", start, start + len(KERRY))]


def test_a_rule_violation_is_refused_at_once_and_nothing_waits(
    db: Database, open_window: Opener, qtbot: QtBot
) -> None:
    window, view = open_on(db, open_window, SEED_DIR)
    tag(qtbot, view, KERRY)
    (span,) = document_spans(db, 1, "tester")
    delete_span(db, span.id, "tester")  # deleted elsewhere; the window still shows it
    assert view.selected_span == span.id
    key(qtbot, view, Qt.Key.Key_2)  # relabel a span that is gone: a rule, not the database
    assert window.statusBar().currentMessage()
    assert "Not saved yet" not in window.statusBar().currentMessage()
    assert window.tagging.pending.count() == 0
    assert not window.pending_banner.isVisible()
    assert stored(db) == []


def test_a_pending_span_is_not_edited_before_it_is_saved(
    db: Database, open_window: Opener, qtbot: QtBot
) -> None:
    window, view = open_on(db, open_window, SEED_DIR)
    lift = make_read_only(db)
    tag(qtbot, view, KERRY)
    (placeholder,) = view.painter.pending
    view.select_span(placeholder)
    key(qtbot, view, Qt.Key.Key_Delete)
    assert "not saved yet" in window.statusBar().currentMessage()
    assert window.tagging.pending.count() == 1
    lift()
    assert window.tagging.pending.retry()
    (span,) = document_spans(db, 1, "tester")
    assert view.selected_span == span.id  # still selected, under its stored id


def test_closing_with_pending_changes_asks_cancel_keeps_them_retry_saves_them(
    db: Database, open_window: Opener, qtbot: QtBot, screenshot: Screenshot
) -> None:
    window, view, lock = locked_window(db, open_window)
    start = tag(qtbot, view, KERRY)

    answer_next_dialog("Cancel")
    assert not window.close()
    assert window.isVisible() and window.tagging.pending.count() == 1

    def free_then_retry() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, free_then_retry)
            return
        screenshot(box, "save_retry_close_dialog")
        assert "1 change not saved yet" in box.text()
        lock.release()
        answer_next_dialog("Retry Now")

    QTimer.singleShot(20, free_then_retry)
    assert window.close()
    assert stored(db) == [("PERSON", start, start + len(KERRY))]


def test_closing_with_pending_changes_can_discard_them(
    db: Database, open_window: Opener, qtbot: QtBot
) -> None:
    window, view, lock = locked_window(db, open_window)
    tag(qtbot, view, KERRY)
    answer_next_dialog("Discard and Close")
    assert window.close()
    lock.release()
    assert window.tagging.pending.count() == 0
    assert stored(db) == []


def close_saving_two_spans(db: Database, open_window: Opener, qtbot: QtBot,
                           folder: Path) -> tuple[int, int, Path]:
    """Tag two names while the database is locked, close choosing Save to File; the
    names' offsets and the file (beside the database, in ``folder``)."""
    window, view, lock = locked_window(db, open_window)
    kerry = tag(qtbot, view, KERRY)
    lavrov = tag(qtbot, view, LAVROV, Qt.Key.Key_2)
    answer_next_dialog("Save to File")
    answer_next_dialog("OK")  # where the file is
    assert window.close()
    lock.release()
    assert stored(db) == []
    (saved,) = folder.glob("retry.unsaved-*.json")
    assert [c["change"] for c in json.loads(saved.read_text("utf-8"))["changes"]] == [
        "AddSpan", "AddSpan"]
    return kerry, lavrov, saved


def test_closing_can_save_pending_changes_to_a_file_the_next_window_applies(
    db: Database, open_window: Opener, qtbot: QtBot, screenshot: Screenshot, tmp_path: Path
) -> None:
    kerry, lavrov, saved = close_saving_two_spans(db, open_window, qtbot, tmp_path)
    again = open_window(db)
    banner = again.pending_banner
    assert banner.isVisible() and "2 changes not in the database" in banner.text.text()
    screenshot(banner, "save_retry_banner_saved_file")
    qtbot.mouseClick(banner.apply_button, Qt.MouseButton.LeftButton)
    assert stored(db) == [("PERSON", kerry, kerry + len(KERRY)),
                          ("ORGANIZATION", lavrov, lavrov + len(LAVROV))]
    assert not saved.exists() and not banner.isVisible()
    assert "Applied 2 of 2" in again.statusBar().currentMessage()
    again.article.view.setFocus()
    key(qtbot, again.article.view, Qt.Key.Key_Z, CTRL)  # ordinary commands: undoable
    assert stored(db) == [("PERSON", kerry, kerry + len(KERRY))]


def test_switching_annotator_waits_for_pending_changes(
    db: Database, open_window: Opener, qtbot: QtBot
) -> None:
    window, view, lock = locked_window(db, open_window)
    tag(qtbot, view, KERRY)
    asked: list[object] = []

    def refuse_any_dialog() -> None:  # the name prompt must not even open
        if (box := QApplication.activeModalWidget()) is not None:
            asked.append(box)
            box.close()

    QTimer.singleShot(500, refuse_any_dialog)
    window.switch_annotator()
    assert asked == []
    assert "Switching annotator waits: 1 change not saved yet" in \
        window.statusBar().currentMessage()
    assert window.tagging.undo_stack.count() == 1  # the waiting change is still there
    lock.release()
    qtbot.waitUntil(lambda: window.tagging.pending.count() == 0, timeout=RETRY_MS)


def test_a_saved_file_set_aside_is_kept_and_not_offered_again(
    db: Database, open_window: Opener, qtbot: QtBot, tmp_path: Path
) -> None:
    *_, saved = close_saving_two_spans(db, open_window, qtbot, tmp_path)
    banner = open_window(db).pending_banner
    qtbot.mouseClick(banner.aside_button, Qt.MouseButton.LeftButton)
    assert not banner.isVisible() and stored(db) == []
    assert not saved.exists()
    assert [p.name for p in tmp_path.glob("retry.unsaved-*")] == [
        saved.name.removesuffix(".json") + ".set-aside.json"]
    assert not open_window(db).pending_banner.isVisible()


def test_the_queue_keeps_working_on_another_document_and_does_not_move_the_view(
    db: Database, open_window: Opener, qtbot: QtBot, tmp_path: Path
) -> None:
    folder = tmp_path / "more"
    folder.mkdir()
    window, view = open_on(db, open_window, SEED_DIR, *three_articles(folder))
    lock = WriteLock(db.url.database)
    lock.take()
    first = window.current_document_id()
    start = tag(qtbot, view, KERRY)
    window.next_document()
    assert window.current_document_id() != first
    assert view.painter.pending == set()  # drawn only on its own document
    assert window.pending_banner.isVisible()  # still waiting, and said so
    lock.release()
    qtbot.waitUntil(lambda: window.tagging.pending.count() == 0, timeout=RETRY_MS)
    assert window.current_document_id() != first  # saving it did not jump back
    assert [(s.start, s.end) for s in document_spans(db, first, "tester")] == [
        (start, start + len(KERRY))]


@pytest.fixture
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A PostgreSQL cluster of this test's own, which it may stop and start again."""
    directory = Path(tempfile.mkdtemp(prefix="annotator-test-pg-own-"))
    pg_cluster.start(directory)
    yield directory
    pg_cluster.stop(directory)
    shutil.rmtree(directory, ignore_errors=True)


def test_a_server_that_goes_away_keeps_the_change_until_it_is_back(
    own_server: Path, open_window: Opener, qtbot: QtBot
) -> None:
    admin = create_engine(pg_cluster.url_for(own_server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("CREATE DATABASE team")
    admin.dispose()
    db = open_database(pg_cluster.url_for(own_server, "team"))
    try:
        window, view = open_on(db, open_window, SEED_DIR)
        tagging = window.tagging
        pg_cluster.stop(own_server)  # the lab's server goes down (or the Wi-Fi)
        kerry = tag(qtbot, view, KERRY)
        assert tagging.pending.count() == 1
        assert "Not saved yet" in window.statusBar().currentMessage()
        assert "1 change not saved yet" in banner_text(window)
        assert [(s.label, s.start, s.end) for s in tagging.spans] == [
            ("PERSON", kerry, kerry + len(KERRY))]  # still on screen, dashed

        pg_cluster.start(own_server)
        qtbot.waitUntil(lambda: tagging.pending.count() == 0, timeout=RETRY_MS)
        assert stored(db) == [("PERSON", kerry, kerry + len(KERRY))]
        assert not window.pending_banner.isVisible()
        window.close()
    finally:
        db.close()
