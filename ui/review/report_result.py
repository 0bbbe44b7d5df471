"""The agreement report's figures as the dialog and the HTML file show them (no Qt here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from annotator.db.engine import Database


@dataclass(frozen=True)
class ReportResult:
    report: object  # annotator.review.AgreementReport
    confusion: list[list[int]]  # first pair's token labels: rows reference, columns other
    codes: tuple[str, ...]  # "O" then the labels, the matrix's order


def compute_report(db: Database, project_id: int, annotators: Sequence[str] | None
                   ) -> ReportResult:
    """The core's report and the first pair's token label confusion (no Qt here)."""
    from annotator.review.data import load
    from annotator.review.report import compute_with_confusion

    data = load(db, project_id, annotators)
    report, matrix = compute_with_confusion(data)  # a page of documents' tokens at a time
    return ReportResult(report, matrix.tolist(), ("O", *data.labels))


def figure(x: float | None) -> str:
    """A figure to three places, or a dash where it is undefined."""
    return "\u2014" if x is None else f"{x:.3f}"
