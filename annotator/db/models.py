"""The database schema as a typed SQLAlchemy 2 ORM.

Portable SQL only: the same models run on SQLite (the embedded default) and PostgreSQL.
Enumerations are stored as short strings with CHECK constraints (no native enum types),
timestamps are timezone-aware UTC, and metadata is JSON.

Span offsets are Python ``str`` indices into ``Document.text``. The database itself
enforces ``0 <= start < end <= len(text)``: each span carries its document's length
through a composite foreign key to ``(document.id, document.length)``, so the CHECK can
see it without triggers.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that goes in and comes out as aware UTC on every database.

    SQLite stores the wall-clock digits and gives them back naive; PostgreSQL's
    ``timestamptz`` gives them back in the session's TimeZone (a server in Baghdad says
    +03:00). Without this, copying rows from such a server into a SQLite file (merge)
    would keep Baghdad's digits and call them UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value  # naive values are UTC already (the app makes no others)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, datetime: UtcDateTime()}


class Origin(enum.StrEnum):
    """Where a span came from."""

    MANUAL = "manual"
    IMPORTED = "imported"
    SUGGESTED = "suggested"


class Status(enum.StrEnum):
    """One annotator's progress on one document."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class LabelKind(enum.StrEnum):
    """What a label tags: an entity, or a larger unit of discourse."""

    ENTITY = "entity"
    CLAIM = "claim"
    QUOTE = "quote"
    BOILERPLATE = "boilerplate"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Project(Base):
    """A corpus with its own label schema."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    labels: Mapped[list[Label]] = relationship(
        back_populates="project", order_by="Label.position", cascade="all, delete-orphan"
    )
    relation_types: Mapped[list[RelationType]] = relationship(
        back_populates="project", order_by="RelationType.position", cascade="all, delete-orphan"
    )


class Label(Base):
    """A span label of a project's schema."""

    __tablename__ = "label"
    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[LabelKind] = mapped_column(_enum(LabelKind, "label_kind"))
    color: Mapped[str] = mapped_column(String(9))
    hotkey: Mapped[str | None] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)

    project: Mapped[Project] = relationship(back_populates="labels")


class RelationType(Base):
    """A relation type of a project's schema, with the labels it may join."""

    __tablename__ = "relation_type"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(128))
    from_labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    to_labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    hotkey: Mapped[str | None] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)

    project: Mapped[Project] = relationship(back_populates="relation_types")


class Document(Base):
    """An article: its canonical text never changes after import."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("project_id", "sha256"),
        UniqueConstraint("id", "length", name="uq_document_id_length"),
        CheckConstraint("length >= 0", name="length_not_negative"),
        Index("ix_document_project_name", "project_id", "name"),
        # Covers the document list's query, so listing never reads the texts (measured:
        # 0.68 s -> 0.37 s for 100,000 articles, see benchmarks/README.md).
        Index("ix_document_list", "project_id", "id", "name", "length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(512))
    text: Mapped[str] = mapped_column(Text)
    length: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    source_path: Mapped[str | None] = mapped_column(String(4096))
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class Annotator(Base):
    """A person (or the gold standard) whose spans are kept apart from others'."""

    __tablename__ = "annotator"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Span(Base):
    """A labelled range ``text[start:end]`` of a document, made by one annotator."""

    __tablename__ = "span"
    __table_args__ = (
        ForeignKeyConstraint(
            ["document_id", "document_length"],
            ["document.id", "document.length"],
            name="fk_span_document",
            ondelete="CASCADE",
        ),
        CheckConstraint("start >= 0", name="start_not_negative"),
        CheckConstraint('"end" > start', name="end_after_start"),
        CheckConstraint('"end" <= document_length', name="end_within_text"),
        Index("ix_span_document_annotator", "document_id", "annotator_id"),
        Index("ix_span_label", "label_id"),
        # Ids are never reused, so undo can put a deleted span back under its old id.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(Integer)
    document_length: Mapped[int] = mapped_column(Integer)
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotator.id", ondelete="RESTRICT"))
    label_id: Mapped[int] = mapped_column(ForeignKey("label.id", ondelete="RESTRICT"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    origin: Mapped[Origin] = mapped_column(_enum(Origin, "span_origin"), default=Origin.MANUAL)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Provenance of a gold span (annotator.store.gold), NULL on everyone else's: the span it
    # was accepted from (NULL when the adjudicator drew it), whose span that was, who
    # adjudicated it and when. Plain values, not foreign keys: a record of what happened
    # that outlives the source span (span ids are never reused, so an id never names
    # another span), and that a merge carries over by name. Migration 0002 says why
    # foreign keys were also a hazard on SQLite.
    source_span_id: Mapped[int | None] = mapped_column(Integer)
    source_annotator: Mapped[str | None] = mapped_column(String(128))
    adjudicated_by: Mapped[str | None] = mapped_column(String(128))
    adjudicated_at: Mapped[datetime | None] = mapped_column()


class Relation(Base):
    """A typed, directed link between two spans of the same document and annotator."""

    __tablename__ = "relation"
    __table_args__ = (
        UniqueConstraint("from_span_id", "to_span_id", "type_id"),
        CheckConstraint("from_span_id <> to_span_id", name="not_self"),
        Index("ix_relation_to_span", "to_span_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_span_id: Mapped[int] = mapped_column(ForeignKey("span.id", ondelete="CASCADE"))
    to_span_id: Mapped[int] = mapped_column(ForeignKey("span.id", ondelete="CASCADE"))
    type_id: Mapped[int] = mapped_column(ForeignKey("relation_type.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DocumentStatus(Base):
    """An annotator's status on a document; no row means ``new``."""

    __tablename__ = "document_status"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    annotator_id: Mapped[int] = mapped_column(
        ForeignKey("annotator.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[Status] = mapped_column(_enum(Status, "document_status"), default=Status.NEW)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
