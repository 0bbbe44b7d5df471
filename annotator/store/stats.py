"""Corpus figures: documents, spans per label per annotator, progress."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from annotator.db.engine import Database
from annotator.db.models import Annotator, Document, DocumentStatus, Label, Span
from annotator.store.projects import name_order


@dataclass
class Stats:
    documents: int = 0
    characters: int = 0
    spans: dict[str, dict[str, int]] = field(default_factory=dict)  # annotator -> label -> n
    status: dict[str, dict[str, int]] = field(default_factory=dict)  # annotator -> status -> n

    def as_dict(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "characters": self.characters,
            "spans": self.spans,
            "status": self.status,
        }


def project_stats(db: Database, project_id: int) -> Stats:
    stats = Stats()
    with db.reading() as s:
        docs, chars = s.execute(
            select(func.count(), func.coalesce(func.sum(Document.length), 0)).where(
                Document.project_id == project_id
            )
        ).one()
        stats.documents, stats.characters = int(docs), int(chars)
        rows = s.execute(
            select(Annotator.name, Label.name, func.count())
            .select_from(Span)
            .join(Annotator, Annotator.id == Span.annotator_id)
            .join(Label, Label.id == Span.label_id)
            .where(Label.project_id == project_id)
            .group_by(Annotator.name, Label.name)
        )
        # Sorted here, not by ORDER BY: the order must not depend on the collation.
        for ann, label, n in sorted(rows, key=lambda r: (name_order(r[0]), name_order(r[1]))):
            stats.spans.setdefault(ann, {})[label] = n
        rows = s.execute(
            select(Annotator.name, DocumentStatus.status, func.count())
            .select_from(DocumentStatus)
            .join(Annotator, Annotator.id == DocumentStatus.annotator_id)
            .join(Document, Document.id == DocumentStatus.document_id)
            .where(Document.project_id == project_id)
            .group_by(Annotator.name, DocumentStatus.status)
        )
        for ann, status, n in rows:
            stats.status.setdefault(ann, {})[str(status)] = n
    return stats


def format_table(stats: Stats, labels: list[str]) -> str:
    """A plain-text table: one row per annotator, one column per label used."""
    used = [lb for lb in labels if any(lb in per for per in stats.spans.values())]
    lines = [f"documents: {stats.documents}   characters: {stats.characters}"]
    if not stats.spans:
        lines.append("no spans yet")
        return "\n".join(lines)
    head = ["annotator", *used, "total", "done"]
    rows = []
    for ann, per in stats.spans.items():
        done = stats.status.get(ann, {}).get("done", 0)
        rows.append([ann, *(str(per.get(lb, 0)) for lb in used), str(sum(per.values())), str(done)])
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines.append("")
    for r in [head, *rows]:
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    return "\n".join(lines)
