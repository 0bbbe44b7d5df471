"""Exporting a project, streamed: documents are read in pages, never all at once.

Every format is written from the same stream of records (the native JSONL lines, one per
document and annotator), filtered by annotator, label and status, and optionally split
by document into train/dev/test files. Each file is written under a temporary name and
moved into place at the end, so a cancelled or failed export never leaves half a file.
"""

from __future__ import annotations

import os
import random
import shutil
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from annotator.db.engine import Database
from annotator.db.models import (
    Annotator,
    Document,
    DocumentStatus,
    Label,
    Relation,
    RelationType,
    Span,
    Status,
)
from annotator.io.formats import WriteOptions
from annotator.io.formats.registry import Format, get_format

PAGE = 500
SPLIT_NAMES = {2: ("train", "test"), 3: ("train", "dev", "test")}


@dataclass(frozen=True)
class ExportFilter:
    """Which records go out: some annotators' (all when None), some labels' spans (all
    when None), and only documents each annotator marked done."""

    annotators: tuple[str, ...] | None = None
    labels: tuple[str, ...] | None = None
    done_only: bool = False


@dataclass
class ExportReport:
    documents: int = 0
    lines: int = 0
    spans: int = 0
    cancelled: bool = False
    files: list[Path] = field(default_factory=list)
    parts: dict[str, int] = field(default_factory=dict)  # documents per split part
    warnings: list[str] = field(default_factory=list)  # what a format could not carry


def _pages(db: Database, project_id: int) -> Iterator[list[tuple[Any, ...]]]:
    """Documents of a project in id order, a page at a time (keyset pagination)."""
    last = 0
    while True:
        with db.reading() as s:
            rows = s.connection().execute(
                select(Document.id, Document.name, Document.text, Document.sha256, Document.meta)
                # "+ 0" keeps SQLite off the project index, which would read and sort
                # every document of the project for each page; the id range is the way.
                .where(Document.project_id + 0 == project_id, Document.id > last)
                .order_by(Document.id)
                .limit(PAGE)
            ).all()
        if not rows:
            return
        yield [tuple(r) for r in rows]
        last = rows[-1][0]


def native_records(
    db: Database,
    project_id: int,
    annotators: list[str] | None = None,
    *,
    where: ExportFilter | None = None,
) -> Iterator[dict[str, Any]]:
    """Native JSONL records: one per document and annotator (see formats.native)."""
    where = where or ExportFilter(annotators=tuple(annotators) if annotators else None)
    chosen = list(where.annotators) if where.annotators else None
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
            if chosen:
                stmt = stmt.where(Annotator.name.in_(chosen))
            if where.labels is not None:
                stmt = stmt.where(Label.name.in_(where.labels))
            spans = s.connection().execute(stmt).all()
            rels = s.connection().execute(
                select(Relation.from_span_id, Relation.to_span_id, RelationType.name)
                .join(RelationType, RelationType.id == Relation.type_id)
                .join(Span, Span.id == Relation.from_span_id)
                .where(Span.document_id.in_(ids))
                .order_by(Relation.id)
            ).all()
            statuses = {
                (d, a): str(st)
                for d, a, st in s.connection().execute(
                    select(DocumentStatus.document_id, Annotator.name, DocumentStatus.status)
                    .join(Annotator, Annotator.id == DocumentStatus.annotator_id)
                    .where(DocumentStatus.document_id.in_(ids))
                )
            }
        # One pass builds each span's output dict; ids stay beside them for relations.
        texts = {r[0]: r[2] for r in page}
        by_doc: dict[int, dict[str, tuple[list[int], list[dict[str, Any]]]]] = defaultdict(dict)
        for sid, did, ann, label, start, end in spans:
            ids_out = by_doc[did].get(ann)
            if ids_out is None:
                ids_out = by_doc[did][ann] = ([], [])
            ids_out[0].append(sid)
            ids_out[1].append(
                {"start": start, "end": end, "label": label, "text": texts[did][start:end]}
            )
        for did, ann in statuses:
            if not chosen or ann in chosen:
                by_doc[did].setdefault(ann, ([], []))
        rel_by_from: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for a, b, t in rels:
            rel_by_from[a].append((b, t))
        for did, name, text, sha, meta in page:
            per_ann = by_doc.get(did) or ({} if chosen or where.done_only else {None: ([], [])})
            for ann, (span_ids, out) in sorted(per_ann.items(), key=lambda kv: kv[0] or ""):
                status = statuses.get((did, ann), "new") if ann else None
                if where.done_only and status != Status.DONE:
                    continue
                relations = []
                if rel_by_from:
                    index = {sid: i for i, sid in enumerate(span_ids)}
                    relations = [
                        {"from": index[sid], "to": index[b], "type": t}
                        for sid in span_ids
                        for b, t in rel_by_from.get(sid, ())
                        if b in index
                    ]
                yield {
                    "id": name,
                    "text": text,
                    "sha256": sha,
                    "annotator": ann,
                    "status": status,
                    "spans": out,
                    "relations": relations,
                    "meta": meta or {},
                }


def parse_split(text: str) -> tuple[int, ...]:
    """``"80/10/10"`` -> (80, 10, 10): two or three positive whole numbers."""
    try:
        parts = tuple(int(p) for p in text.split("/"))
    except ValueError:
        parts = ()
    if len(parts) not in SPLIT_NAMES or min(parts) < 0 or sum(parts) <= 0:
        raise ValueError(f"a split is two or three numbers like 80/10/10, not {text!r}")
    return parts


def _eligible(db: Database, project_id: int, where: ExportFilter) -> list[tuple[int, str]]:
    """(id, sha256) of the documents that give at least one record."""
    with db.reading() as s:
        stmt = select(Document.id, Document.sha256).where(Document.project_id == project_id)
        who = select(Annotator.id)
        if where.annotators:
            who = who.where(Annotator.name.in_(where.annotators))
        done = select(DocumentStatus.document_id).where(DocumentStatus.annotator_id.in_(who))
        if where.done_only:
            stmt = stmt.where(Document.id.in_(done.where(DocumentStatus.status == Status.DONE)))
        elif where.annotators:
            spans = select(Span.document_id).where(Span.annotator_id.in_(who))
            stmt = stmt.where(or_(Document.id.in_(done), Document.id.in_(spans)))
        return [(i, sha) for i, sha in s.execute(stmt)]


def assign_parts(
    documents: list[tuple[int, str]], split: tuple[int, ...], seed: int
) -> dict[str, str]:
    """Document SHA-256 -> part name. Reproducible: documents are ordered by the SHA-256 of
    their text (the same in every database holding them), shuffled with ``seed``, and
    cut in the given proportions."""
    order = sorted(documents, key=lambda d: d[1])
    random.Random(seed).shuffle(order)
    names = SPLIT_NAMES[len(split)]
    total, n = sum(split), len(order)
    cuts = [round(n * sum(split[: k + 1]) / total) for k in range(len(split))]
    out: dict[str, str] = {}
    lo = 0
    for name, hi in zip(names, cuts, strict=True):
        out.update((sha, name) for _id, sha in order[lo:hi])
        lo = hi
    return out


def part_path(out: Path, fmt: Format, part: str | None) -> Path:
    """Where one part goes: ``corpus.train.jsonl`` for ``corpus.jsonl``; ``OUT/train`` for
    a folder format."""
    if part is None:
        return out
    if fmt.output == "/":
        return out / part
    return out.with_name(f"{out.stem}.{part}{out.suffix or fmt.output}")


def _discard(tmp: Path) -> None:
    if tmp.is_dir():
        shutil.rmtree(tmp)
    else:
        tmp.unlink(missing_ok=True)


def export(
    db: Database,
    project_id: int,
    out: str | os.PathLike[str],
    *,
    format: str = "jsonl",
    where: ExportFilter | None = None,
    split: tuple[int, ...] | None = None,
    seed: int = 0,
    options: WriteOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ExportReport:
    """Write the project's records in ``format`` to ``out`` (a file, or a folder for
    brat), or to one per part of ``split`` (train/dev/test, by document).

    Every file is written under ``NAME.part`` and moved into place when all are done;
    on cancel or error none is left. ``options.warnings`` (also the report's) lists what
    the format could not carry."""
    fmt = get_format(format)
    where = where or ExportFilter()
    options = options or WriteOptions()
    target = Path(out)
    options.target = target
    report = ExportReport(warnings=options.warnings)
    docs = _eligible(db, project_id, where)
    parts = assign_parts(docs, split, seed) if split else None
    names: list[str | None] = list(SPLIT_NAMES[len(split)]) if split else [None]
    finals = {name: part_path(target, fmt, name) for name in names}
    for final in finals.values():  # a folder is replaced whole: never someone else's
        if final.is_dir() and any(final.iterdir()) and not (final / "annotation.conf").exists():
            raise ValueError(f"{final} exists and is not a brat export; choose a new folder")
    if fmt.output == "/" and split:
        target.mkdir(parents=True, exist_ok=True)
    temps = {name: p.with_name(p.name + ".part") for name, p in finals.items()}
    writers: dict[str | None, Any] = {}
    try:
        for name in names:
            _discard(temps[name])
            writers[name] = fmt.open_writer(temps[name], options)
        report.parts = dict.fromkeys((n for n in names if n), 0)
        last_doc = None
        for rec in native_records(db, project_id, where=where):
            new_doc = rec["sha256"] != last_doc
            if new_doc and cancel is not None and cancel.is_set():
                report.cancelled = True
                break
            part = parts[rec["sha256"]] if parts is not None else None
            writers[part].write(rec)
            report.lines += 1
            report.spans += len(rec["spans"])
            if new_doc:
                last_doc = rec["sha256"]
                report.documents += 1
                if part:
                    report.parts[part] += 1
                if progress and report.documents % 100 == 0:
                    progress(report.documents, len(docs))
        for w in writers.values():
            w.close()
    except BaseException:
        for name, w in writers.items():
            _close_quietly(w)
            _discard(temps[name])
        raise
    if report.cancelled:
        for tmp in temps.values():
            _discard(tmp)
        return report
    for name in names:
        if finals[name].is_dir():  # a folder cannot be replaced in one step
            shutil.rmtree(finals[name])
        os.replace(temps[name], finals[name])
        report.files.append(finals[name])
    if progress:
        progress(report.documents, len(docs))
    return report


def write_warnings(out: str | os.PathLike[str], warnings: list[str]) -> Path:
    """Write all of an export's warnings, one a line, to ``OUT.warnings.txt`` beside
    ``out`` (the file or folder asked for); return that path."""
    target = Path(out)
    log = target.with_name(f"{target.name}.warnings.txt")
    log.write_text("".join(w + "\n" for w in warnings), encoding="utf-8")
    return log


def _close_quietly(writer: Any) -> None:
    try:
        writer.close()
    except Exception:  # already failing; the first error is the one to report
        pass


def export_native(
    db: Database,
    project_id: int,
    out: str | os.PathLike[str],
    *,
    annotators: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ExportReport:
    """Write the native JSONL export to ``out`` (see :func:`export`)."""
    where = ExportFilter(annotators=tuple(annotators) if annotators else None)
    return export(db, project_id, out, where=where, progress=progress, cancel=cancel)
