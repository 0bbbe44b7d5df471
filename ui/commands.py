"""Undoable changes: each command calls one core function, which commits at once.

A command remembers what it needs to reverse itself (the span as it was, the relations
a deletion took with it). Ids are never reused by the database, so undoing a deletion
puts the span back under its old id and later commands that name it stay valid.

A command whose first run fails (the core refused, e.g. a span someone else deleted)
keeps the error in ``error`` and marks itself obsolete, so the stack drops it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from PySide6.QtGui import QUndoCommand

from annotator.db.engine import Database
from annotator.db.models import Status
from annotator.documents import SpanValue
from annotator.spans import (
    DeletedSpan,
    RelationValue,
    SpanError,
    add_relation,
    add_span,
    delete_relation,
    delete_span,
    relabel_span,
    resize_span,
    restore_span,
    set_status,
)

Changed = Callable[[int], None]  # called with the document id after every redo/undo


class CoreCommand(QUndoCommand):
    """Runs ``do`` / ``undo_`` and reports the document it changed."""

    def __init__(self, text: str, db: Database, document_id: int, changed: Changed) -> None:
        super().__init__(text)
        self.db = db
        self.document_id = document_id
        self.changed = changed
        self.error: str | None = None

    def do(self) -> None:
        raise NotImplementedError

    def undo_(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        try:
            self.do()
        except SpanError as exc:
            self.error = str(exc)
            self.setObsolete(True)
            return
        except SQLAlchemyError as exc:  # the database refused: disk full, read-only, gone
            reason = getattr(exc, "orig", None) or exc
            self.error = f"Not saved: the database refused the change ({reason})"
            self.setObsolete(True)
            return
        self.changed(self.document_id)

    def undo(self) -> None:
        try:
            self.undo_()
        except (SpanError, SQLAlchemyError) as exc:
            self.error = str(exc)
            self.setObsolete(True)
        self.changed(self.document_id)


class AddSpan(CoreCommand):
    def __init__(self, db: Database, document_id: int, annotator: str, label: str,
                 start: int, end: int, changed: Changed) -> None:
        super().__init__(f"Tag {label}", db, document_id, changed)
        self.annotator, self.label, self.start, self.end = annotator, label, start, end
        self.span: SpanValue | None = None

    def do(self) -> None:
        self.span = add_span(self.db, self.document_id, self.annotator, self.label,
                             self.start, self.end,
                             span_id=self.span.id if self.span else None)

    def undo_(self) -> None:
        assert self.span is not None
        delete_span(self.db, self.span.id, self.annotator)


class DeleteSpan(CoreCommand):
    def __init__(self, db: Database, document_id: int, span_id: int, annotator: str,
                 changed: Changed) -> None:
        super().__init__("Delete span", db, document_id, changed)
        self.span_id, self.annotator = span_id, annotator
        self.gone: DeletedSpan | None = None

    def do(self) -> None:
        self.gone = delete_span(self.db, self.span_id, self.annotator)
        self.setText(f"Delete {self.gone.span.label}")

    def undo_(self) -> None:
        assert self.gone is not None
        restore_span(self.db, self.gone)


class RelabelSpan(CoreCommand):
    def __init__(self, db: Database, document_id: int, span_id: int, label: str,
                 annotator: str, changed: Changed) -> None:
        super().__init__(f"Relabel as {label}", db, document_id, changed)
        self.span_id, self.label, self.annotator = span_id, label, annotator
        self.before: str | None = None

    def do(self) -> None:
        self.before = relabel_span(self.db, self.span_id, self.label, self.annotator).label

    def undo_(self) -> None:
        assert self.before is not None
        relabel_span(self.db, self.span_id, self.before, self.annotator)


class ResizeSpan(CoreCommand):
    def __init__(self, db: Database, document_id: int, span_id: int, start: int, end: int,
                 annotator: str, changed: Changed) -> None:
        super().__init__("Move span edge", db, document_id, changed)
        self.span_id, self.start, self.end, self.annotator = span_id, start, end, annotator
        self.before: tuple[int, int] | None = None

    def do(self) -> None:
        old = resize_span(self.db, self.span_id, self.start, self.end, self.annotator)
        self.before = (old.start, old.end)

    def undo_(self) -> None:
        assert self.before is not None
        resize_span(self.db, self.span_id, *self.before, self.annotator)


class AddRelation(CoreCommand):
    def __init__(self, db: Database, document_id: int, from_id: int, to_id: int,
                 type_name: str, annotator: str, changed: Changed) -> None:
        super().__init__(f"Link {type_name}", db, document_id, changed)
        self.from_id, self.to_id, self.type_name = from_id, to_id, type_name
        self.annotator = annotator
        self.relation: RelationValue | None = None

    def do(self) -> None:
        self.relation = add_relation(self.db, self.from_id, self.to_id, self.type_name,
                                     self.annotator,
                                     relation_id=self.relation.id if self.relation else None)

    def undo_(self) -> None:
        assert self.relation is not None
        delete_relation(self.db, self.relation.id, self.annotator)


class DeleteRelation(CoreCommand):
    def __init__(self, db: Database, document_id: int, relation: RelationValue,
                 annotator: str, changed: Changed) -> None:
        super().__init__(f"Unlink {relation.type}", db, document_id, changed)
        self.relation, self.annotator = relation, annotator

    def do(self) -> None:
        delete_relation(self.db, self.relation.id, self.annotator)

    def undo_(self) -> None:
        r = self.relation
        add_relation(self.db, r.from_span_id, r.to_span_id, r.type, self.annotator,
                     relation_id=r.id)


class SetStatus(CoreCommand):
    def __init__(self, db: Database, document_id: int, annotator: str, status: Status,
                 changed: Changed) -> None:
        super().__init__(f"Mark {status.value.replace('_', ' ')}", db, document_id, changed)
        self.annotator, self.status = annotator, status
        self.before: Status | None = None

    def do(self) -> None:
        self.before = set_status(self.db, self.document_id, self.annotator, self.status)

    def undo_(self) -> None:
        assert self.before is not None
        set_status(self.db, self.document_id, self.annotator, self.before)
