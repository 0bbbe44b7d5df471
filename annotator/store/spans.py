"""Changing annotations: each function is one committed transaction.

These are the core operations behind the window's undoable commands and the CLI. They
check offsets against the stored text before the database's own CHECK does, so a caller
gets a readable error rather than an integrity error. Every change names the annotator
making it, and an annotator changes only their own spans.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from annotator.db.engine import Database
from annotator.db.models import (
    Annotator,
    Document,
    DocumentStatus,
    Label,
    Origin,
    Relation,
    RelationType,
    Span,
    Status,
    utcnow,
)
from annotator.db.upsert import insert_missing
from annotator.store.documents import SpanValue
from annotator.store.projects import annotator_id


class SpanError(ValueError):
    """A change that cannot be made (bad offsets, unknown label, someone else's span)."""


@dataclass(frozen=True)
class RelationValue:
    id: int
    from_span_id: int
    to_span_id: int
    type: str


@dataclass(frozen=True)
class DeletedSpan:
    """All that a deletion removed, so that undo can put it back as it was."""

    span: SpanValue
    document_id: int
    relations: tuple[RelationValue, ...]


def _label_id(s: Session, project_id: int, label: str) -> int:
    label_id = s.scalar(select(Label.id).where(Label.project_id == project_id, Label.name == label))
    if label_id is None:
        raise SpanError(f"unknown label {label!r}")
    return label_id


def _mark_in_progress(s: Session, document_id: int, ann_id: int) -> None:
    """A first span makes the document in progress; a status already there stays."""
    insert_missing(s, DocumentStatus, document_id=document_id, annotator_id=ann_id,
                   status=Status.IN_PROGRESS)


def add_span(
    db: Database,
    document_id: int,
    annotator: str,
    label: str,
    start: int,
    end: int,
    origin: Origin = Origin.MANUAL,
    span_id: int | None = None,
) -> SpanValue:
    """Store ``text[start:end]`` of a document as a span with ``label``.

    ``span_id`` puts a span back under the id it had (undo of a deletion); ids are never
    reused, so that id is free.
    """
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
        label_id = _label_id(s, project_id, label)
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
        if span_id is not None:
            span.id = span_id
        s.add(span)
        s.flush()
        _mark_in_progress(s, document_id, ann_id)
        return SpanValue(span.id, start, end, label, annotator.strip(), origin.value)


def _own_span(s: Session, span_id: int, annotator: str) -> tuple[Span, str]:
    row = s.execute(
        select(Span, Annotator.name).join(Annotator, Annotator.id == Span.annotator_id)
        .where(Span.id == span_id)
    ).first()
    if row is None:
        raise SpanError(f"no span {span_id} (deleted elsewhere?)")
    span, owner = row
    if owner != annotator.strip():
        raise SpanError(f"span {span_id} belongs to {owner}; {annotator} cannot change it")
    return span, owner


def _value(s: Session, span: Span, owner: str) -> SpanValue:
    label = s.scalar(select(Label.name).where(Label.id == span.label_id))
    assert label is not None
    return SpanValue(span.id, span.start, span.end, label, owner, str(span.origin))


def delete_span(db: Database, span_id: int, annotator: str) -> DeletedSpan:
    """Delete one of ``annotator``'s spans and its relations; return what was removed."""
    with db.sessions.begin() as s:
        span, owner = _own_span(s, span_id, annotator)
        rels = s.execute(
            select(Relation.id, Relation.from_span_id, Relation.to_span_id, RelationType.name)
            .join(RelationType, RelationType.id == Relation.type_id)
            .where((Relation.from_span_id == span_id) | (Relation.to_span_id == span_id))
            .order_by(Relation.id)
        ).all()
        gone = DeletedSpan(
            _value(s, span, owner), span.document_id, tuple(RelationValue(*r) for r in rels)
        )
        s.execute(delete(Relation).where(Relation.id.in_([r.id for r in gone.relations])))
        s.delete(span)
        return gone


def restore_span(db: Database, gone: DeletedSpan) -> SpanValue:
    """Undo :func:`delete_span`: the span under its old id, with its relations."""
    sp = gone.span
    value = add_span(db, gone.document_id, sp.annotator, sp.label, sp.start, sp.end,
                     Origin(sp.origin), span_id=sp.id)
    for rel in gone.relations:
        add_relation(db, rel.from_span_id, rel.to_span_id, rel.type, sp.annotator,
                     relation_id=rel.id)
    return value


def relabel_span(db: Database, span_id: int, label: str, annotator: str) -> SpanValue:
    """Give a span another label; returns the span as it was before."""
    with db.sessions.begin() as s:
        span, owner = _own_span(s, span_id, annotator)
        before = _value(s, span, owner)
        project_id = s.scalar(select(Document.project_id).where(Document.id == span.document_id))
        assert project_id is not None
        span.label_id = _label_id(s, project_id, label)
        span.updated_at = utcnow()
        return before


def resize_span(db: Database, span_id: int, start: int, end: int, annotator: str) -> SpanValue:
    """Move a span's edges; returns the span as it was before."""
    with db.sessions.begin() as s:
        span, owner = _own_span(s, span_id, annotator)
        if not 0 <= start < end <= span.document_length:
            raise SpanError(f"span [{start}, {end}) is outside the text "
                            f"(0 <= start < end <= {span.document_length})")
        before = _value(s, span, owner)
        span.start, span.end = start, end
        span.updated_at = utcnow()
        return before


def add_relation(
    db: Database,
    from_span_id: int,
    to_span_id: int,
    type_name: str,
    annotator: str,
    relation_id: int | None = None,
) -> RelationValue:
    """Link two of ``annotator``'s spans in one document with a relation type whose
    schema allows their labels (SPEAKER: QUOTE -> PERSON or ORGANIZATION)."""
    with db.sessions.begin() as s:
        a, _ = _own_span(s, from_span_id, annotator)
        b, _ = _own_span(s, to_span_id, annotator)
        if a.document_id != b.document_id or a.id == b.id:
            raise SpanError("a relation joins two different spans of one document")
        project_id = s.scalar(select(Document.project_id).where(Document.id == a.document_id))
        rtype = s.scalar(
            select(RelationType).where(
                RelationType.project_id == project_id, RelationType.name == type_name
            )
        )
        if rtype is None:
            raise SpanError(f"unknown relation type {type_name!r}")
        la = s.scalar(select(Label.name).where(Label.id == a.label_id))
        lb = s.scalar(select(Label.name).where(Label.id == b.label_id))
        if (rtype.from_labels and la not in rtype.from_labels) or (
            rtype.to_labels and lb not in rtype.to_labels
        ):
            raise SpanError(
                f"{type_name} goes from {'/'.join(rtype.from_labels)} to "
                f"{'/'.join(rtype.to_labels)}, not from {la} to {lb}"
            )
        existing = s.scalar(
            select(Relation.id).where(
                Relation.from_span_id == a.id, Relation.to_span_id == b.id,
                Relation.type_id == rtype.id,
            )
        )
        if existing is not None:
            return RelationValue(existing, a.id, b.id, type_name)
        rel = Relation(from_span_id=a.id, to_span_id=b.id, type_id=rtype.id)
        if relation_id is not None:
            rel.id = relation_id
        s.add(rel)
        s.flush()
        return RelationValue(rel.id, a.id, b.id, type_name)


def delete_relation(db: Database, relation_id: int, annotator: str) -> RelationValue:
    """Remove a relation between two of ``annotator``'s spans; returns it."""
    with db.sessions.begin() as s:
        row = s.execute(
            select(Relation, RelationType.name)
            .join(RelationType, RelationType.id == Relation.type_id)
            .where(Relation.id == relation_id)
        ).first()
        if row is None:
            raise SpanError(f"no relation {relation_id}")
        rel, type_name = row
        _own_span(s, rel.from_span_id, annotator)
        value = RelationValue(rel.id, rel.from_span_id, rel.to_span_id, type_name)
        s.delete(rel)
        return value


def document_relations(
    db: Database, document_id: int, annotator: str | None = None
) -> list[RelationValue]:
    with db.reading() as s:
        stmt = (
            select(Relation.id, Relation.from_span_id, Relation.to_span_id, RelationType.name)
            .join(RelationType, RelationType.id == Relation.type_id)
            .join(Span, Span.id == Relation.from_span_id)
            .where(Span.document_id == document_id)
            .order_by(Relation.id)
        )
        if annotator is not None:
            stmt = stmt.join(Annotator, Annotator.id == Span.annotator_id).where(
                Annotator.name == annotator
            )
        return [RelationValue(*r) for r in s.execute(stmt).all()]


def set_status(db: Database, document_id: int, annotator: str, status: Status) -> Status:
    """Record an annotator's progress on a document; returns the previous status."""
    with db.sessions.begin() as s:
        ann_id = annotator_id(s, annotator)
        insert_missing(s, DocumentStatus, document_id=document_id, annotator_id=ann_id,
                       status=Status.NEW)
        row = s.scalars(select(DocumentStatus).where(
            DocumentStatus.document_id == document_id, DocumentStatus.annotator_id == ann_id,
        ).with_for_update()).one()
        before = Status(row.status)
        row.status = status
        return before
