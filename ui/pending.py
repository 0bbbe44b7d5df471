"""Changes the database refused for a while (full disk, read-only file, a lock held too
long, a lost server), kept in order and tried again until it takes them.

A tagging command the database refuses joins :class:`PendingChanges` instead of being
dropped; every later command waits behind it, so the changes reach the database in the
order they were made. A timer tries the oldest again after 1, 2 and 5 seconds, then every
10 seconds; :class:`PendingBanner` says what waits and why, with a Retry Now button.
A waiting change the core refuses for good on a retry (a rule: the span it changes was
deleted meanwhile) leaves the queue with a message, as it would have at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

if TYPE_CHECKING:
    from ui.commands import CoreCommand

BACKOFF_MS = (1_000, 2_000, 5_000, 10_000)  # then every 10 s


class PendingChanges(QObject):
    """The refused changes, oldest first, and the timer that tries them again."""

    updated = Signal()  # the queue, the reason or the next try changed
    saved = Signal(object)  # a waiting command reached the database (before it shows)
    dropped = Signal(str)  # a waiting change can never be stored: why

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.commands: list[CoreCommand] = []
        self.reason = ""  # the database's words for the last refusal
        self.tries = 0  # failed tries since the queue was last empty
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
        from ui.commands import Outcome

        self.timer.stop()
        while self.commands:
            command = self.commands[0]
            outcome, message = command.attempt()
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
        if not self.commands:
            self._idle()
        self.updated.emit()
        return not self.commands

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
        n = len(self.commands)
        return f"{n} change{'' if n == 1 else 's'} not saved yet"


class PendingBanner(QFrame):
    """A bar over the article while changes wait: how many, why, when the next try is,
    and a button to try at once. Hidden when nothing waits."""

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
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.retry_button)
        self.ticker = QTimer(self)  # the countdown to the next try
        self.ticker.setInterval(1000)
        self.ticker.timeout.connect(self._show)
        pending.updated.connect(self._show)
        self._show()

    def _show(self) -> None:
        pending = self.pending
        if not pending.count():
            self.ticker.stop()
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


def _escape(text: str) -> str:
    from html import escape

    return escape(text)


def ask_before_closing(parent: QWidget, pending: PendingChanges) -> bool:
    """Whether the window may close: nothing waits (after one more try), or the user
    chose to discard what does. Retry Now tries again and asks again if it must."""
    from PySide6.QtWidgets import QMessageBox

    while not pending.retry():
        box = QMessageBox(QMessageBox.Icon.Warning, "Changes not saved", "", parent=parent)
        box.setText(f"<b>{pending.summary()}</b>: the database refused "
                    f"{'it' if pending.count() == 1 else 'them'}.")
        box.setInformativeText(
            f"{_escape(pending.reason)}<br><br>Free some disk space, make the database "
            "writable or reconnect, then retry. Discarding loses:<br>"
            + "<br>".join(_escape(c.text()) for c in pending.commands)
        )
        retry = box.addButton("Retry Now", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard and Close", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(retry)
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        if clicked is discard:
            pending.discard()
            return True
        if clicked is not retry:
            return False
    return True
