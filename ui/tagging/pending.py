"""Changes the database refused for a while (full disk, read-only file, a lock held too
long, a lost server), kept in order and tried again until it takes them.

A tagging command the database refuses joins :class:`PendingChanges` instead of being
dropped; every later command waits behind it, so the changes reach the database in the
order they were made. A timer tries the oldest again after 1, 2 and 5 seconds, then every
10 seconds; :class:`PendingBanner` says what waits and why, with a Retry Now button.
A waiting change the core refuses for good on a retry (a rule: the span it changes was
deleted meanwhile) leaves the queue with a message, as it would have at once.

Closing the window while changes wait asks: Retry Now, Save to File, Discard or Cancel.
The file (JSON, :func:`save_to_file`) goes beside a SQLite database, or into the data
directory; the next window on that database finds it (:func:`saved_files`) and the
banner offers to apply it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from html import escape
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from annotator.db import engine as db_engine
from annotator.db.engine import Database, default_data_dir, sqlite_path
from ui.tagging.commands import CoreCommand, Outcome

BACKOFF_MS = (1_000, 2_000, 5_000, 10_000)  # then every 10 s
FILE_FORMAT = "annotator-unsaved-changes"
SET_ASIDE = ".set-aside.json"  # a file the user chose not to apply: kept, not offered
PROBE_MS = 100  # how long a retry waits for another program's write lock


class PendingChanges(QObject):
    """The refused changes, oldest first, and the timer that tries them again."""

    updated = Signal()  # the queue, the reason, the next try or the files changed
    saved = Signal(object)  # a waiting command reached the database (before it shows)
    dropped = Signal(str)  # a waiting change can never be stored: why
    apply_requested = Signal(object)  # the user asked to apply this saved file (a Path)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.commands: list[CoreCommand] = []
        self.files: list[Path] = []  # changes an earlier window saved to a file
        # Why a write would be refused now, asked quickly before each retry (or None).
        self.probe: Callable[[], str | None] = lambda: None
        self.reason = ""  # the database's words for the last refusal
        self.tries = 0  # failed tries since the queue was last empty
        self.retrying = False  # inside retry(): what it saves must not move the view
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.retry)

    def count(self) -> int:
        return len(self.commands)

    def add(self, command: CoreCommand, reason: str | None = None) -> None:
        """Keep ``command`` (not yet stored) behind the ones already waiting."""
        command.pending = True
        self.commands.append(command)
        if reason:
            self.reason = reason
        if not self.timer.isActive():
            self._schedule()
        self.updated.emit()

    def remove(self, command: CoreCommand) -> None:
        """Take a waiting command back (its undo: it never reached the database)."""
        command.pending = False
        self.commands.remove(command)
        if not self.commands:
            self._idle()
        self.updated.emit()

    def discard(self) -> None:
        """Forget every waiting change (the user chose to, on closing the window)."""
        for command in self.commands:
            command.pending = False
        self.commands.clear()
        self._idle()
        self.updated.emit()

    def retry(self) -> bool:
        """Try the waiting changes, oldest first, until one is refused again.

        True when none waits any more."""
        self.timer.stop()
        self.retrying = True
        try:
            self._retry()
        finally:
            self.retrying = False
        if not self.commands:
            self._idle()
        self.updated.emit()
        return not self.commands

    def _retry(self) -> None:
        busy = self.probe() if self.commands else None
        while self.commands:
            command = self.commands[0]
            outcome, message = (Outcome.REFUSED, busy) if busy else command.attempt()
            if outcome is Outcome.REFUSED:
                self.reason = message
                self.tries += 1
                self._schedule()
                break
            self.commands.pop(0)
            command.pending = False
            if outcome is Outcome.DONE:
                self.saved.emit(command)
                command.changed(command.document_id)
            else:
                self.dropped.emit(f"Could not save \u201c{command.text()}\u201d: {message}")

    def seconds_to_next_try(self) -> int:
        return max(0, -(-self.timer.remainingTime() // 1000)) if self.timer.isActive() else 0

    def _schedule(self) -> None:
        self.timer.start(BACKOFF_MS[min(self.tries, len(BACKOFF_MS) - 1)])

    def _idle(self) -> None:
        self.timer.stop()
        self.tries = 0
        self.reason = ""

    def summary(self) -> str:
        """'1 change not saved yet' / '3 changes not saved yet'."""
        return f"{changes(len(self.commands))} not saved yet"


    def set_aside(self, path: Path) -> None:
        """Do not offer this file again; it stays, renamed, for whoever wants it."""
        path.rename(path.with_name(path.name.removesuffix(".json") + SET_ASIDE))
        self.files.remove(path)
        self.updated.emit()


def lock_probe(db: Database) -> Callable[[], str | None]:
    """For SQLite: whether another program holds the write lock, asked with a short
    wait, so that a retry does not freeze the window for the whole busy timeout."""
    if sqlite_path(db.url) is None:
        return lambda: None

    def probe() -> str | None:
        import sqlite3

        try:
            pooled = db.engine.raw_connection()
        except Exception:  # noqa: BLE001 - the attempt itself will say why
            return None
        try:
            conn = pooled.driver_connection
            assert isinstance(conn, sqlite3.Connection)
            conn.execute(f"PRAGMA busy_timeout = {PROBE_MS}")
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    return str(exc)
            finally:
                conn.execute(f"PRAGMA busy_timeout = {db_engine.BUSY_TIMEOUT_MS}")
            return None
        except sqlite3.Error:
            return None
        finally:
            pooled.close()

    return probe


def changes(n: int) -> str:
    return f"{n} change{'' if n == 1 else 's'}"


def _folders(db: Database) -> list[Path]:
    """Where unsaved changes go: beside a SQLite file, else (or when that fails) into
    the data directory."""
    path = sqlite_path(db.url)
    return ([path.parent] if path else []) + [default_data_dir() / "unsaved"]


def _stem(db: Database) -> str:
    path = sqlite_path(db.url)
    return path.stem if path else "database"


def save_to_file(db: Database, pending: PendingChanges) -> Path:
    """Write the waiting changes to a new JSON file; OSError when no folder takes it."""
    data = {
        "format": FILE_FORMAT,
        "version": 1,
        "database": db.location,
        "saved_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "reason": pending.reason,
        "changes": [command.record() for command in pending.commands],
    }
    text = json.dumps(data, ensure_ascii=False, indent=1)
    name = f"{_stem(db)}.unsaved-{datetime.now():%Y%m%d-%H%M%S}.json"
    error: OSError | None = None
    for folder in _folders(db):
        path = folder / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return path
        except OSError as exc:  # a full or read-only disk: try the next folder
            error = exc
            path.unlink(missing_ok=True)
    assert error is not None
    raise error


def read_file(path: Path) -> list[dict[str, object]]:
    """The changes in a file :func:`save_to_file` wrote (ValueError if it is not one)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
        raise ValueError(f"{path.name} is not a file of unsaved changes")
    return list(data["changes"])


def saved_files(db: Database) -> list[Path]:
    """Files of unsaved changes for this database, oldest first."""
    found = []
    for folder in _folders(db):
        for path in sorted(folder.glob(f"{_stem(db)}.unsaved-*.json")):
            if path.name.endswith(SET_ASIDE):
                continue
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(data, dict) and data.get("format") == FILE_FORMAT \
                    and data.get("database") == db.location:
                found.append(path)
    return found


class PendingBanner(QFrame):
    """A bar over the article while changes wait: how many, why, when the next try is,
    and a button to try at once. Hidden when nothing waits. With nothing waiting but a
    file of changes saved by an earlier window, it offers to apply that file."""

    def __init__(self, pending: PendingChanges, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pending = pending
        self.setObjectName("pendingBanner")
        self.setStyleSheet(
            "#pendingBanner { background: #fff4ce; border: 1px solid #d8a800;"
            " border-radius: 4px; } #pendingBanner QLabel { color: #3d2e00; }"
        )
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.retry_button = QPushButton("Retry Now", self)
        self.retry_button.clicked.connect(pending.retry)
        self.apply_button = QPushButton("Apply Them", self)
        self.apply_button.clicked.connect(lambda: pending.apply_requested.emit(pending.files[0]))
        self.aside_button = QPushButton("Set Aside", self)
        self.aside_button.setToolTip("Keep the file, renamed, and do not offer it again")
        self.aside_button.clicked.connect(lambda: pending.set_aside(pending.files[0]))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.text, 1)
        for button in (self.retry_button, self.apply_button, self.aside_button):
            layout.addWidget(button)
        self.ticker = QTimer(self)  # the countdown to the next try
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self._show)
        pending.updated.connect(self._show)
        self._show()

    def _show(self) -> None:
        pending = self.pending
        waiting = bool(pending.count())
        self.retry_button.setVisible(waiting)
        self.apply_button.setVisible(not waiting and bool(pending.files))
        self.aside_button.setVisible(not waiting and bool(pending.files))
        if not waiting:
            self.ticker.stop()
            if pending.files:
                self._offer(pending.files[0])
            else:
                self.hide()
            return
        seconds = pending.seconds_to_next_try()
        when = f"retrying in {seconds} s" if seconds else "retrying\u2026"
        reason = _escape(pending.reason or "waiting")
        self.text.setText(f"\u26a0 <b>{pending.summary()}</b>: {reason} \u2014 {when}")
        self.setToolTip(
            "The database refused these changes for now; they are kept and tried again "
            "(Ctrl+Z takes the last one back). Waiting, oldest first:\n"
            + "\n".join(c.text() for c in pending.commands)
        )
        if not self.ticker.isActive():
            self.ticker.start()
        self.show()

    def _offer(self, path: Path) -> None:
        try:
            count = len(read_file(path))
        except (OSError, ValueError) as exc:  # shown anyway: the user decides
            count = 0
            self.setToolTip(str(exc))
        else:
            self.setToolTip(str(path))
        self.text.setText(
            f"\u26a0 <b>{changes(count)} not in the database</b>: an earlier window saved "
            f"{'it' if count == 1 else 'them'} to <i>{_escape(path.name)}</i>."
        )
        self.show()


def _escape(text: str) -> str:
    return escape(text)


def ask_before_closing(parent: QWidget, pending: PendingChanges,
                       save: Callable[[], Path]) -> bool:
    """Whether the window may close: nothing waits (after one more try), or the user
    saved what does to a file (``save``) or chose to discard it. Retry Now tries again
    and asks again if it must."""
    while not pending.retry():
        box = QMessageBox(QMessageBox.Icon.Warning, "Changes not saved", "", parent=parent)
        box.setText(f"<b>{pending.summary()}</b>: the database refused "
                    f"{'it' if pending.count() == 1 else 'them'}.")
        box.setInformativeText(
            f"{_escape(pending.reason)}<br><br>Free some disk space, make the database "
            "writable or reconnect, then retry; or save them to a file to apply later. "
            "Discarding loses:<br>"
            + "<br>".join(_escape(c.text()) for c in pending.commands)
        )
        retry = box.addButton("Retry Now", QMessageBox.ButtonRole.AcceptRole)
        to_file = box.addButton("Save to File", QMessageBox.ButtonRole.ActionRole)
        to_file.setToolTip("Write them to a file; the next window on this database "
                           "offers to apply it")
        discard = box.addButton("Discard and Close", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(retry)
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        if clicked is discard:
            pending.discard()
            return True
        if clicked is to_file:
            try:
                path = save()
            except OSError as exc:
                QMessageBox.critical(parent, "Not saved to a file", str(exc))
                continue
            QMessageBox.information(
                parent, "Changes saved to a file",
                f"{changes(pending.count())} written to\n{path}\n\nThe next window on "
                "this database offers to apply them.")
            pending.discard()
            return True
        if clicked is not retry:
            return False
    return True
