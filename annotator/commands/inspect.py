"""``annotator stats`` and ``show``: what a project holds, and one document with its spans."""

from __future__ import annotations

import argparse
import json
import sys

from annotator.commands.common import open_db
from annotator.store.projects import load_schema, open_project


def cmd_stats(args: argparse.Namespace) -> int:
    from annotator.store.stats import format_table, project_stats

    db = open_db(args)
    project_id = open_project(db, args.project)
    stats = project_stats(db, project_id)
    if args.json:
        print(json.dumps(stats.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_table(stats, load_schema(db, project_id).label_names))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from annotator.commands.terminal import render, terminal_width, wants_visual
    from annotator.store.documents import document_spans, find_document

    db = open_db(args)
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


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
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
