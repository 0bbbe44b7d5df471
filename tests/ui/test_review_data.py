"""Two annotators' spans on the sample corpus, for the review and report tests.

Document 1: both tag فرانكفورت LOCATION (agreed); huda tags المانيا GPE where omar tags
it LOCATION (conflict); only huda tags اتحاد صناعة السيارات (single). Document 2: both
tag نوكيا ORGANIZATION; only omar tags موتورولا. Document 3: both tag the same span.
"""

from __future__ import annotations

from annotator.db.engine import Database
from annotator.store.documents import get_document
from annotator.store.spans import add_span

PLAN = {
    1: [("huda", "LOCATION", "فرانكفورت"), ("omar", "LOCATION", "فرانكفورت"),
        ("huda", "GPE", "المانيا"), ("omar", "LOCATION", "المانيا"),
        ("huda", "ORGANIZATION", "اتحاد صناعة السيارات")],
    2: [("huda", "ORGANIZATION", "نوكيا"), ("omar", "ORGANIZATION", "نوكيا"),
        ("omar", "ORGANIZATION", "موتورولا")],
    3: [],
}


def where(db: Database, document_id: int, word: str) -> tuple[int, int]:
    start = get_document(db, document_id).text.index(word)
    return start, start + len(word)


def add_two_annotators(db: Database) -> dict[tuple[int, str, str, str], int]:
    """Adds :data:`PLAN`; returns span ids by (document, annotator, label, word)."""
    ids = {}
    text3 = get_document(db, 3).text
    word3 = text3.split()[0]
    PLAN[3] = [("huda", "LOCATION", word3), ("omar", "LOCATION", word3)]
    for doc, rows in PLAN.items():
        for who, label, word in rows:
            start, end = where(db, doc, word)
            ids[(doc, who, label, word)] = add_span(db, doc, who, label, start, end).id
    return ids
