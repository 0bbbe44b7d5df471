"""Tagging: turns the user's intents into undoable commands on the open document.

The controller owns the undo stack and knows the annotator, the label schema and the
open document. Widgets tell it what the user asked for (a label key, a deletion, an edge
moved, a partner chosen); it pushes a command, and when any command runs (or is undone)
it reloads that document's spans and emits ``document_changed`` so the window can refresh
the list row and the span list.

A change the database refuses for now waits in ``pending`` (:mod:`ui.tagging.pending`) and is
tried again; the view shows the document as it will be, the waiting spans dashed.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QUndoStack
from PySide6.QtWidgets import QWidget

from annotator.db.engine import Database
from annotator.db.models import LabelKind, Status
from annotator.store.documents import SpanValue, document_spans
from annotator.store.schema import Schema
from annotator.store.spans import RelationValue, document_relations
from ui.tagging.commands import (
    AddRelation,
    AddSpan,
    CoreCommand,
    DeleteRelation,
    DeleteSpan,
    RelabelSpan,
    ResizeSpan,
    SetStatus,
    from_record,
)
from ui.tagging.painter import SpanStyle
from ui.tagging.pending import (
    PendingChanges,
    ask_before_closing,
    lock_probe,
    read_file,
    save_to_file,
    saved_files,
)
from ui.tagging.view import TaggingView


class TaggingController(QObject):
    """Applies labels, relations and statuses for one annotator in one project."""

    document_changed = Signal(int)  # a command changed this document
    spans_loaded = Signal(object, object)  # spans, relations of the open document
    message = Signal(str)  # something for the status bar (errors, link prompts)
    open_requested = Signal(int)  # undo touched a document that is not open: open it

    def __init__(self, db: Database, view: TaggingView, annotator: str, schema: Schema,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.view = view
        self.annotator = annotator
        self.schema = schema
        self.undo_stack = QUndoStack(self)
        self.pending = PendingChanges(self)
        self.pending.updated.connect(self._show_pending)
        self.pending.saved.connect(self._saved)
        self.pending.dropped.connect(self.message)
        self.pending.apply_requested.connect(self.apply_file)
        self.pending.files = saved_files(db)  # left by an earlier window: offered
        self.pending.probe = lock_probe(db)
        self._applying = False
        self.document_id: int | None = None
        self._stored: list[SpanValue] = []  # the open document's spans in the database
        self.spans: list[SpanValue] = []  # as shown: with the pending changes applied
        self.relations: list[RelationValue] = []
        self._link: tuple[int, str] | None = None  # (source span, relation type)
        view.resize_requested.connect(self.resize)
        view.delete_requested.connect(self.delete)
        view.link_chosen.connect(self._finish_link)
        view.link_cancelled.connect(lambda: self._cancel_link("Link cancelled"))
        self.set_schema(schema)

    # -- state -------------------------------------------------------------------------

    def set_schema(self, schema: Schema) -> None:
        self.schema = schema
        self.view.set_style(SpanStyle(
            colors={lb.name: QColor(lb.color) for lb in schema.labels},
            long_labels={lb.name for lb in schema.labels if lb.kind != LabelKind.ENTITY},
        ))
        if self.document_id is not None:
            self.reload()

    def set_annotator(self, annotator: str) -> None:
        """Switch whose spans are shown and edited; undo history belongs to the old one."""
        self.annotator = annotator
        if not self.pending.count():  # waiting commands live on the stack: keep them
            self.undo_stack.clear()
        if self.document_id is not None:
            self.reload()

    def open(self, document_id: int) -> None:
        """The view shows this document's text already; load its spans."""
        self._cancel_link(None)
        self.document_id = document_id
        self.reload()

    def reload(self) -> bool:
        """Read the open document's spans again; False when the database cannot be read
        (a lost server): the spans last read stay, with the pending changes."""
        assert self.document_id is not None
        try:
            self._stored = document_spans(self.db, self.document_id, self.annotator)
            self.relations = document_relations(self.db, self.document_id, self.annotator)
        except SQLAlchemyError:
            if not self.pending.count():
                raise
            self._show_pending()
            return False
        self._show_pending()
        return True

    def _show_pending(self) -> None:
        """Show the stored spans with the waiting changes to this document applied."""
        if self.document_id is None:
            return
        spans, before = self._stored, {(s.id, s.start, s.end, s.label) for s in self._stored}
        for command in self.pending.commands:
            if command.document_id == self.document_id and \
                    getattr(command, "annotator", None) == self.annotator:
                spans = command.preview(spans)
        self.spans = spans
        self.view.painter.pending = {
            s.id for s in spans if (s.id, s.start, s.end, s.label) not in before
        }
        self.view.set_spans(self.spans, self.relations)
        self.spans_loaded.emit(self.spans, self.relations)

    def _saved(self, command: CoreCommand) -> None:
        """A waiting new span reached the database: it stays selected, under its new id
        (the reload that follows shows it)."""
        if isinstance(command, AddSpan) and command.span is not None and \
                self.view.selected_span == command.placeholder:
            self.view.selected_span = command.span.id

    def _changed(self, document_id: int) -> None:
        readable = True
        if document_id == self.document_id:
            readable = self.reload()
        elif not (self._applying or self.pending.retrying):  # the user's own undo/redo
            self.open_requested.emit(document_id)
        if readable:
            self.document_changed.emit(document_id)

    def has_pending(self, action: str) -> bool:
        """True (and a message saying so) while changes wait: ``action`` must wait too."""
        if self.pending.count() and not self.pending.retry():
            self.message.emit(f"{action} waits: {self.pending.summary()} (Retry Now, or "
                              "Ctrl+Z takes the last one back)")
            return True
        return False

    def may_close(self, parent: QWidget) -> bool:
        """Closing: True when no change waits, or the user saved them to a file or
        discarded them; asks (:func:`ui.tagging.pending.ask_before_closing`)."""
        return ask_before_closing(parent, self.pending, lambda: save_to_file(self.db,
                                                                             self.pending))

    def apply_file(self, path: Path) -> None:
        """Make the changes an earlier window saved to ``path``, in order, as new
        undoable commands (saved, or waiting like any other); the file then goes."""
        try:
            records = read_file(path)
            commands = [from_record(self.db, record, self._changed) for record in records]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self.message.emit(f"Could not read {path.name}: {exc}")
            return
        refused = []
        self._applying = True  # stay on the open document
        try:
            for command in commands:
                self._push(command)
                if command.error and not command.pending:
                    refused.append(f"{command.text()}: {command.error}")
        finally:
            self._applying = False
        self.pending.files.remove(path)
        try:
            path.unlink()
            kept = ""
        except OSError as exc:
            kept = f"; {path.name} could not be removed ({exc}): set it aside next time"
        self.pending.updated.emit()
        waiting = sum(command.pending for command in commands)
        self.message.emit(
            f"Applied {len(commands) - len(refused)} of {len(commands)} saved changes"
            + (f" ({waiting} waiting for the database)" if waiting else "")
            + (f"; not applied: {'; '.join(refused)}" if refused else "") + kept
        )

    def _unsaved(self, span_id: int) -> bool:
        if span_id < 0:  # a pending new span: it has no id in the database yet
            self.message.emit("This span is not saved yet: change it once it is saved, "
                              "or Ctrl+Z takes it back")
            return True
        return False

    def _push(self, command: CoreCommand) -> bool:
        command.queue = self.pending
        self.undo_stack.push(command)
        if command.error:
            self.message.emit(command.error)
            return False
        return True

    # -- intents -----------------------------------------------------------------------

    def apply_label(self, label: str) -> None:
        """A label key: tag the selected text, or relabel the selected span."""
        if self.document_id is None:
            return
        start, end = self.view.selection()
        if end > start:
            command = AddSpan(self.db, self.document_id, self.annotator, label, start, end,
                              self._changed)
            self._push(command)
            if command.span is not None or command.pending:  # stored, or waiting to be
                shown = command.span.id if command.span else command.placeholder
                self.view.select_span(shown, scroll=False)
            return
        span_id = self.view.selected_span
        if span_id is not None:
            span = next((s for s in self.spans if s.id == span_id), None)
            if span is not None and span.label != label and not self._unsaved(span_id):
                self._push(RelabelSpan(self.db, self.document_id, span_id, label,
                                       self.annotator, self._changed))
            return
        self.message.emit("Select some text (or a span) first, then press a label key")

    def delete(self, span_id: int) -> None:
        if self.document_id is not None and not self._unsaved(span_id):
            self._push(DeleteSpan(self.db, self.document_id, span_id, self.annotator,
                                  self._changed))

    def delete_selected(self) -> None:
        if self.view.selected_span is not None:
            self.delete(self.view.selected_span)

    def resize(self, span_id: int, start: int, end: int) -> None:
        if self.document_id is not None and not self._unsaved(span_id):
            self._push(ResizeSpan(self.db, self.document_id, span_id, start, end,
                                  self.annotator, self._changed))

    def begin_link(self, type_name: str) -> None:
        """A relation key: link the selected span to a partner the user chooses next."""
        rtype = next((r for r in self.schema.relation_types if r.name == type_name), None)
        source = next((s for s in self.spans if s.id == self.view.selected_span), None)
        if source is not None and self._unsaved(source.id):
            return
        if rtype is None or source is None or source.label not in rtype.from_labels:
            wants = "/".join(rtype.from_labels) if rtype else "a span"
            self.message.emit(f"{type_name}: select a {wants} span first")
            return
        candidates = {s.id for s in self.spans if s.label in rtype.to_labels and s.id > 0}
        if not candidates:
            self.message.emit(
                f"{type_name}: tag a {' or '.join(rtype.to_labels)} first, then link it"
            )
            return
        self._link = (source.id, type_name)
        self.view.begin_link(candidates)
        self.message.emit(
            f"{type_name}: click the {' or '.join(rtype.to_labels)} span, or Tab to it and "
            "press Enter (Esc cancels)"
        )

    def _finish_link(self, target: int) -> None:
        if self._link is None or self.document_id is None:
            return
        source, type_name = self._link
        self._cancel_link(None)
        if self._push(AddRelation(self.db, self.document_id, source, target, type_name,
                                  self.annotator, self._changed)):
            self.message.emit(f"Linked {type_name}")
        self.view.select_span(source, scroll=False)

    def _cancel_link(self, message: str | None) -> None:
        self._link = None
        if self.view.linking:
            self.view.end_link()
        if message:
            self.message.emit(message)

    def unlink(self, relation: RelationValue) -> None:
        if self.document_id is not None:
            self._push(DeleteRelation(self.db, self.document_id, relation, self.annotator,
                                      self._changed))

    def set_status(self, status: Status) -> None:
        if self.document_id is not None:
            self._push(SetStatus(self.db, self.document_id, self.annotator, status,
                                 self._changed))
