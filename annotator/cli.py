"""The command line: ``annotator [--db PATH_OR_URL] import | export | stats | show |
agreement | merge | backup | restore``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from annotator import __version__
from annotator.db.engine import ENV_VAR, Database, DatabaseError, open_database
from annotator.projects import DEFAULT_PROJECT, load_schema, open_project


def progress_bar(label: str, stream=None) -> Callable[[int, int], None]:  # type: ignore[no-untyped-def]
    """A one-line progress bar on stderr when it is a terminal; silent otherwise."""
    stream = stream or sys.stderr
    if not stream.isatty():
        return lambda done, total: None
    started = time.monotonic()
    last = [0.0]

    def update(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.1 and done < total:
            return
        last[0] = now
        frac = done / total if total else 1.0
        filled = int(30 * frac)
        rate = done / max(now - started, 1e-6)
        eta = (total - done) / rate if rate and done < total else 0
        stream.write(
            f"\r{label} [{'#' * filled}{'.' * (30 - filled)}] {frac:6.1%}  eta {eta:4.0f}s "
        )
        if done >= total:
            stream.write("\n")
        stream.flush()

    return update


def _open(args: argparse.Namespace) -> Database:
    db = open_database(args.db)
    if db.backup:
        print(f"migrated the database; backup of the old one: {db.backup}", file=sys.stderr)
    return db


def cmd_import(args: argparse.Namespace) -> int:
    from annotator.importer import import_paths

    db = _open(args)
    report = import_paths(
        db,
        args.paths,
        project=args.project,
        encoding=args.encoding,
        annotator=args.annotator,
        progress=progress_bar("importing"),
        format=args.format,
        doc_sentences=args.doc_sentences,
        offsets=args.offsets,
    )
    for place, existing in report.duplicates:
        print(f"duplicate: {place} (same text as {existing!r})", file=sys.stderr)
    for place, reason in report.skipped:
        print(f"skipped: {place}: {reason}", file=sys.stderr)
    for place, reason in report.failed:
        print(f"FAILED: {place}: {reason}", file=sys.stderr)
    print(f"{report.summary()} -> {db.location}")
    return 0 if report.ok else 1


SHOWN_WARNINGS = 20


def cmd_export(args: argparse.Namespace) -> int:
    from annotator.export import GOLD, ExportFilter, export, parse_split, write_warnings
    from annotator.formats import WriteOptions

    try:
        split = parse_split(args.split) if args.split else None
    except ValueError as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return 2
    db = _open(args)
    project_id = open_project(db, args.project)
    schema = load_schema(db, project_id)
    annotators = list(args.annotator or []) + ([GOLD] if args.gold else [])
    labels = [x for item in args.labels or [] for x in item.split(",") if x]
    unknown = sorted(set(labels) - set(schema.label_names))
    if unknown:
        print(f"annotator: unknown label(s) {', '.join(unknown)}; the project has "
              f"{', '.join(schema.label_names)}", file=sys.stderr)
        return 2
    order = tuple(labels) + tuple(n for n in schema.label_names if n not in labels)
    options = WriteOptions(labels=tuple(schema.label_names), priority=order,
                           overlap=args.overlap, misaligned=args.misaligned,
                           offsets=args.offsets)
    try:
        report = export(
            db, project_id, args.output, format=args.format,
            where=ExportFilter(tuple(annotators) or None, tuple(labels) or None, args.done_only),
            split=split, seed=args.seed, options=options, progress=progress_bar("exporting"),
        )
    except ImportError as exc:
        print(f"annotator: the {args.format} format needs the {exc.name} package "
              f"(pip install {exc.name})", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return 2
    if report.warnings:
        log = write_warnings(args.output, report.warnings)
        for w in report.warnings[:SHOWN_WARNINGS]:
            print(f"warning: {w}", file=sys.stderr)
        more = len(report.warnings) - SHOWN_WARNINGS
        print(f"{len(report.warnings)} warnings{f' ({more} more not shown)' if more > 0 else ''}"
              f", all in {log}", file=sys.stderr)
    parts = ", ".join(f"{k} {v}" for k, v in report.parts.items())
    print(
        f"{report.documents} documents{f' ({parts})' if parts else ''}, {report.lines} lines, "
        f"{report.spans} spans -> {', '.join(str(f) for f in report.files)}"
    )
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from annotator.stats import format_table, project_stats

    db = _open(args)
    project_id = open_project(db, args.project)
    stats = project_stats(db, project_id)
    if args.json:
        print(json.dumps(stats.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_table(stats, load_schema(db, project_id).label_names))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from annotator.documents import document_spans, find_document
    from annotator.terminal import render, terminal_width, wants_visual

    db = _open(args)
    project_id = open_project(db, args.project)
    doc = find_document(db, project_id, args.document)
    if doc is None:
        print(f"annotator: no document {args.document!r} in {db.location}", file=sys.stderr)
        return 1
    spans = document_spans(db, doc.id, args.annotator)
    visual = wants_visual(sys.stdout, args.bidi)
    width = args.width or terminal_width()
    print(f"# {doc.name}  ({len(doc.text)} characters, {len(spans)} spans, sha256 "
          f"{doc.sha256[:12]})")
    for line in render(doc.text, spans, width=width, visual=visual):
        print(line)
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    from annotator.agreement import AgreementError, agreement_report
    from annotator.agreement.table import format_report
    from annotator.terminal import to_visual, wants_visual

    db = _open(args)
    project_id = open_project(db, args.project)
    labels = [x for item in args.labels or [] for x in item.split(",") if x]
    try:
        report = agreement_report(db, project_id, args.annotators, labels or None)
    except AgreementError as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.as_dict(args.per_document), ensure_ascii=False, indent=2))
    else:
        name = to_visual if wants_visual(sys.stdout) else str
        print(format_report(report, args.per_document, name=name))
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from annotator.merge import merge_database

    db = _open(args)
    project = args.merge_project or args.project
    report = merge_database(db, args.other, project, progress=progress_bar("merging"))
    if report.source_migrated:
        print(f"{args.other} is from an older version: a migrated copy was read; the file "
              "is unchanged", file=sys.stderr)
    if (report.labels_added or report.relation_types_added) and not report.project_created:
        added = report.labels_added + report.relation_types_added
        print(f"added to the schema of {project!r}: {', '.join(added)}", file=sys.stderr)
    print(f"{report.summary()} -> {db.location}")
    return 0


def _sqlite_file(args: argparse.Namespace) -> Path:
    from annotator.db.engine import resolve_url, sqlite_path

    url = resolve_url(args.db)
    path = sqlite_path(url)
    if path is None:
        raise DatabaseError(f"{url.render_as_string(hide_password=True)} is not a SQLite "
                            "file; back up a server database with its own tools (pg_dump)")
    return path


def cmd_backup(args: argparse.Namespace) -> int:
    from annotator.backups import BackupError, copy_database, take_backup

    path = _sqlite_file(args)
    if not path.is_file():
        print(f"annotator: no database file {path}", file=sys.stderr)
        return 1
    try:
        if args.to:
            target = Path(args.to)
            if target.exists():
                print(f"annotator: {target} exists; give a new file name", file=sys.stderr)
                return 1
            copy_database(path, target)
        else:
            target = take_backup(path, "manual")
    except BackupError as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return 1
    print(f"backed up {path} -> {target}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from annotator.backups import BackupError, restore
    from annotator.db import migrations

    path = _sqlite_file(args)
    try:
        done = restore(Path(args.backup), path, force=args.force, known=migrations.is_known)
    except BackupError as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return 1
    if done.previous:
        print(f"the database as it was is kept in {done.previous}", file=sys.stderr)
    print(f"restored {args.backup} -> {path} (schema {done.revision})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="annotator",
        description="Label Arabic news text: import, export, statistics, viewing.",
    )
    p.add_argument("--version", action="version", version=f"annotator {__version__}")
    p.add_argument(
        "--db",
        help=f"SQLite file or SQLAlchemy URL (default: ${ENV_VAR}, else a file in the user "
        "data directory)",
    )
    p.add_argument("--project", default=DEFAULT_PROJECT, help="project name (default: %(default)s)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    from annotator.formats import OFFSET_UNITS
    from annotator.formats.bio import MISALIGNED_POLICIES, OVERLAP_POLICIES
    from annotator.formats.registry import FORMATS

    imp = sub.add_parser("import", help="import .txt files, folders of them, JSONL, or a "
                         "format: " + ", ".join(n for n, f in FORMATS.items() if f.reader))
    imp.add_argument("paths", nargs="+", metavar="PATH")
    imp.add_argument("--format", choices=[n for n, f in FORMATS.items() if f.reader],
                     help="read every file in this format (default: .txt and native JSONL "
                     "by suffix)")
    imp.add_argument("--encoding", default="utf-8",
                     help="codec of .txt files, e.g. cp1256 (default: utf-8, BOM stripped)")
    imp.add_argument("--annotator", help="owner of the spans read (needed where the file "
                     "names none; overrides the file's)")
    imp.add_argument("--doc-sentences", type=int, default=50, metavar="N",
                     help="conll/newsfane: sentences per document (default: %(default)s)")
    imp.add_argument("--offsets", choices=OFFSET_UNITS,
                     help="unit of character offsets (default: the format's: utf16 for "
                     "doccano, code points for the others)")
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help="export documents and spans")
    exp.add_argument("--format", choices=[n for n, f in FORMATS.items() if f.writer],
                     default="jsonl")
    exp.add_argument("-o", "--output", required=True, metavar="OUT",
                     help="a file (a folder for brat)")
    exp.add_argument("--annotator", action="append", metavar="NAME",
                     help="only this annotator's work (repeatable)")
    exp.add_argument("--gold", action="store_true",
                     help=f"the gold standard: for now the annotator named {'gold'!r}")
    exp.add_argument("--labels", action="append", metavar="L1,L2",
                     help="only spans with these labels")
    exp.add_argument("--done-only", action="store_true",
                     help="only documents an annotator marked done (that annotator's work)")
    exp.add_argument("--split", metavar="80/10/10",
                     help="write train/dev/test files, split by document")
    exp.add_argument("--seed", type=int, default=0, help="seed of the split (default: 0)")
    exp.add_argument("--overlap", choices=OVERLAP_POLICIES, default="longest",
                     help="conll/hf (and spaCy's doc.ents): which of overlapping spans stay "
                     "(label-order: the order of --labels, then the schema's)")
    exp.add_argument("--misaligned", choices=MISALIGNED_POLICIES, default="split",
                     help="conll/hf: a span edge inside a token splits it, or skips the span")
    exp.add_argument("--offsets", choices=OFFSET_UNITS,
                     help="doccano/labelstudio: unit of offsets (default: utf16 for doccano, "
                     "code points for Label Studio)")
    exp.set_defaults(func=cmd_export)

    st = sub.add_parser("stats", help="documents, and spans per label per annotator")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_stats)

    sh = sub.add_parser("show", help="print a document with its spans")
    sh.add_argument("document", metavar="DOC", help="document id, name or SHA-256 prefix")
    sh.add_argument("--annotator", help="only this annotator's spans")
    mode = sh.add_mutually_exclusive_group()
    mode.add_argument("--visual", dest="bidi", action="store_const", const="visual",
                      help="shape and reorder Arabic for terminals without bidi support")
    mode.add_argument("--logical", dest="bidi", action="store_const", const="logical",
                      help="print text in logical order, unchanged")
    sh.add_argument("--width", type=int, help="line width (default: the terminal's)")
    sh.set_defaults(func=cmd_show, bidi="auto")

    ag = sub.add_parser("agreement", help="agreement between annotators: span P/R/F1, "
                        "Cohen's and Fleiss' kappa, Krippendorff's alpha, worst documents")
    ag.add_argument("--annotators", nargs="+", metavar="NAME",
                    help="who to compare (default: everyone with work in the project but "
                    "gold); only documents they all touched count")
    ag.add_argument("--labels", nargs="+", metavar="L",
                    help="only spans with these labels (space or comma separated)")
    ag.add_argument("--json", action="store_true")
    ag.add_argument("--per-document", type=int, default=10, metavar="N",
                    help="list the N documents with the most disagreement (default: "
                    "%(default)s)")
    ag.set_defaults(func=cmd_agreement)

    mg = sub.add_parser("merge", help="merge another database (a SQLite file or a URL) "
                        "into this one; nothing here is changed or deleted")
    mg.add_argument("other", metavar="OTHER", help="SQLite file or SQLAlchemy URL")
    mg.add_argument("--project", dest="merge_project", metavar="NAME",
                    help="the project to merge (default: the global --project)")
    mg.set_defaults(func=cmd_merge)

    bk = sub.add_parser("backup", help="copy the SQLite database (consistently, even while "
                        "in use) into the backups/ folder beside it, or to --to")
    bk.add_argument("--to", metavar="PATH", help="write the copy here instead (a new file)")
    bk.set_defaults(func=cmd_backup)

    rs = sub.add_parser("restore", help="replace the database with a backup; the current "
                        "one is backed up first")
    rs.add_argument("backup", metavar="BACKUP", help="a backup file (see backups/ beside "
                    "the database)")
    rs.add_argument("--force", action="store_true",
                    help="restore even while another program has the database open")
    rs.set_defaults(func=cmd_restore)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except DatabaseError as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
