"""Review mode: the chosen annotators' spans side by side in one article, a queue of
documents ordered by disagreement, and keyboard-first adjudication into gold.

Keys (in the article or the queue): Tab / Shift+Tab the next / previous difference,
A accept the selected span into gold, Shift+A accept all of that annotator's spans here
(take their side), X or Delete reject it (a gold span: remove it), a label's hotkey
relabel the selected gold span (or draw a gold span over selected text), Alt+Left/Right
(Alt+Shift for the start) move its edges, N / P (or Alt+Down / Alt+Up through the
window) the next / previous document of the queue, Ctrl+Z / Ctrl+Shift+Z undo / redo.
The queue is the core's per-document ranking
(:func:`annotator.review.agreement_report`), computed in a background Task, with each
document's statuses (a check per annotator who marked it done).

:meth:`ReviewPane.refresh` (the window's View ▸ Refresh, F5) reads again what others
saved meanwhile: the open document's spans at once, the queue and the statuses in the
Task; the open document, its selected span and the scroll position stay. An undo that
the others' work has made impossible (the gold span it would remove is gone) fails with
a message and leaves the undo history; nothing else changes.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from html import escape

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QUndoStack
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from annotator.db.engine import Database
from annotator.db.models import Status
from annotator.store.documents import (
    DocumentRow,
    SpanValue,
    document_spans,
    get_document,
    list_documents,
)
from annotator.store.gold import GoldSpan, gold_spans
from annotator.store.projects import GOLD, load_schema
from ui.documents.model import STATUS_TEXT
from ui.io.background import Progress, Task
from ui.review.commands import (
    AcceptIntoGold,
    AcceptSide,
    DrawGold,
    EditGold,
    RejectFromGold,
)
from ui.review.painter import LEGEND, Legend
from ui.review.refresh import Rows, by_id, describe_changes
from ui.review.view import ReviewView
from ui.tagging.commands import CoreCommand
from ui.tagging.painter import SpanStyle

KEYS = {Qt.Key.Key_A, Qt.Key.Key_X, Qt.Key.Key_N, Qt.Key.Key_P, Qt.Key.Key_Delete,
        Qt.Key.Key_Backspace}
DONE_MARK = "\u2713"  # one per compared annotator who marked the document done


class ReviewPane(QWidget):
    """Adjudicate ``annotators``' spans into gold as ``adjudicator``."""

    message = Signal(str)
    queue_ready = Signal()

    def __init__(self, db: Database, project_id: int, annotators: Sequence[str],
                 adjudicator: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.project_id = db, project_id
        self.annotators = list(annotators)
        self.adjudicator = adjudicator
        self.document_id: int | None = None
        self.classes: dict[int, str] = {}
        self.gold: dict[int, GoldSpan] = {}
        self.undo_stack = QUndoStack(self)
        self.queue_error: str | None = None
        self.rows: dict[str, Rows] = {}  # each compared annotator's status and span counts
        self._filling = False  # the queue is being refilled: moving in it opens nothing
        self._refresh: bool | None = None  # a refresh waits for the Task (True: say so)
        self._again = False  # F5 while the Task ran: run it once more

        self.title = QLabel(self)
        self.title.setText(f"Reviewing {', '.join(map(escape, self.annotators))} into "
                           f"<b>{GOLD}</b> as {escape(adjudicator)} \u2014 Tab: next "
                           "difference, A: accept, X: reject, N/P: next/previous document")
        self.legend = Legend(self)
        self.queue = QListWidget(self)
        self.queue.currentItemChanged.connect(self._queue_moved)
        self.view = ReviewView(self)
        schema = load_schema(db, project_id)
        self.hotkeys = {lb.hotkey: lb.name for lb in schema.labels if lb.hotkey}
        self.view.set_style(SpanStyle(colors={lb.name: QColor(lb.color)
                                              for lb in schema.labels}))
        self.view.span_selected.connect(self._show_details)
        self.view.resize_requested.connect(self.move_gold_edges)
        self.details = QLabel(self)
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        article = QWidget(self)
        column = QVBoxLayout(article)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.view, 1)
        column.addWidget(self.details)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.queue)
        splitter.addWidget(article)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 900])
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.legend)
        layout.addWidget(splitter, 1)
        for widget in (self.view, self.queue):
            widget.installEventFilter(self)

        self.task = Task(self._rank, self)
        self.task.finished.connect(self._fill_queue)
        self.task.failed.connect(self._queue_failed)
        self.task.start()

    # -- the queue ---------------------------------------------------------------------

    def _rank(self, progress: Progress, cancel: threading.Event) -> object:
        from annotator.review import agreement_report

        rows = {a: by_id(list_documents(self.db, self.project_id, a))
                for a in self.annotators}
        return agreement_report(self.db, self.project_id, self.annotators).documents, rows

    def _fill_queue(self, result: object) -> None:
        documents, rows = result  # type: ignore[misc]
        before, self.rows = self.rows, rows
        order = self.queue_ids()
        scroll = self.queue.verticalScrollBar().value()
        self._filling = True  # the open document stays open
        try:
            self.queue.clear()
            for doc in documents:
                kappa = "\u2014" if doc.kappa is None else f"{doc.kappa:.2f}"
                item = QListWidgetItem(f"\u2068{doc.name}\u2069  \u03ba {kappa}  "
                                       f"F1 {doc.f1_overlap:.2f}", self.queue)
                item.setData(Qt.ItemDataRole.UserRole, doc.document_id)
                self._show_statuses(item, doc.document_id)
            ids = self.queue_ids()
            if self.document_id in ids:
                self.queue.setCurrentRow(ids.index(self.document_id))
                self.queue.verticalScrollBar().setValue(scroll)
                self.queue.scrollToItem(self.queue.currentItem())
        finally:
            self._filling = False
        self._announce(before, order)
        if self.document_id is None and self.queue.count():
            self.queue.setCurrentRow(0)
        self._done_refreshing()
        self.queue_ready.emit()

    def _announce(self, before: dict[str, Rows], order: list[int]) -> None:
        """How many documents the first queue holds, or what a refresh brought."""
        if self._refresh is None or not before:
            n = self.queue.count()
            self.message.emit(f"{n:,} document{'s' if n != 1 else ''} to review, "
                              "most disagreement first")
            return
        said = describe_changes(before, self.rows)
        if order and self.queue_ids() != order:
            said += (", " if said else "") + "queue reordered"
        if said or self._refresh:
            self.message.emit(f"Refreshed: {said or 'nothing new'}")

    def _show_statuses(self, item: QListWidgetItem, document_id: int) -> None:
        """A check per annotator who marked the document done; each one in the tip."""
        theirs = [(a, self.rows.get(a, {}).get(document_id)) for a in self.annotators]
        done = sum(row is not None and row.status == Status.DONE for _a, row in theirs)
        if done:
            item.setText(f"{item.text()}  {DONE_MARK * done}")
        item.setToolTip("\n".join(_status_line(a, row) for a, row in theirs))

    def _queue_failed(self, message: str) -> None:
        self.queue_error = message
        self.message.emit(f"No review queue: {message}")
        self._done_refreshing()

    def queue_ids(self) -> list[int]:
        return [self.queue.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.queue.count())]

    def _queue_moved(self, item: QListWidgetItem | None, _old: object) -> None:
        if item is not None and not self._filling:
            self.open(item.data(Qt.ItemDataRole.UserRole))

    def step(self, forward: bool) -> None:
        """The next (previous) document of the queue."""
        row = self.queue.currentRow() + (1 if forward else -1)
        if 0 <= row < self.queue.count():
            self.queue.setCurrentRow(row)

    # -- refresh -----------------------------------------------------------------------

    def refresh(self, *, quiet: bool = False) -> None:
        """Read again what others saved: the open document's spans now, the queue and
        statuses in the background; a message says what changed (``quiet``: only when
        something did)."""
        self.reload()
        self._refresh = not quiet or bool(self._refresh)
        if self.task.running:
            self._again = True
            return
        self.queue_error = None
        self.task.start()

    def _done_refreshing(self) -> None:
        if self._again:
            self._again = False
            self.task.start()
        else:
            self._refresh = None

    # -- the article -------------------------------------------------------------------

    def open(self, document_id: int) -> None:
        document = get_document(self.db, document_id)
        self.document_id = document_id
        self.view.show_text(document.text)
        self.reload()
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def reload(self) -> None:
        if self.document_id is None:
            return
        spans = document_spans(self.db, self.document_id)
        by = {a: [s for s in spans if s.annotator == a] for a in self.annotators}
        gold = [s for s in spans if s.annotator == GOLD and GOLD not in self.annotators]
        self.gold = {g.id: g for g in gold_spans(self.db, self.document_id)}
        self.classes = self.view.set_review(by, gold)
        self._show_details(self.view.selected_span)

    def _changed(self, document_id: int) -> None:
        if document_id != self.document_id:
            self.open(document_id)
        else:
            self.reload()

    def _show_details(self, span_id: int | None) -> None:
        span = self.view.painter.index.by_id.get(span_id) if span_id is not None else None
        if span is None:
            n = len(self.view.difference_ids)
            self.details.setText(f"{n} difference{'s' if n != 1 else ''} here; "
                                 f"{len(self.gold)} gold span{'s' if len(self.gold) != 1 else ''}")
            return
        text = escape(self.view.text()[span.start : span.end][:80])
        where = f"<b>{escape(span.label)}</b> <span dir='rtl'>\u2067{text}\u2069</span>"
        gold = self.gold.get(span.id)
        if gold is not None:
            stamp = gold.adjudicated_at
            when = stamp.strftime("%Y-%m-%d %H:%M UTC") if stamp else "?"
            source = escape(gold.source_annotator or "drawn in gold")
            self.details.setText(f"Gold {where} \u2014 from {source}, adjudicated by "
                                 f"{escape(gold.adjudicated_by or '?')} at {when}")
        else:
            kind = LEGEND.get(self.classes.get(span.id, ""), "")
            self.details.setText(f"{escape(span.annotator)}: {where} \u2014 {kind}")

    # -- adjudication ------------------------------------------------------------------

    def accept_selected(self) -> None:
        span_id = self.view.selected_span
        if span_id is None or self.document_id is None or span_id in self.gold:
            return
        self._push(AcceptIntoGold(self.db, self.document_id, span_id, self.adjudicator,
                                  self._changed))

    def reject_selected(self) -> None:
        span_id = self.view.selected_span
        if span_id is None or self.document_id is None:
            return
        self._push(RejectFromGold(self.db, self.document_id, span_id, span_id in self.gold,
                                  self._changed))

    def accept_side(self) -> None:
        span = self._selected()
        if span is None or span.id in self.gold:
            return
        self._push(AcceptSide(self.db, self.document_id, span.annotator,  # type: ignore[arg-type]
                              self.adjudicator, self._changed))

    def relabel_gold(self, label: str) -> None:
        """A label key: relabel the selected gold span, or draw one over selected text."""
        start, end = self.view.selection()
        if end > start and self.document_id is not None:
            self._push(DrawGold(self.db, self.document_id, label, start, end,
                                self.adjudicator, self._changed))
            return
        span = self._selected()
        if span is None or span.id not in self.gold:
            self.message.emit("Select a gold span to relabel it (A accepts a span first)")
        elif span.label != label:
            self._push(EditGold(self.db, self.document_id, span.id,  # type: ignore[arg-type]
                                self.adjudicator, self._changed, label=label))

    def move_gold_edges(self, span_id: int, start: int, end: int) -> None:
        if span_id not in self.gold or self.document_id is None:
            self.message.emit("Only gold spans move here: accept the span first (A)")
            return
        self._push(EditGold(self.db, self.document_id, span_id, self.adjudicator,
                            self._changed, start=start, end=end))

    def _selected(self) -> SpanValue | None:
        span_id = self.view.selected_span
        if span_id is None or self.document_id is None:
            return None
        return self.view.painter.index.by_id.get(span_id)

    def _push(self, command: CoreCommand) -> None:
        self.undo_stack.push(command)
        if command.error:
            self.message.emit(command.error)

    def undo(self, *, redo: bool = False) -> None:
        """Undo (redo) the last adjudication. When the others' work has made that
        impossible, say why; the command leaves the history (the stack drops an obsolete
        one) and the article shows the database as it is."""
        stack = self.undo_stack
        index = stack.index() if redo else stack.index() - 1
        if not 0 <= index < stack.count():
            return
        command = stack.command(index)
        assert isinstance(command, CoreCommand)
        what, command.error = command.text(), None
        if redo:
            stack.redo()
        else:
            stack.undo()
        if command.error:
            self.message.emit(f"Cannot {'redo' if redo else 'undo'} \u201c{what}\u201d: "
                              f"{command.error}; it is no longer in the undo history")
            self.reload()

    # -- keys --------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        key_event: QKeyEvent = event  # type: ignore[assignment]
        key, mods = key_event.key(), key_event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        plain = mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        undo = ctrl and key == Qt.Key.Key_Z
        side = key == Qt.Key.Key_A and mods == Qt.KeyboardModifier.ShiftModifier
        label = self.hotkeys.get(key_event.text()) if plain else None
        if not (undo or side or label or (plain and key in KEYS)):
            return False
        if kind == QEvent.Type.ShortcutOverride:  # ours, not the window's label keys
            event.accept()
            return True
        if undo:
            self.undo(redo=bool(mods & Qt.KeyboardModifier.ShiftModifier))
        elif side:
            self.accept_side()
        elif label:
            self.relabel_gold(label)
        elif key == Qt.Key.Key_A:
            self.accept_selected()
        elif key in (Qt.Key.Key_X, Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.reject_selected()
        else:
            self.step(forward=key == Qt.Key.Key_N)
        return True


def _status_line(annotator: str, row: DocumentRow | None) -> str:
    if row is None:
        return f"{annotator}: not listed"
    spans = f"{row.span_count:,} span{'s' if row.span_count != 1 else ''}"
    return f"{annotator}: {STATUS_TEXT[row.status]}, {spans}"
