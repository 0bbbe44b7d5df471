"""What the import and export dialogs share: a form, then a run with a progress bar and
a Cancel button beside it, then a summary of what happened.

The form is disabled while the task runs. Closing the dialog during a run cancels it and
closes once the core has stopped (the core leaves nothing partial behind). The summary
is plain rich text, so a user can select and copy a failing file's name.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui.io.background import Task, Work

SHOWN_ROWS = 100  # per section of a summary; the rest is counted
STEPS = 1000  # the progress bar's range: byte counts do not fit its int
ERROR_STYLE = "color: #b00020"


RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def isolate(text: str) -> str:
    """``text`` holding Arabic as a bidi isolate, so that it keeps its own order and does
    not reorder the English words around it (other text unchanged: marks are invisible
    but copied with the text)."""
    return f"\u2068{text}\u2069" if RIGHT_TO_LEFT.search(text) else text


def isolate_path(path: str) -> str:
    """A file path holding Arabic, shown left to right folder by folder: a left-to-right
    mark after each slash stops two Arabic names from reading as one reversed run."""
    if not RIGHT_TO_LEFT.search(path):
        return path
    return isolate(path.replace("/", "/\u200e"))


def counted(n: int, noun: str) -> str:
    """``1 span``, ``2 spans``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Section:
    """A titled list in a summary: ``total`` counts the rows, shown or not."""

    title: str
    rows: Sequence[str]
    total: int | None = None
    note: str = ""  # a line under the title, e.g. where the full list was written


def summary_html(sections: Sequence[Section]) -> str:
    """The sections as HTML; every item is a left-to-right paragraph (the words are
    English) with its Arabic in isolates, written right to left."""
    out: list[str] = []
    for section in sections:
        total = len(section.rows) if section.total is None else section.total
        out.append(f"<p dir='ltr' style='margin-bottom:2px'>"
                   f"<b>{html.escape(section.title)} ({total:,})</b></p>")
        if section.note:
            out.append(f"<p dir='ltr' style='margin:0'>{html.escape(section.note)}</p>")
        shown = section.rows[:SHOWN_ROWS]
        items = "".join(f"<li dir='ltr'>{html.escape(row)}</li>" for row in shown)
        if total > len(shown):
            items += f"<li dir='ltr'>\u2026 and {total - len(shown):,} more</li>"
        out.append(f"<ul style='margin-top:2px; margin-bottom:8px; -qt-list-indent:1'>"
                   f"{items}</ul>")
    return "".join(out)


class TaskDialog(QDialog):
    """A dialog whose main button runs a :class:`Task`; subclasses fill ``form``."""

    task_started = Signal(object)  # the Task, just before it starts

    def __init__(self, title: str, run_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.task: Task | None = None
        self._close_when_done = False
        self._describe: Callable[[int, int], str] = lambda done, total: ""
        self._on_finished: Callable[[object], None] = lambda result: None

        self.form = QWidget(self)
        self.problem = QLabel(self)  # why the run button is off, in red
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.hide()
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, STEPS)
        self.progress_bar.setValue(0)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.hide()  # until the first run
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setEnabled(False)
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()
        self.summary = QTextBrowser(self)
        self.summary.setOpenLinks(False)
        self.summary.setMinimumHeight(240)
        self.summary.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.run_button = self.buttons.addButton(run_text, QDialogButtonBox.ButtonRole.ActionRole)
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.start)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)

        run_row = QHBoxLayout()
        run_row.addWidget(self.progress_bar, 1)
        run_row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.problem)
        layout.addLayout(run_row)
        layout.addWidget(self.status)
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.buttons)

    @property
    def running(self) -> bool:
        return self.task is not None and self.task.running

    # -- for subclasses ----------------------------------------------------------------

    def start(self) -> None:
        """The run button: check the form once more, then :meth:`launch`."""
        self.validate()
        if self.run_button.isEnabled():
            self.launch()

    def validate(self) -> None:
        """For subclasses: check the form and :meth:`set_problem` what stops a run."""
        self.set_problem("")

    def launch(self) -> None:
        """For subclasses: :meth:`run` the work the form describes."""
        raise NotImplementedError

    @staticmethod
    def enable_rows(rows: QFormLayout, enabled: dict[QWidget, bool]) -> None:
        """Switch form rows (the field and its label) on or off."""
        for widget, on in enabled.items():
            widget.setEnabled(on)
            rows.labelForField(widget).setEnabled(on)

    def set_problem(self, text: str) -> None:
        """Show why the form cannot run yet ("" when it can) and switch the button."""
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        self.run_button.setEnabled(not text and not self.running)

    def run(
        self,
        work: Work,
        describe: Callable[[int, int], str],
        on_finished: Callable[[object], None],
        what: str,
    ) -> None:
        """Start ``work`` as a task; ``describe(done, total)`` words the progress and
        ``on_finished`` shows the result. ``what`` ("Exporting") heads the status."""
        self._describe, self._on_finished = describe, on_finished
        self.task = Task(work, self)
        self.task.progress.connect(self._show_progress)
        self.task.finished.connect(self._finished)
        self.task.failed.connect(self._failed)
        self.form.setEnabled(False)
        self.run_button.setEnabled(False)
        self.progress_bar.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.summary.clear()
        self.summary.hide()
        self.progress_bar.setRange(0, 0)  # busy until the first count arrives
        self.say(f"{what}\u2026")
        self.task_started.emit(self.task)
        self.task.start()

    def show_summary(self, headline: str, sections: Sequence[Section]) -> None:
        self.say(headline)
        self.summary.setHtml(summary_html(sections))
        self.summary.setVisible(bool(sections))
        if sections:  # grow to show it; a dialog grows only to its minimum by itself
            self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    def say(self, text: str, *, error: bool = False) -> None:
        """Show ``text`` under the progress bar (in red for an error)."""
        self.status.setText(text)
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setVisible(bool(text))

    def cancel(self) -> None:
        if self.task is not None and self.running:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.say("Cancelling\u2026")

    def reject(self) -> None:
        if self.running:  # close once the core has stopped
            self._close_when_done = True
            self.cancel()
            return
        super().reject()

    # -- the task's signals ------------------------------------------------------------

    def _show_progress(self, done: int, total: int) -> None:
        if not self.running:
            return
        self.progress_bar.setRange(0, STEPS)
        self.progress_bar.setValue(STEPS * done // total if total else STEPS)
        if self.cancel_button.isEnabled():
            self.say(self._describe(done, total))

    def _ended(self) -> None:
        self.form.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress_bar.setRange(0, STEPS)
        self.set_problem(self.problem.text())
        if self._close_when_done:
            super().reject()

    def _finished(self, result: object) -> None:
        self.progress_bar.setValue(STEPS)
        self._on_finished(result)
        self._ended()

    def _failed(self, message: str) -> None:
        self.progress_bar.setValue(0)
        self.show_summary("", ())
        self.say(f"Failed: {message}", error=True)
        self.after_failure()
        self._ended()

    def after_failure(self) -> None:
        """For subclasses: a run raised (its message is in ``status``)."""


def choice_combo(choices: Sequence[tuple[str, object]], parent: QWidget) -> QComboBox:
    """A combo box of (text, value) pairs; ``currentData()`` gives the value."""
    combo = QComboBox(parent)
    for text, value in choices:
        combo.addItem(text, value)
    return combo


OFFSET_CHOICES: tuple[tuple[str, str | None], ...] = (
    ("the format's own (UTF-16 for doccano, code points otherwise)", None),
    ("code points (Python, Label Studio 1.4+)", "codepoints"),
    ("UTF-16 code units (JavaScript, doccano)", "utf16"),
)
OFFSET_FORMATS = ("doccano", "doccano-rel", "labelstudio")  # where --offsets applies
