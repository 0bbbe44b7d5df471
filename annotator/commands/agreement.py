"""``annotator agreement``: how far annotators agree (the figures come from annotator.review)."""

from __future__ import annotations

import argparse
import json
import sys

from annotator.commands.common import open_db
from annotator.store.projects import open_project


def cmd_agreement(args: argparse.Namespace) -> int:
    from annotator.commands.terminal import to_visual, wants_visual
    from annotator.review import AgreementError, agreement_report
    from annotator.review.table import format_report

    db = open_db(args)
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


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
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
