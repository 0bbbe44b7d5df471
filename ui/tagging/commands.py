"""Undoable changes: each command calls one core function, which commits at once.

A command remembers what it needs to reverse itself (the span as it was, the relations
a deletion took with it). Ids are never reused by the database, so undoing a deletion
puts the span back under its old id and later commands that name it stay valid.

A command whose first run fails (the core refused, e.g. a span someone else deleted)
keeps the error in ``error`` and marks itself obsolete, so the stack drops it.

A command given a ``queue`` (:class:`ui.tagging.pending.PendingChanges`) that the *database*
refuses (disk full, read-only, locked too long, server gone) stays on the stack as
pending and waits in the queue, as does every command pushed while one waits; the queue
runs it when the database takes it again. Undoing a pending command takes it back out of
the queue: it never reached the database. Meanwhile :meth:`CoreCommand.preview` shows
what it will do.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import asdict, replace
from enum import Enum
from typing import Protocol

from sqlalchemy.exc import (
    DisconnectionError,
    InterfaceError,
    InternalError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

from PySide6.QtCore import SignalInstance
from PySide6.QtGui import QUndoCommand

from annotator.db.engine import Database
from annotator.db.models import Status
from annotator.store.documents import SpanValue
from annotator.store.spans import (
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

# The database, not a rule, refused: full disk, read-only file or transaction, a lock held
# past the busy timeout, a lost server. The same change may well work later.
REFUSALS = (OperationalError, InterfaceError, InternalError, DisconnectionError, PoolTimeout)
_placeholder_ids = itertools.count(1)  # pending new spans show with ids -1, -2, ...


class ChangeQueue(Protocol):
    """Where a change the database refused waits (:class:`ui.tagging.pending.PendingChanges`)."""

    dropped: SignalInstance  # a waiting change can never be stored: why

    def count(self) -> int: ...
    def add(self, command: CoreCommand, reason: str | None = None) -> None: ...
    def remove(self, command: CoreCommand) -> None: ...


class Outcome(Enum):
    DONE = "done"
    RULE = "rule"  # the core refused (SpanError): it never will work
    REFUSED = "refused"  # the database refused for now: try again later
    FAILED = "failed"  # the database refused for good (a constraint, a bad statement)


def refusal_reason(exc: SQLAlchemyError) -> str:
    """The database's own words (SQLite's or the server's first line)."""
    reason = str(getattr(exc, "orig", None) or exc).strip()
    return reason.splitlines()[0] if reason else type(exc).__name__


class CoreCommand(QUndoCommand):
    """Runs ``do`` / ``undo_`` and reports the document it changed."""

    FIELDS: tuple[str, ...] = ()  # what :meth:`record` writes: constructor arguments

    def __init__(self, text: str, db: Database, document_id: int, changed: Changed) -> None:
        super().__init__(text)
        self.db = db
        self.document_id = document_id
        self.changed = changed
        self.error: str | None = None
        self.queue: ChangeQueue | None = None  # where a refused change waits
        self.pending = False  # waiting in the queue, not in the database yet
        self.applied = False  # in the database (done, not undone)

    def do(self) -> None:
        raise NotImplementedError

    def undo_(self) -> None:
        raise NotImplementedError

    def preview(self, spans: list[SpanValue]) -> list[SpanValue]:
        """The open document's spans as they will be once this pending change is saved."""
        return spans

    def record(self) -> dict[str, object]:
        """The change as plain JSON values, to be made again by :func:`from_record`."""
        values: dict[str, object] = {"change": type(self).__name__, "what": self.text()}
        for name in ("document_id", *self.FIELDS):
            value = getattr(self, name)
            values[name] = asdict(value) if isinstance(value, RelationValue) else \
                value.value if isinstance(value, Status) else value
        return values

    def attempt(self) -> tuple[Outcome, str]:
        """Run the change once; the outcome and, unless done, why not."""
        try:
            self.do()
        except SpanError as exc:
            return Outcome.RULE, str(exc)
        except REFUSALS as exc:
            return Outcome.REFUSED, refusal_reason(exc)
        except SQLAlchemyError as exc:
            return Outcome.FAILED, f"the database refused the change ({refusal_reason(exc)})"
        self.applied = True
        return Outcome.DONE, ""

    def redo(self) -> None:
        queue = self.queue
        if queue is not None and queue.count():  # wait behind the earlier changes
            queue.add(self)
            self.changed(self.document_id)
            return
        outcome, message = self.attempt()
        if outcome is Outcome.REFUSED and queue is not None:
            self.error = f"Not saved yet: {message}. It will be tried again."
            queue.add(self, message)
        elif outcome is Outcome.RULE:
            self.error = message
        elif outcome is not Outcome.DONE:
            if outcome is Outcome.REFUSED:
                message = f"the database refused the change ({message})"
            self.error = f"Not saved: {message}"
        if outcome is not Outcome.DONE and not self.pending:
            self.setObsolete(True)
            return
        self.changed(self.document_id)

    def undo(self) -> None:
        if self.pending:  # it never reached the database: just stop waiting
            assert self.queue is not None
            self.queue.remove(self)
        elif self.applied:
            try:
                self.undo_()
                self.applied = False
            except (SpanError, SQLAlchemyError) as exc:
                self.error = str(exc)
                self.setObsolete(True)
                if self.queue is not None:  # say so: the change stays in the database
                    reason = exc if isinstance(exc, SpanError) else refusal_reason(exc)
                    self.queue.dropped.emit(f"Not undone: {reason}")
        self.changed(self.document_id)


class AddSpan(CoreCommand):
    FIELDS = ("annotator", "label", "start", "end")

    def __init__(self, db: Database, document_id: int, annotator: str, label: str,
                 start: int, end: int, changed: Changed) -> None:
        super().__init__(f"Tag {label}", db, document_id, changed)
        self.annotator, self.label, self.start, self.end = annotator, label, start, end
        self.span: SpanValue | None = None
        self.placeholder = -next(_placeholder_ids)  # its id on screen while it waits

    def preview(self, spans: list[SpanValue]) -> list[SpanValue]:
        return [*spans, SpanValue(self.placeholder, self.start, self.end, self.label,
                                  self.annotator, "pending")]

    def do(self) -> None:
        self.span = add_span(self.db, self.document_id, self.annotator, self.label,
                             self.start, self.end,
                             span_id=self.span.id if self.span else None)

    def undo_(self) -> None:
        assert self.span is not None
        delete_span(self.db, self.span.id, self.annotator)


class DeleteSpan(CoreCommand):
    FIELDS = ("span_id", "annotator")

    def __init__(self, db: Database, document_id: int, span_id: int, annotator: str,
                 changed: Changed) -> None:
        super().__init__("Delete span", db, document_id, changed)
        self.span_id, self.annotator = span_id, annotator
        self.gone: DeletedSpan | None = None

    def preview(self, spans: list[SpanValue]) -> list[SpanValue]:
        return [s for s in spans if s.id != self.span_id]

    def do(self) -> None:
        self.gone = delete_span(self.db, self.span_id, self.annotator)
        self.setText(f"Delete {self.gone.span.label}")

    def undo_(self) -> None:
        assert self.gone is not None
        restore_span(self.db, self.gone)


class RelabelSpan(CoreCommand):
    FIELDS = ("span_id", "label", "annotator")

    def __init__(self, db: Database, document_id: int, span_id: int, label: str,
                 annotator: str, changed: Changed) -> None:
        super().__init__(f"Relabel as {label}", db, document_id, changed)
        self.span_id, self.label, self.annotator = span_id, label, annotator
        self.before: str | None = None

    def preview(self, spans: list[SpanValue]) -> list[SpanValue]:
        return [replace(s, label=self.label) if s.id == self.span_id else s for s in spans]

    def do(self) -> None:
        self.before = relabel_span(self.db, self.span_id, self.label, self.annotator).label

    def undo_(self) -> None:
        assert self.before is not None
        relabel_span(self.db, self.span_id, self.before, self.annotator)


class ResizeSpan(CoreCommand):
    FIELDS = ("span_id", "start", "end", "annotator")

    def __init__(self, db: Database, document_id: int, span_id: int, start: int, end: int,
                 annotator: str, changed: Changed) -> None:
        super().__init__("Move span edge", db, document_id, changed)
        self.span_id, self.start, self.end, self.annotator = span_id, start, end, annotator
        self.before: tuple[int, int] | None = None

    def preview(self, spans: list[SpanValue]) -> list[SpanValue]:
        return [replace(s, start=self.start, end=self.end) if s.id == self.span_id else s
                for s in spans]

    def do(self) -> None:
        old = resize_span(self.db, self.span_id, self.start, self.end, self.annotator)
        self.before = (old.start, old.end)

    def undo_(self) -> None:
        assert self.before is not None
        resize_span(self.db, self.span_id, *self.before, self.annotator)


class AddRelation(CoreCommand):
    FIELDS = ("from_id", "to_id", "type_name", "annotator")

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
    FIELDS = ("relation", "annotator")

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
    FIELDS = ("annotator", "status")

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


RECORDED = {cls.__name__: cls for cls in (AddSpan, DeleteSpan, RelabelSpan, ResizeSpan,
                                          AddRelation, DeleteRelation, SetStatus)}


def from_record(db: Database, record: dict[str, object], changed: Changed) -> CoreCommand:
    """The command :meth:`CoreCommand.record` wrote; KeyError or ValueError when the
    record is not one."""
    cls = RECORDED[str(record["change"])]
    values = {name: record[name] for name in ("document_id", *cls.FIELDS)}
    if isinstance(values.get("relation"), dict):
        values["relation"] = RelationValue(**values["relation"])  # type: ignore[arg-type]
    if "status" in values:
        values["status"] = Status(values["status"])
    return cls(db, changed=changed, **values)  # type: ignore[arg-type]
