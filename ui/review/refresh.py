"""What changed since the window last read the database, for View ▸ Refresh (F5).

Several annotators save into one database (a shared PostgreSQL, or one SQLite file)
while the window shows what it read earlier; a refresh reads the document rows again
and this module says, in a few words for the status bar, what came in meanwhile. It
compares document rows (``annotator.store.documents.DocumentRow``: each annotator's status and
span count per document), so a span added and another deleted in one document count as
nothing changed there; that is cheap, and the view itself shows every span.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from annotator.store.documents import DocumentRow

Rows = Mapping[int, DocumentRow]  # by document id

AUTO_REFRESH_SECONDS = 30.0  # at most this often when the window regains the focus


def by_id(rows: Iterable[DocumentRow]) -> dict[int, DocumentRow]:
    return {row.id: row for row in rows}


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def describe_changes(before: Mapping[str, Rows], after: Mapping[str, Rows]) -> str:
    """``before`` and ``after`` map annotators to their document rows; returns e.g.
    "12 new spans from 2 annotators, 1 status changed", or "" when nothing changed."""
    added = removed = statuses = 0
    adders: list[str] = []
    for annotator, rows in after.items():
        old = before.get(annotator, {})
        gained = 0
        for document_id, row in rows.items():
            was = old.get(document_id)
            delta = row.span_count - (was.span_count if was else 0)
            gained += max(delta, 0)
            removed += max(-delta, 0)
            statuses += was is not None and was.status != row.status
        added += gained
        if gained:
            adders.append(annotator)
    parts = []
    if added:
        who = adders[0] if len(adders) == 1 else f"{len(adders)} annotators"
        parts.append(f"{_count(added, 'new span')} from {who}")
    if removed:
        parts.append(f"{_count(removed, 'span')} removed")
    if statuses:
        parts.append(f"{_count(statuses, 'status', 'statuses')} changed")
    documents = {d for rows in after.values() for d in rows}
    known = {d for rows in before.values() for d in rows}
    if known and documents - known:
        parts.append(_count(len(documents - known), "new document"))
    return ", ".join(parts)
