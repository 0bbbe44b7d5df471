"""Adjudication: the gold standard, built from the annotators' spans.

Gold spans belong to the annotator named ``gold`` (what ``export --gold`` writes). An
adjudicator (a person, named on every call) accepts an annotator's span, which copies it
into gold, or draws and edits gold spans directly. Each gold span keeps its provenance:
the span it was accepted from (``source_span_id``; None when drawn, and the id of a span
since deleted stays, as ids are never reused), whose span that was, who adjudicated it
last and when.

Every function is one committed transaction and returns what undo needs: a deleted gold
span comes back with :func:`restore_gold_span` under its id, with its provenance and
relations; an edit returns the span as it was, which :func:`restore_gold_span` also puts
back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotator.db.engine import Database
from annotator.db.models import (
    Annotator,
    Document,
    Label,
    Origin,
    Relation,
    RelationType,
    Span,
    utcnow,
)
from annotator.store.documents import SpanValue
from annotator.store.projects import GOLD, annotator_id
from annotator.store.spans import RelationValue, SpanError, _label_id, _mark_in_progress


class GoldError(SpanError):
    """An adjudication that cannot be made; the message says why."""


@dataclass(frozen=True)
class GoldSpan(SpanValue):
    """A gold span with its provenance."""

    source_span_id: int | None = None
    source_annotator: str | None = None
    adjudicated_by: str | None = None
    adjudicated_at: datetime | None = None


@dataclass(frozen=True)
class DeletedGold:
    """A removed gold span with its relations, for :func:`restore_gold_span`."""

    span: GoldSpan
    document_id: int
    relations: tuple[RelationValue, ...]


def _adjudicator(name: str) -> str:
    name = name.strip()
    if not name or name == GOLD:
        raise GoldError(f"the adjudicator is a person, not {name!r}")
    return name


def _value(s: Session, span: Span) -> GoldSpan:
    label = s.scalar(select(Label.name).where(Label.id == span.label_id))
    assert label is not None
    when = span.adjudicated_at
    if when is not None:  # in UTC: SQLite gives back naive UTC, PostgreSQL its TimeZone
        when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return GoldSpan(span.id, span.start, span.end, label, GOLD, str(span.origin),
                    span.source_span_id, span.source_annotator, span.adjudicated_by, when)


def _gold_span(s: Session, span_id: int) -> Span:
    span = s.get(Span, span_id)
    if span is None:
        raise GoldError(f"no span {span_id} (deleted elsewhere?)")
    if s.scalar(select(Annotator.name).where(Annotator.id == span.annotator_id)) != GOLD:
        raise GoldError(f"span {span_id} is not a gold span")
    return span


def _copy_relations(s: Session, source: Span, copy: Span) -> None:
    """Relations of the source span whose other end is in gold too, between the copies."""
    rels = s.execute(select(Relation.from_span_id, Relation.to_span_id, Relation.type_id).where(
        (Relation.from_span_id == source.id) | (Relation.to_span_id == source.id))).all()
    if not rels:
        return
    copies = dict(s.execute(select(Span.source_span_id, Span.id).where(
        Span.document_id == copy.document_id, Span.annotator_id == copy.annotator_id,
        Span.source_span_id.is_not(None))).all())
    for a, b, type_id in rels:
        ga, gb = copies.get(a), copies.get(b)
        if ga is None or gb is None:
            continue
        exists = s.scalar(select(Relation.id).where(
            Relation.from_span_id == ga, Relation.to_span_id == gb, Relation.type_id == type_id))
        if exists is None:
            s.add(Relation(from_span_id=ga, to_span_id=gb, type_id=type_id))


def _accept(s: Session, span_id: int, adjudicator: str) -> GoldSpan:
    source = s.get(Span, span_id)
    if source is None:
        raise GoldError(f"no span {span_id} (deleted elsewhere?)")
    owner = s.scalar(select(Annotator.name).where(Annotator.id == source.annotator_id))
    gold_id = annotator_id(s, GOLD)
    if source.annotator_id == gold_id:
        return _value(s, source)
    same = s.scalar(select(Span).where(
        Span.document_id == source.document_id, Span.annotator_id == gold_id,
        Span.label_id == source.label_id, Span.start == source.start, Span.end == source.end))
    if same is not None:  # already in gold, from whoever: accepting again changes nothing
        return _value(s, same)
    copy = Span(document_id=source.document_id, document_length=source.document_length,
                annotator_id=gold_id, label_id=source.label_id, start=source.start,
                end=source.end, origin=Origin.MANUAL, source_span_id=source.id,
                source_annotator=owner, adjudicated_by=adjudicator, adjudicated_at=utcnow())
    s.add(copy)
    s.flush()
    _copy_relations(s, source, copy)
    _mark_in_progress(s, source.document_id, gold_id)
    return _value(s, copy)


def accept_span(db: Database, span_id: int, adjudicator: str) -> GoldSpan:
    """Copy an annotator's span into gold, with its provenance, and the relations between
    it and spans already accepted from the same annotator. Idempotent: when gold already
    has an identical span (label, start, end), that span is returned unchanged."""
    adjudicator = _adjudicator(adjudicator)
    with db.sessions.begin() as s:
        return _accept(s, span_id, adjudicator)


def accept_annotator(
    db: Database, document_id: int, annotator: str, adjudicator: str
) -> list[GoldSpan]:
    """Accept every span of ``annotator`` in a document ("accept this side")."""
    adjudicator = _adjudicator(adjudicator)
    with db.sessions.begin() as s:
        ids = s.scalars(select(Span.id).join(Annotator, Annotator.id == Span.annotator_id)
                        .where(Span.document_id == document_id, Annotator.name == annotator)
                        .order_by(Span.id)).all()
        return [_accept(s, span_id, adjudicator) for span_id in ids]


def add_gold_span(
    db: Database, document_id: int, label: str, start: int, end: int, adjudicator: str
) -> GoldSpan:
    """A gold span the adjudicator draws (no source span)."""
    adjudicator = _adjudicator(adjudicator)
    with db.sessions.begin() as s:
        doc = s.execute(select(Document.project_id, Document.length)
                        .where(Document.id == document_id)).first()
        if doc is None:
            raise GoldError(f"no document {document_id}")
        if not 0 <= start < end <= doc.length:
            raise GoldError(f"span [{start}, {end}) is outside the text "
                            f"(0 <= start < end <= {doc.length})")
        gold_id = annotator_id(s, GOLD)
        span = Span(document_id=document_id, document_length=doc.length, annotator_id=gold_id,
                    label_id=_label_id(s, doc.project_id, label), start=start, end=end,
                    origin=Origin.MANUAL, adjudicated_by=adjudicator, adjudicated_at=utcnow())
        s.add(span)
        s.flush()
        _mark_in_progress(s, document_id, gold_id)
        return _value(s, span)


def edit_gold_span(
    db: Database, span_id: int, adjudicator: str, *, label: str | None = None,
    start: int | None = None, end: int | None = None,
) -> GoldSpan:
    """Relabel or move a gold span; it keeps its source and records this adjudication.
    Returns the span as it was (for undo, :func:`restore_gold_span`)."""
    adjudicator = _adjudicator(adjudicator)
    with db.sessions.begin() as s:
        span = _gold_span(s, span_id)
        before = _value(s, span)
        start = span.start if start is None else start
        end = span.end if end is None else end
        if not 0 <= start < end <= span.document_length:
            raise GoldError(f"span [{start}, {end}) is outside the text "
                            f"(0 <= start < end <= {span.document_length})")
        if label is not None:
            project_id = s.scalar(select(Document.project_id)
                                  .where(Document.id == span.document_id))
            assert project_id is not None
            span.label_id = _label_id(s, project_id, label)
        span.start, span.end = start, end
        span.adjudicated_by, span.adjudicated_at = adjudicator, utcnow()
        span.updated_at = utcnow()
        return before


def delete_gold_span(db: Database, span_id: int) -> DeletedGold:
    """Remove a gold span and its relations; returns all of it, for undo."""
    with db.sessions.begin() as s:
        return _delete(s, _gold_span(s, span_id))


def _delete(s: Session, span: Span) -> DeletedGold:
    rels = s.execute(
        select(Relation.id, Relation.from_span_id, Relation.to_span_id, RelationType.name)
        .join(RelationType, RelationType.id == Relation.type_id)
        .where((Relation.from_span_id == span.id) | (Relation.to_span_id == span.id))
        .order_by(Relation.id)
    ).all()
    gone = DeletedGold(_value(s, span), span.document_id, tuple(RelationValue(*r) for r in rels))
    for rel in s.scalars(select(Relation).where(Relation.id.in_([r.id for r in gone.relations]))):
        s.delete(rel)
    s.delete(span)
    return gone


def reject_span(db: Database, span_id: int) -> list[DeletedGold]:
    """Keep an annotator's span out of gold: the gold spans accepted from it go (an
    identical one the adjudicator drew, or took from someone else, stays)."""
    with db.sessions.begin() as s:
        source = s.get(Span, span_id)
        if source is None:
            raise GoldError(f"no span {span_id} (deleted elsewhere?)")
        gold_id = annotator_id(s, GOLD)
        copies = s.scalars(select(Span).where(
            Span.document_id == source.document_id, Span.annotator_id == gold_id,
            Span.source_span_id == span_id)).all()
        return [_delete(s, copy) for copy in copies]


def restore_gold_span(db: Database, old: GoldSpan | DeletedGold) -> GoldSpan:
    """Undo: a deleted gold span back under its id with its provenance and relations, or
    an edited one back as it was."""
    with db.sessions.begin() as s:
        value = old.span if isinstance(old, DeletedGold) else old
        span = s.get(Span, value.id)
        if span is None and not isinstance(old, DeletedGold):
            raise GoldError(f"no span {value.id} (deleted elsewhere?)")
        document_id = old.document_id if span is None else span.document_id
        project_id, length = s.execute(select(Document.project_id, Document.length)
                                       .where(Document.id == document_id)).one()
        label_id = _label_id(s, project_id, value.label)
        if span is None:
            span = Span(id=value.id, document_id=document_id, document_length=length,
                        annotator_id=annotator_id(s, GOLD), label_id=label_id,
                        start=value.start, end=value.end, origin=Origin(value.origin))
            s.add(span)
        span.label_id, span.start, span.end = label_id, value.start, value.end
        span.source_span_id, span.source_annotator = value.source_span_id, value.source_annotator
        span.adjudicated_by, span.adjudicated_at = value.adjudicated_by, value.adjudicated_at
        s.flush()
        if isinstance(old, DeletedGold):
            for rel in old.relations:
                type_id = s.scalar(select(RelationType.id).where(
                    RelationType.project_id == project_id, RelationType.name == rel.type))
                s.add(Relation(id=rel.id, from_span_id=rel.from_span_id,
                               to_span_id=rel.to_span_id, type_id=type_id))
        return _value(s, span)


def gold_spans(db: Database, document_id: int) -> list[GoldSpan]:
    """The gold spans of a document with their provenance, by position."""
    with db.reading() as s:
        gold_id = s.scalar(select(Annotator.id).where(Annotator.name == GOLD))
        spans = s.scalars(select(Span).where(
            Span.document_id == document_id, Span.annotator_id == (gold_id or -1))
            .order_by(Span.start, Span.end.desc(), Span.id)).all()
        return [_value(s, span) for span in spans]
