"""Changing annotations: each function is one committed transaction.

These are the core operations behind the window's undoable commands and the CLI. They
check offsets against the stored text before the database's own CHECK does, so a caller
gets a readable error rather than an integrity error.
"""

from __future__ import annotations

from sqlalchemy import select

from annotator.db.engine import Database
from annotator.db.models import Document, DocumentStatus, Label, Origin, Span, Status
from annotator.documents import SpanValue
from annotator.projects import annotator_id


class SpanError(ValueError):
    """A span that cannot be stored (bad offsets, unknown label or document)."""


def add_span(
    db: Database,
    document_id: int,
    annotator: str,
    label: str,
    start: int,
    end: int,
    origin: Origin = Origin.MANUAL,
) -> SpanValue:
    """Store ``text[start:end]`` of a document as a span with ``label``."""
    with db.sessions.begin() as s:
        doc = s.execute(
            select(Document.project_id, Document.length).where(Document.id == document_id)
        ).first()
        if doc is None:
            raise SpanError(f"no document {document_id}")
        project_id, length = doc
        if not 0 <= start < end <= length:
            raise SpanError(
                f"span [{start}, {end}) is outside the text (0 <= start < end <= {length})"
            )
        label_id = s.scalar(
            select(Label.id).where(Label.project_id == project_id, Label.name == label)
        )
        if label_id is None:
            raise SpanError(f"unknown label {label!r}")
        ann_id = annotator_id(s, annotator)
        span = Span(
            document_id=document_id,
            document_length=length,
            annotator_id=ann_id,
            label_id=label_id,
            start=start,
            end=end,
            origin=origin,
        )
        s.add(span)
        s.flush()
        status = s.get(DocumentStatus, (document_id, ann_id))
        if status is None:
            s.add(DocumentStatus(document_id=document_id, annotator_id=ann_id,
                                 status=Status.IN_PROGRESS))
        return SpanValue(span.id, start, end, label, annotator.strip(), origin.value)


def delete_span(db: Database, span_id: int) -> None:
    with db.sessions.begin() as s:
        span = s.get(Span, span_id)
        if span is not None:
            s.delete(span)


def set_status(db: Database, document_id: int, annotator: str, status: Status) -> None:
    """Record an annotator's progress on a document."""
    with db.sessions.begin() as s:
        ann_id = annotator_id(s, annotator)
        row = s.get(DocumentStatus, (document_id, ann_id))
        if row is None:
            s.add(DocumentStatus(document_id=document_id, annotator_id=ann_id, status=status))
        else:
            row.status = status
