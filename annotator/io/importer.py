"""Importing corpora: ``.txt`` files, folders of them, and JSONL; or, with ``format``,
any format of :mod:`annotator.io.formats.registry` (doccano, Label Studio, CoNLL, brat,
spaCy, Hugging Face, NewsFANE, ...).

Documents are written in batches, each batch one transaction, so a crash or a cancel
leaves whole documents or none. A file that fails (undecodable, bad JSON line) is
reported with its name and line and stores nothing; the other files still import.
Importing a text that is already in the project is a no-op, reported as a duplicate.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select, tuple_

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
)
from annotator.io.formats import Candidate, FormatError, ReadOptions
from annotator.io.formats.native import read_jsonl
from annotator.io.formats.plaintext import Skip, read_text_file
from annotator.io.formats.registry import Format, get_format
from annotator.store.projects import DEFAULT_PROJECT, annotator_id, ensure_project, load_schema
from annotator.store.schema import Schema

TEXT_SUFFIXES = {".txt"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    """What an import did. ``failed`` holds ``(place, reason)``; place names file/line."""

    imported: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (source, existing name)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    spans: int = 0
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed and not self.cancelled

    def summary(self) -> str:
        parts = [
            f"{len(self.imported)} imported",
            f"{len(self.duplicates)} duplicates",
            f"{len(self.skipped)} skipped",
            f"{len(self.failed)} failed",
        ]
        if self.spans:
            parts.insert(1, f"{self.spans} spans")
        text = ", ".join(parts)
        return text + (" (cancelled)" if self.cancelled else "")


@dataclass(frozen=True)
class _Source:
    path: Path
    name: str  # document name for a .txt file (and a brat .ann)
    kind: str  # "txt" or "jsonl", or a format's name
    size: int


def _files_below(
    root: Path, suffixes: set[str] = TEXT_SUFFIXES | JSONL_SUFFIXES
) -> list[tuple[tuple[str, ...], str, str, int]]:
    """Importable files below ``root`` as (relative parts, stem, path, size), in the order
    of ``sorted(root.rglob("*"))``; like rglob, it does not enter linked folders."""
    found: list[tuple[tuple[str, ...], str, str, int]] = []

    def walk(folder: str, rel: tuple[str, ...]) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir() and not entry.is_symlink():
                    walk(entry.path, rel + (entry.name,))
                    continue
                dot = entry.name.rfind(".")  # the suffix as Path.suffix takes it
                stem, suffix = (entry.name[:dot], entry.name[dot:]) if dot > 0 else ("", "")
                if suffix.lower() in suffixes and entry.is_file():
                    found.append((rel + (entry.name,), stem, entry.path, entry.stat().st_size))

    walk(os.fspath(root), ())
    found.sort(key=lambda item: item[0])
    return found


def _sources(
    paths: Iterable[str | os.PathLike[str]], report: ImportReport, fmt: Format | None = None
) -> list[_Source]:
    found: list[_Source] = []

    def add(path: Path, name: str) -> None:
        suffix = path.suffix.lower()
        kind = fmt.name if fmt else "jsonl" if suffix in JSONL_SUFFIXES else "txt"
        found.append(_Source(path, name, kind, path.stat().st_size))

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            suffixes = set(fmt.suffixes) if fmt else TEXT_SUFFIXES | JSONL_SUFFIXES
            for parts, stem, file, size in _files_below(path, suffixes):
                if fmt:
                    kind = fmt.name
                else:
                    suffix = parts[-1][len(stem) :].lower()
                    kind = "jsonl" if suffix in JSONL_SUFFIXES else "txt"
                found.append(_Source(Path(file), "/".join(parts[:-1] + (stem,)), kind, size))
        elif path.is_file():
            add(path, path.stem)
        else:
            report.failed.append((str(path), "no such file or folder"))
    return found


# What the columns hold. PostgreSQL refuses a longer value (and the whole batch with it);
# SQLite would store it. Checked here, so both refuse the file, naming its line.
NAME_MAX = Document.__table__.c.name.type.length
ANNOTATOR_MAX = Annotator.__table__.c.name.type.length


def _check_schema(items: list[Candidate | tuple[int, str]], schema: Schema) -> None:
    """Labels and relation types the project has, names that fit their columns."""
    labels, rtypes = set(schema.label_names), {r.name for r in schema.relation_types}
    for c in items:
        if isinstance(c, tuple):
            continue
        if len(c.name) > NAME_MAX:
            raise FormatError(f"the document id has {len(c.name)} characters; at most "
                              f"{NAME_MAX} fit", c.line)
        names = {sp.annotator for sp in c.spans} | ({c.status[0]} if c.status else set())
        for who in names:
            if len(who.strip()) > ANNOTATOR_MAX:
                raise FormatError(f"an annotator name has {len(who.strip())} characters; "
                                  f"at most {ANNOTATOR_MAX} fit", c.line)
        for sp in c.spans:
            if sp.label not in labels:
                raise FormatError(
                    f"unknown label {sp.label!r}; the project has {', '.join(sorted(labels))}",
                    c.line,
                )
        for rel in c.relations:
            if rel.type not in rtypes:
                raise FormatError(f"unknown relation type {rel.type!r}", c.line)


def _read(
    source: _Source, options: ReadOptions, schema: Schema, report: ImportReport
) -> Iterator[Candidate]:
    where = str(source.path)
    try:
        if source.kind == "txt":
            yield read_text_file(source.path, source.name, options.encoding)
            return
        if source.kind == "jsonl":
            items = list(read_jsonl(source.path, options.annotator))
        else:
            items = get_format(source.kind).read(source.path, options)
            if source.kind == "brat":  # one document a file: named like a .txt file
                for item in items:
                    if isinstance(item, Candidate):
                        item.name = source.name
        _check_schema(items, schema)
    except Skip as exc:
        report.skipped.append((where, str(exc)))
        return
    except FormatError as exc:
        report.failed.append((f"{where}, line {exc.line}" if exc.line else where, str(exc)))
        return
    except OSError as exc:
        report.failed.append((where, exc.strerror or str(exc)))
        return
    except ImportError as exc:  # an optional package a format needs (spaCy)
        report.failed.append((where, f"needs the {exc.name} package: pip install {exc.name}"))
        return
    if not items:
        report.skipped.append((where, "no documents in it (an empty file?)"))
        return
    for item in items:
        if isinstance(item, tuple):
            report.skipped.append((f"{where}, line {item[0]}", item[1]))
        else:
            yield item


def import_paths(
    db: Database,
    paths: Iterable[str | os.PathLike[str]],
    *,
    project: str = DEFAULT_PROJECT,
    encoding: str = "utf-8",
    annotator: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    batch_size: int = 500,
    format: str | None = None,
    doc_sentences: int = 50,
    offsets: str | None = None,
) -> ImportReport:
    """Import files and folders into ``project``; see the module docstring.

    Without ``format``, ``.txt`` and JSONL files are told apart by suffix; with one,
    every file given is read in that format, and a folder gives the files with that
    format's suffixes. ``annotator`` owns every span read (required where the format
    names none); ``doc_sentences`` sizes the documents of CoNLL-like files; ``offsets``
    ("codepoints" or "utf16") overrides the format's unit. ``progress(done_bytes,
    total_bytes)`` is called as files are read; setting ``cancel`` stops after the batch
    in hand (what is stored stays whole).
    """
    report = ImportReport()
    fmt = get_format(format) if format else None
    options = ReadOptions(annotator=annotator, doc_sentences=doc_sentences, offsets=offsets,
                          encoding=encoding)
    project_id = ensure_project(db, project)
    schema = load_schema(db, project_id)
    sources = _sources(paths, report, fmt)
    total = sum(s.size for s in sources)
    done = 0
    batch: list[Candidate] = []
    writer = _Writer(db, project_id, report)
    for source in sources:
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            break
        batch.extend(_read(source, options, schema, report))
        if len(batch) >= batch_size:
            writer.write(batch)
            batch = []
        done += source.size
        if progress:
            progress(done, total)
    if batch and not report.cancelled:
        writer.write(batch)
    return report


class _Writer:
    """Writes batches of candidates, one transaction each."""

    def __init__(self, db: Database, project_id: int, report: ImportReport) -> None:
        self.db = db
        self.project_id = project_id
        self.report = report

    def write(self, batch: list[Candidate]) -> None:
        pid = self.project_id
        with self.db.sessions.begin() as s:
            hashes = list({c.sha256 for c in batch})
            existing: dict[str, tuple[int, str]] = {}
            for i in range(0, len(hashes), 900):
                rows = s.execute(
                    select(Document.sha256, Document.id, Document.name).where(
                        Document.project_id == pid, Document.sha256.in_(hashes[i : i + 900])
                    )
                )
                existing.update({sha: (did, name) for sha, did, name in rows})
            new_rows: list[dict[str, object]] = []
            fresh: dict[str, str] = {}
            for c in batch:
                place = f"{c.source_path}, line {c.line}" if c.line else str(c.source_path)
                if c.sha256 in existing:
                    self.report.duplicates.append((place, existing[c.sha256][1]))
                elif c.sha256 in fresh:
                    self.report.duplicates.append((place, fresh[c.sha256]))
                else:
                    fresh[c.sha256] = c.name
                    new_rows.append(
                        {
                            "project_id": pid,
                            "name": c.name,
                            "text": c.text,
                            "length": len(c.text),
                            "sha256": c.sha256,
                            "source_path": c.source_path,
                            "meta": c.meta,
                        }
                    )
            if new_rows:
                s.execute(insert(Document), new_rows)
            with_spans = [c for c in batch if c.spans]
            if with_spans:
                self._write_spans(s, with_spans)
            with_status = [c for c in batch if c.status]
            if with_status:
                self._write_statuses(s, with_status)
            self.report.imported.extend(str(r["name"]) for r in new_rows)

    def _write_statuses(self, s, batch: list[Candidate]) -> None:  # type: ignore[no-untyped-def]
        """An annotator's status from the file, where the project has none yet."""
        doc_ids = dict(
            s.execute(
                select(Document.sha256, Document.id).where(
                    Document.project_id == self.project_id,
                    Document.sha256.in_({c.sha256 for c in batch}),
                )
            ).all()
        )
        have = set(
            s.execute(
                select(DocumentStatus.document_id, DocumentStatus.annotator_id).where(
                    DocumentStatus.document_id.in_(set(doc_ids.values()))
                )
            ).all()
        )
        rows = []
        for c in batch:
            assert c.status is not None
            who, status = c.status
            key = (doc_ids[c.sha256], annotator_id(s, who))
            if key not in have:
                have.add(key)
                rows.append({"document_id": key[0], "annotator_id": key[1],
                             "status": Status(status)})
        if rows:
            s.execute(insert(DocumentStatus), rows)

    def _write_spans(self, s, batch: list[Candidate]) -> None:  # type: ignore[no-untyped-def]
        pid = self.project_id
        labels = dict(s.execute(select(Label.name, Label.id).where(Label.project_id == pid)).all())
        rtypes = dict(
            s.execute(
                select(RelationType.name, RelationType.id).where(RelationType.project_id == pid)
            ).all()
        )
        doc_ids = dict(
            s.execute(
                select(Document.sha256, Document.id).where(
                    Document.project_id == pid,
                    Document.sha256.in_({c.sha256 for c in batch}),
                )
            ).all()
        )
        annotators: dict[str, int] = {}
        for c in batch:
            for name in {sp.annotator for sp in c.spans}:
                if name not in annotators:
                    annotators[name] = annotator_id(s, name)
        have = {  # the spans these documents hold already: one query for the batch
            (d, a, lb, st, en): sid
            for sid, d, a, lb, st, en in s.execute(
                select(Span.id, Span.document_id, Span.annotator_id, Span.label_id, Span.start,
                       Span.end).where(Span.document_id.in_(set(doc_ids.values())))
            )
        }
        rows, keys = [], []
        for c in batch:
            doc_id = doc_ids[c.sha256]
            for sp in c.spans:
                key = (doc_id, annotators[sp.annotator], labels[sp.label], sp.start, sp.end)
                if key not in have:
                    have[key] = -1
                    keys.append(key)
                    rows.append({"document_id": doc_id, "document_length": len(c.text),
                                 "annotator_id": key[1], "label_id": key[2], "start": sp.start,
                                 "end": sp.end, "origin": Origin.IMPORTED})
        if rows:  # one executemany, ids back in row order (for relations)
            new_ids = s.scalars(
                insert(Span).returning(Span.id, sort_by_parameter_order=True), rows
            ).all()
            have.update(zip(keys, new_ids, strict=True))
            self.report.spans += len(rows)
        for c in batch:
            doc_id = doc_ids[c.sha256]
            ids = [have[(doc_id, annotators[sp.annotator], labels[sp.label], sp.start, sp.end)]
                   for sp in c.spans]
            pairs = {(ids[r.from_index], ids[r.to_index], rtypes[r.type]) for r in c.relations}
            if pairs:
                rel_key = tuple_(Relation.from_span_id, Relation.to_span_id, Relation.type_id)
                known = set(
                    s.execute(
                        select(Relation.from_span_id, Relation.to_span_id, Relation.type_id).where(
                            rel_key.in_(list(pairs))
                        )
                    )
                )
                rows = [
                    {"from_span_id": a, "to_span_id": b, "type_id": t}
                    for a, b, t in sorted(pairs - known)
                ]
                if rows:
                    s.execute(insert(Relation), rows)
