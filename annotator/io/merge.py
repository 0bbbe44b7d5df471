"""Merging another database (another laptop's file, or a server) into this one.

The other database is only read. A SQLite file is first copied (SQLite's backup API,
opened read-only) to a temporary file, and the copy is opened with ``open_database``,
so a file from an older version is migrated in the copy and one from a newer version is
refused; the file itself is never written. A server URL is opened without migrating.

What comes over, for one project (same name on both sides; created here if missing):

- documents, matched by the SHA-256 of their text; a new text becomes a new document;
- annotators, by name;
- spans, mapped by their document's hash: a span is added unless the same annotator
  already has an identical span there (same label, start, end). Spans here are never
  changed or deleted, so repeating a merge adds nothing. Gold provenance comes along;
  ``source_span_id`` is translated to this database's id of that span;
- relations between spans that are both here after the merge, by type name;
- statuses: the more advanced of the two wins (new < in_progress < done); a status here
  is never lowered;
- labels and relation types the merged spans and relations use and the project here
  lacks are added to its schema (a hotkey already taken here is left off), and reported.

Each document is one transaction: a crash or a cancel leaves whole documents or none.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.db.engine import Database, DatabaseError, open_database, resolve_url, sqlite_path
from annotator.db.models import (
    Annotator,
    Document,
    DocumentStatus,
    Label,
    LabelKind,
    Project,
    Relation,
    RelationType,
    Span,
    Status,
)
from annotator.store.projects import DEFAULT_PROJECT, annotator_id, find_project, load_schema
from annotator.store.schema import Schema

PAGE = 200  # source documents read at once
STATUS_RANK = {Status.NEW: 0, Status.IN_PROGRESS: 1, Status.DONE: 2}


class MergeError(DatabaseError):
    """A merge that cannot start (no such project or file, the same database twice)."""


@dataclass
class MergeReport:
    """What a merge added; ``spans_present`` counts spans that were already here."""

    documents_added: int = 0
    documents_matched: int = 0
    spans_added: int = 0
    spans_present: int = 0
    relations_added: int = 0
    statuses_added: int = 0
    statuses_raised: int = 0
    annotators_added: list[str] = field(default_factory=list)
    labels_added: list[str] = field(default_factory=list)
    relation_types_added: list[str] = field(default_factory=list)
    project_created: bool = False
    source_migrated: bool = False  # the other file was older: its copy was migrated
    cancelled: bool = False

    @property
    def added(self) -> int:
        """Everything added; 0 when the merge changed nothing."""
        return (self.documents_added + self.spans_added + self.relations_added
                + self.statuses_added + self.statuses_raised + len(self.annotators_added)
                + len(self.labels_added) + len(self.relation_types_added))

    def summary(self) -> str:
        parts = [
            f"{self.documents_added} documents added ({self.documents_matched} already here)",
            f"{self.spans_added} spans added ({self.spans_present} already here)",
            f"{self.relations_added} relations",
            f"{self.statuses_added + self.statuses_raised} statuses "
            f"({self.statuses_raised} raised)",
        ]
        if self.project_created:
            parts.append("the project was created here with the other's label schema")
        schema = [] if self.project_created else [
            ("labels", self.labels_added), ("relation types", self.relation_types_added)]
        for what, names in [("annotators", self.annotators_added), *schema]:
            if names:
                parts.append(f"new {what}: {', '.join(names)}")
        return ", ".join(parts) + (" (cancelled)" if self.cancelled else "")


@contextmanager
def open_source(other: str | os.PathLike[str], local: Database) -> Iterator[Database]:
    """The other database, opened so that nothing is ever written to it."""
    url = resolve_url(other)
    path = sqlite_path(url)
    if url == local.url or (path is not None and path == sqlite_path(local.url)):
        raise MergeError(f"{local.location} cannot be merged into itself")
    if path is None:
        source = open_database(other, migrate=False, daily_backup=False)
        try:
            yield source
        finally:
            source.close()
        return
    if not path.is_file():
        raise MergeError(f"no database file {path}")
    with tempfile.TemporaryDirectory(prefix="annotator-merge-") as tmp:
        copy = Path(tmp) / path.name
        try:
            _snapshot(path, copy)
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(f"cannot open database {path}: {exc}") from exc
        source = open_database(copy, daily_backup=False)  # a throwaway copy
        try:
            yield source
        finally:
            source.close()


def _snapshot(path: Path, copy: Path) -> None:
    """Copy a SQLite file consistently, writing nothing to it or beside it.

    Without a ``-wal`` or ``-journal`` beside it nobody is writing it: it is read as
    immutable (no locks, so no ``-shm``/``-wal`` is created, as a read-only connection
    to a WAL file would leave behind), and checked unchanged afterwards. Otherwise it is
    in use, or was not closed cleanly and its ``-wal`` holds committed work that an
    immutable read would miss: it is read read-only through its log.
    """

    def busy() -> bool:
        return any(path.with_name(path.name + end).exists() for end in ("-wal", "-journal"))

    def stamp() -> tuple[int, int]:
        st = path.stat()
        return st.st_size, st.st_mtime_ns

    def backup(query: str) -> None:
        reader = sqlite3.connect(f"{path.as_uri()}?{query}", uri=True)
        try:
            writer = sqlite3.connect(copy)
            with writer:
                reader.backup(writer)
            writer.close()
        finally:
            reader.close()

    if not busy():
        before = stamp()
        backup("immutable=1")
        if not busy() and stamp() == before:
            return
    backup("mode=ro")


def merge_database(
    db: Database,
    other: str | os.PathLike[str],
    project: str = DEFAULT_PROJECT,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> MergeReport:
    """Merge project ``project`` of ``other`` (a SQLite path or a URL) into ``db``; see
    the module docstring for what comes over and what never changes."""
    report = MergeReport()
    with open_source(other, db) as source:
        report.source_migrated = source.backup is not None
        source_pid = find_project(source, project)
        if source_pid is None:
            raise MergeError(f"there is no project {project!r} in {other}")
        pid = _merge_schema(db, project, source, source_pid, report)
        _Merger(db, source, source_pid, pid, report).run(progress, cancel)
    return report


def _used_schema(source: Database, project_id: int) -> tuple[set[str], set[str]]:
    with source.reading() as s:
        labels = set(s.scalars(
            select(Label.name).where(Label.project_id == project_id,
                                     Label.id.in_(select(Span.label_id).distinct()))
        ))
        types = set(s.scalars(
            select(RelationType.name).where(RelationType.project_id == project_id,
                                            RelationType.id.in_(select(Relation.type_id)))
        ))
    return labels, types


def _merge_schema(
    db: Database, name: str, source: Database, source_pid: int, report: MergeReport
) -> int:
    """The project here, created like the source's if missing; labels and relation types
    the source uses and it lacks are added (a new project takes the whole schema)."""
    theirs: Schema = load_schema(source, source_pid)
    used_labels, used_types = _used_schema(source, source_pid)
    with db.sessions.begin() as s:
        pid = s.scalar(select(Project.id).where(Project.name == name))
        if pid is None:
            new_project = Project(name=name)
            s.add(new_project)
            s.flush()
            pid = new_project.id
            report.project_created = True
            used_labels = {lb.name for lb in theirs.labels}
            used_types = {rt.name for rt in theirs.relation_types}
        labels = {lb.name: lb for lb in s.scalars(select(Label).where(Label.project_id == pid))}
        types = {t.name: t for t in
                 s.scalars(select(RelationType).where(RelationType.project_id == pid))}
        keys = {x.hotkey.casefold() for x in [*labels.values(), *types.values()] if x.hotkey}

        def free(key: str | None) -> str | None:
            if key is None or key.casefold() in keys:
                return None
            keys.add(key.casefold())
            return key

        position = max([x.position for x in labels.values()], default=-1)
        for spec in theirs.labels:
            if spec.name in used_labels and spec.name not in labels:
                position += 1
                s.add(Label(project_id=pid, name=spec.name, display_name=spec.display_name,
                            kind=LabelKind(spec.kind), color=spec.color,
                            hotkey=free(spec.hotkey), position=position))
                report.labels_added.append(spec.name)
        position = max([x.position for x in types.values()], default=-1)
        for rt in theirs.relation_types:
            if rt.name in used_types and rt.name not in types:
                position += 1
                s.add(RelationType(project_id=pid, name=rt.name, display_name=rt.display_name,
                                   from_labels=list(rt.from_labels),
                                   to_labels=list(rt.to_labels), hotkey=free(rt.hotkey),
                                   position=position))
                report.relation_types_added.append(rt.name)
        return pid


@dataclass
class _Page:
    """One page of the source: documents with their spans, relations and statuses."""

    documents: list[Any]
    spans: dict[int, list[Any]]
    relations: dict[int, list[Any]]
    statuses: dict[int, list[Any]]


class _Merger:
    def __init__(self, db: Database, source: Database, source_pid: int, pid: int,
                 report: MergeReport) -> None:
        self.db, self.source, self.source_pid, self.pid = db, source, source_pid, pid
        self.report = report
        with db.reading() as s:
            self.labels = dict(s.execute(
                select(Label.name, Label.id).where(Label.project_id == pid)).all())
            self.types = dict(s.execute(
                select(RelationType.name, RelationType.id).where(RelationType.project_id == pid)
            ).all())
            self.known = set(s.scalars(select(Annotator.name)))

    def run(self, progress: Callable[[int, int], None] | None,
            cancel: threading.Event | None) -> None:
        with self.source.reading() as s:
            total = s.scalar(select(func.count()).select_from(Document)
                             .where(Document.project_id == self.source_pid)) or 0
        done = 0
        for page in self._pages():
            for doc in page.documents:
                if cancel is not None and cancel.is_set():
                    self.report.cancelled = True
                    return
                with self.db.sessions.begin() as s:
                    self._document(s, doc, page)
                done += 1
                if progress:
                    progress(done, total)

    def _pages(self) -> Iterator[_Page]:
        last = 0
        while True:
            with self.source.reading() as s:
                docs = s.execute(
                    select(Document.id, Document.name, Document.text, Document.sha256,
                           Document.source_path, Document.meta, Document.imported_at)
                    .where(Document.project_id == self.source_pid, Document.id > last)
                    .order_by(Document.id).limit(PAGE)
                ).all()
                if not docs:
                    return
                ids = [d.id for d in docs]
                spans = s.execute(
                    select(Span.document_id, Span.id, Annotator.name.label("annotator"),
                           Label.name.label("label"), Span.start, Span.end, Span.origin,
                           Span.created_at, Span.updated_at, Span.source_span_id,
                           Span.source_annotator, Span.adjudicated_by, Span.adjudicated_at)
                    .join(Annotator, Annotator.id == Span.annotator_id)
                    .join(Label, Label.id == Span.label_id)
                    .where(Span.document_id.in_(ids)).order_by(Span.id)
                ).all()
                relations = s.execute(
                    select(Span.document_id, Relation.from_span_id, Relation.to_span_id,
                           RelationType.name, Relation.created_at)
                    .join(Span, Span.id == Relation.from_span_id)
                    .join(RelationType, RelationType.id == Relation.type_id)
                    .where(Span.document_id.in_(ids)).order_by(Relation.id)
                ).all()
                statuses = s.execute(
                    select(DocumentStatus.document_id, Annotator.name, DocumentStatus.status,
                           DocumentStatus.updated_at)
                    .join(Annotator, Annotator.id == DocumentStatus.annotator_id)
                    .where(DocumentStatus.document_id.in_(ids))
                ).all()
            page = _Page(list(docs), {}, {}, {})
            for rows, into in ((spans, page.spans), (relations, page.relations),
                               (statuses, page.statuses)):
                for row in rows:  # each row starts with its document's id
                    into.setdefault(row[0], []).append(row)
            yield page
            last = ids[-1]

    def _annotator(self, s: Session, name: str) -> int:
        if name not in self.known:
            self.known.add(name)
            self.report.annotators_added.append(name)
        return annotator_id(s, name)

    def _document(self, s: Session, doc: Any, page: _Page) -> None:
        doc_id = s.scalar(select(Document.id).where(Document.project_id == self.pid,
                                                    Document.sha256 == doc.sha256))
        if doc_id is None:
            new = Document(project_id=self.pid, name=doc.name, text=doc.text,
                           length=len(doc.text), sha256=doc.sha256,
                           source_path=doc.source_path, meta=doc.meta,
                           imported_at=doc.imported_at)
            s.add(new)
            s.flush()
            doc_id = new.id
            self.report.documents_added += 1
        else:
            self.report.documents_matched += 1
        local_of = self._spans(s, doc_id, len(doc.text), page.spans.get(doc.id, []))
        for _doc, src_from, src_to, type_name, created in page.relations.get(doc.id, []):
            a, b = local_of.get(src_from), local_of.get(src_to)
            if a is None or b is None:
                continue
            type_id = self.types[type_name]
            exists = s.scalar(select(Relation.id).where(
                Relation.from_span_id == a, Relation.to_span_id == b, Relation.type_id == type_id))
            if exists is None:
                s.add(Relation(from_span_id=a, to_span_id=b, type_id=type_id, created_at=created))
                self.report.relations_added += 1
        for _doc, who, status, updated in page.statuses.get(doc.id, []):
            ann_id = self._annotator(s, who)
            row = s.get(DocumentStatus, (doc_id, ann_id))
            if row is None:
                s.add(DocumentStatus(document_id=doc_id, annotator_id=ann_id, status=status,
                                     updated_at=updated))
                self.report.statuses_added += 1
            elif STATUS_RANK[Status(status)] > STATUS_RANK[Status(row.status)]:
                row.status, row.updated_at = status, updated
                self.report.statuses_raised += 1
        s.flush()

    def _spans(self, s: Session, doc_id: int, length: int, spans: list[Any]) -> dict[int, int]:
        """Add the spans not here yet; return source span id -> span id here."""
        have = {
            (a, lb, st, en): sid
            for sid, a, lb, st, en in s.execute(
                select(Span.id, Span.annotator_id, Span.label_id, Span.start, Span.end)
                .where(Span.document_id == doc_id).order_by(Span.id)
            )
        }
        local_of: dict[int, int] = {}
        added: list[tuple[Span, int | None]] = []
        for sp in spans:
            key = (self._annotator(s, sp.annotator), self.labels[sp.label], sp.start, sp.end)
            if key in have:
                local_of[sp.id] = have[key]
                self.report.spans_present += 1
                continue
            span = Span(document_id=doc_id, document_length=length, annotator_id=key[0],
                        label_id=key[1], start=sp.start, end=sp.end, origin=sp.origin,
                        created_at=sp.created_at, updated_at=sp.updated_at,
                        source_annotator=sp.source_annotator, adjudicated_by=sp.adjudicated_by,
                        adjudicated_at=sp.adjudicated_at)
            s.add(span)
            s.flush()
            have[key] = local_of[sp.id] = span.id
            added.append((span, sp.source_span_id))
            self.report.spans_added += 1
        for span, source_id in added:  # provenance: the source span's id here, if any
            if source_id is not None:
                span.source_span_id = local_of.get(source_id)
        return local_of
