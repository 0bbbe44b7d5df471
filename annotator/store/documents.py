"""Reading documents and their spans as plain values, for the CLI and the window."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from annotator.db.engine import Database
from annotator.db.models import Annotator, Document, DocumentStatus, Label, Span, Status


@dataclass(frozen=True)
class DocumentRow:
    """One line of a document list: for one annotator, or all when none is chosen."""

    id: int
    name: str
    length: int
    status: Status
    span_count: int


@dataclass(frozen=True)
class SpanValue:
    id: int
    start: int
    end: int
    label: str
    annotator: str
    origin: str


@dataclass(frozen=True)
class DocumentValue:
    id: int
    name: str
    text: str
    sha256: str
    source_path: str | None
    meta: dict[str, Any]


def list_documents(
    db: Database, project_id: int, annotator: str | None = None
) -> list[DocumentRow]:
    """Every document of a project in import order, with ``annotator``'s status and span
    count (all annotators' spans and ``new`` when ``annotator`` is None)."""
    return _rows(db, project_id, annotator)


def document_row(db: Database, document_id: int, annotator: str | None = None) -> DocumentRow:
    """One document's list row, counted as :func:`list_documents` counts it."""
    with db.reading() as s:
        project_id = s.scalar(select(Document.project_id).where(Document.id == document_id))
    if project_id is None:
        raise KeyError(document_id)
    return _rows(db, project_id, annotator, document_id)[0]


def _rows(
    db: Database, project_id: int, annotator: str | None, document_id: int | None = None
) -> list[DocumentRow]:
    with db.reading() as s:
        ann_id = (
            s.scalar(select(Annotator.id).where(Annotator.name == annotator))
            if annotator
            else None
        )
        counts = select(Span.document_id, func.count().label("n")).group_by(Span.document_id)
        if annotator:
            counts = counts.where(Span.annotator_id == (ann_id if ann_id is not None else -1))
        statuses = select(DocumentStatus.document_id, DocumentStatus.status).where(
            DocumentStatus.annotator_id == (ann_id if ann_id is not None else -1)
        )
        if document_id is not None:
            counts = counts.where(Span.document_id == document_id)
            statuses = statuses.where(DocumentStatus.document_id == document_id)
        counts_sq = counts.subquery()
        stmt = (
            select(Document.id, Document.name, Document.length, func.coalesce(counts_sq.c.n, 0))
            .outerjoin(counts_sq, counts_sq.c.document_id == Document.id)
            .where(Document.project_id == project_id)
            .order_by(Document.id)
        )
        if document_id is not None:
            stmt = stmt.where(Document.id == document_id)
        status_of: dict[int, Status] = dict(s.execute(statuses).all()) if ann_id else {}
        return [
            DocumentRow(did, name, length, status_of.get(did, Status.NEW), n)
            for did, name, length, n in s.execute(stmt)
        ]


def find_document(db: Database, project_id: int, key: str) -> DocumentValue | None:
    """A document by id, name, or a prefix of its SHA-256 (at least 6 hex digits)."""
    with db.reading() as s:
        conds = [Document.name == key]
        if key.isdigit():
            conds.append(Document.id == int(key))
        if len(key) >= 6 and all(c in "0123456789abcdef" for c in key.lower()):
            conds.append(Document.sha256.startswith(key.lower()))
        doc = s.scalars(
            select(Document)
            .where(Document.project_id == project_id, or_(*conds))
            .order_by(Document.id)
            .limit(1)
        ).first()
        if doc is None:
            return None
        return DocumentValue(doc.id, doc.name, doc.text, doc.sha256, doc.source_path, doc.meta)


def get_document(db: Database, document_id: int) -> DocumentValue:
    with db.reading() as s:
        doc = s.get_one(Document, document_id)
        return DocumentValue(doc.id, doc.name, doc.text, doc.sha256, doc.source_path, doc.meta)


def document_spans(
    db: Database, document_id: int, annotator: str | None = None
) -> list[SpanValue]:
    """The spans of a document (one annotator's, or everyone's), by position."""
    with db.reading() as s:
        stmt = (
            select(Span.id, Span.start, Span.end, Label.name, Annotator.name, Span.origin)
            .join(Label, Label.id == Span.label_id)
            .join(Annotator, Annotator.id == Span.annotator_id)
            .where(Span.document_id == document_id)
            .order_by(Span.start, Span.end.desc(), Span.id)
        )
        if annotator is not None:
            stmt = stmt.where(Annotator.name == annotator)
        return [
            SpanValue(sid, st, en, lb, ann, str(origin))
            for sid, st, en, lb, ann, origin in s.execute(stmt)
        ]


def next_unfinished(
    db: Database, project_id: int, annotator: str, after_id: int | None = None
) -> int | None:
    """The next document (by id, wrapping around) that ``annotator`` has not marked done."""
    with db.reading() as s:
        ann_id = s.scalar(select(Annotator.id).where(Annotator.name == annotator))
        done = select(DocumentStatus.document_id).where(
            DocumentStatus.annotator_id == (ann_id if ann_id is not None else -1),
            DocumentStatus.status == Status.DONE,
        )
        base = select(Document.id).where(
            Document.project_id == project_id, Document.id.not_in(done)
        ).order_by(Document.id).limit(1)
        if after_id is not None:
            found = s.scalar(base.where(Document.id > after_id))
            if found is not None:
                return found
        return s.scalar(base)


def progress(db: Database, project_id: int, annotator: str) -> tuple[int, int]:
    """(documents ``annotator`` marked done, documents in the project)."""
    with db.reading() as s:
        total = s.scalar(
            select(func.count()).select_from(Document).where(Document.project_id == project_id)
        )
        done = s.scalar(
            select(func.count())
            .select_from(DocumentStatus)
            .join(Document, Document.id == DocumentStatus.document_id)
            .join(Annotator, Annotator.id == DocumentStatus.annotator_id)
            .where(
                Document.project_id == project_id,
                Annotator.name == annotator,
                DocumentStatus.status == Status.DONE,
            )
        )
    return done or 0, total or 0
