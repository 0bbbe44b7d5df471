"""Exporting a project, streamed: documents are read in pages, never all at once."""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from annotator.db.engine import Database
from annotator.db.models import (
    Annotator,
    Document,
    DocumentStatus,
    Label,
    Relation,
    RelationType,
    Span,
)
from annotator.formats.native import write_line

PAGE = 500


@dataclass
class ExportReport:
    documents: int = 0
    lines: int = 0
    spans: int = 0
    cancelled: bool = False


def _pages(db: Database, project_id: int) -> Iterator[list[tuple[Any, ...]]]:
    """Documents of a project in id order, a page at a time (keyset pagination)."""
    last = 0
    while True:
        with db.reading() as s:
            rows = s.execute(
                select(Document.id, Document.name, Document.text, Document.sha256, Document.meta)
                .where(Document.project_id == project_id, Document.id > last)
                .order_by(Document.id)
                .limit(PAGE)
            ).all()
        if not rows:
            return
        yield [tuple(r) for r in rows]
        last = rows[-1][0]


def native_records(
    db: Database, project_id: int, annotators: list[str] | None = None
) -> Iterator[dict[str, Any]]:
    """Native JSONL records: one per document and annotator (see formats.native)."""
    for page in _pages(db, project_id):
        ids = [r[0] for r in page]
        with db.reading() as s:
            stmt = (
                select(Span.id, Span.document_id, Annotator.name, Label.name, Span.start, Span.end)
                .join(Annotator, Annotator.id == Span.annotator_id)
                .join(Label, Label.id == Span.label_id)
                .where(Span.document_id.in_(ids))
                .order_by(Span.document_id, Annotator.name, Span.start, Span.end, Span.id)
            )
            if annotators:
                stmt = stmt.where(Annotator.name.in_(annotators))
            spans = s.execute(stmt).all()
            rels = s.execute(
                select(Relation.from_span_id, Relation.to_span_id, RelationType.name)
                .join(RelationType, RelationType.id == Relation.type_id)
                .join(Span, Span.id == Relation.from_span_id)
                .where(Span.document_id.in_(ids))
                .order_by(Relation.id)
            ).all()
            statuses = {
                (d, a): str(st)
                for d, a, st in s.execute(
                    select(DocumentStatus.document_id, Annotator.name, DocumentStatus.status)
                    .join(Annotator, Annotator.id == DocumentStatus.annotator_id)
                    .where(DocumentStatus.document_id.in_(ids))
                )
            }
        by_doc: dict[int, dict[str, list[tuple[Any, ...]]]] = defaultdict(dict)
        for sid, did, ann, label, start, end in spans:
            by_doc[did].setdefault(ann, []).append((sid, label, start, end))
        for did, ann in statuses:
            if not annotators or ann in annotators:
                by_doc[did].setdefault(ann, [])
        rel_by_from: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for a, b, t in rels:
            rel_by_from[a].append((b, t))
        for did, name, text, sha, meta in page:
            per_ann = by_doc.get(did) or ({} if annotators else {None: []})
            for ann, items in sorted(per_ann.items(), key=lambda kv: kv[0] or ""):
                index = {sid: i for i, (sid, *_rest) in enumerate(items)}
                relations = [
                    {"from": index[sid], "to": index[b], "type": t}
                    for sid, *_rest in items
                    for b, t in rel_by_from.get(sid, ())
                    if b in index
                ]
                yield {
                    "id": name,
                    "text": text,
                    "sha256": sha,
                    "annotator": ann,
                    "status": statuses.get((did, ann), "new") if ann else None,
                    "spans": [
                        {"start": st, "end": en, "label": lb, "text": text[st:en]}
                        for _sid, lb, st, en in items
                    ],
                    "relations": relations,
                    "meta": meta or {},
                }


def export_native(
    db: Database,
    project_id: int,
    out: str | os.PathLike[str],
    *,
    annotators: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ExportReport:
    """Write the native JSONL export to ``out`` (written to a temporary file, then moved
    into place, so a cancelled or failed export never leaves half a file)."""
    report = ExportReport()
    with db.reading() as s:
        total = s.scalar(
            select(func.count()).select_from(Document).where(Document.project_id == project_id)
        ) or 0
    target = Path(out)
    tmp = target.with_name(target.name + ".part")
    last_doc = None
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        for rec in native_records(db, project_id, annotators):
            new_doc = rec["sha256"] != last_doc
            if new_doc and cancel is not None and cancel.is_set():
                report.cancelled = True
                break
            write_line(fh, rec)
            report.lines += 1
            report.spans += len(rec["spans"])
            if new_doc:
                last_doc = rec["sha256"]
                report.documents += 1
                if progress and report.documents % 100 == 0:
                    progress(report.documents, total)
    if report.cancelled:
        tmp.unlink()
    else:
        os.replace(tmp, target)
        if progress:
            progress(report.documents, total)
    return report
