"""``annotator import``, ``export`` and ``merge``: moving documents and spans in and out."""

from __future__ import annotations

import argparse
import sys

from annotator.commands.common import open_db, progress_bar
from annotator.store.projects import GOLD, load_schema, open_project

SHOWN_WARNINGS = 20


def cmd_import(args: argparse.Namespace) -> int:
    from annotator.io.importer import import_paths

    db = open_db(args)
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


def cmd_export(args: argparse.Namespace) -> int:
    from annotator.io.export import ExportFilter, export, parse_split, write_warnings
    from annotator.io.formats import WriteOptions

    try:
        split = parse_split(args.split) if args.split else None
    except ValueError as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return 2
    db = open_db(args)
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


def cmd_merge(args: argparse.Namespace) -> int:
    from annotator.io.merge import merge_database

    db = open_db(args)
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


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from annotator.io.formats import OFFSET_UNITS
    from annotator.io.formats.bio import MISALIGNED_POLICIES, OVERLAP_POLICIES
    from annotator.io.formats.registry import FORMATS

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

    mg = sub.add_parser("merge", help="merge another database (a SQLite file or a URL) "
                        "into this one; nothing here is changed or deleted")
    mg.add_argument("other", metavar="OTHER", help="SQLite file or SQLAlchemy URL")
    mg.add_argument("--project", dest="merge_project", metavar="NAME",
                    help="the project to merge (default: the global --project)")
    mg.set_defaults(func=cmd_merge)
